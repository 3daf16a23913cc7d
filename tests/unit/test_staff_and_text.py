"""What each staff role sees, and hidden characters found wherever they sit in a request."""

from dataclasses import dataclass

import pytest

from gateway.domain.staff import Role, StaffMember
from gateway.domain.text import hidden_characters

CLERK = StaffMember("clerk", "张", Role.CENTRE_STAFF, "lac370202")
SUPERVISOR = StaffMember("chief", "李", Role.SUPERVISOR, None)
ADMIN = StaffMember("admin", "王", Role.ADMINISTRATOR, None)


@pytest.mark.parametrize(
    ("member", "reads", "own", "other", "reports", "administers", "in_view"),
    [
        (CLERK, True, True, False, False, False, "lac370202"),
        (SUPERVISOR, True, True, True, True, False, None),
        (StaffMember("chief2", "赵", Role.SUPERVISOR, "lac370202"), True, True, True, True, False, None),
        (ADMIN, False, False, False, False, True, None),
    ],
)
def test_each_role_sees_what_its_work_needs(
    member: StaffMember, reads: bool, own: bool, other: bool, reports: bool, administers: bool, in_view: str | None
) -> None:
    assert (member.reads_cases(), member.may_see("lac370202"), member.may_see("lac370203")) == (reads, own, other)
    assert (member.sees_reports(), member.administers(), member.centres_in_view()) == (reports, administers, in_view)
    assert member.actor == f"staff:{member.username}"


@dataclass(frozen=True)
class Inner:
    name: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Outer:
    reference: str
    person: Inner
    remark: str


def test_every_field_holding_a_hidden_character_is_named_by_its_path() -> None:
    value = Outer("A\u202eB", Inner("张\u200b三", ("ok", "x\x00y", "z\u00adz")), "line\tbreak\r\n")

    found = hidden_characters(value)

    message = "holds {}, a control or invisible formatting character; send plain text"
    assert found == {
        "reference": [message.format("U+202E")],
        "person.name": [message.format("U+200B")],
        "person.notes.1": [message.format("U+0000")],
        "person.notes.2": [message.format("U+00AD")],
    }


def test_plain_text_and_private_use_characters_pass() -> None:
    assert hidden_characters(Outer("（2026）鲁0202刑初318号", Inner("\ue000", ()), "甲\n乙")) == {}


def test_a_hidden_character_after_a_tab_or_line_break_is_still_found() -> None:
    assert hidden_characters("甲\t乙\n\u200b") == {"": ["holds U+200B, a control or invisible formatting character; "
                                                        "send plain text"]}  # fmt: skip
