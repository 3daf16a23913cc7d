"""Linking a person's requests across stages, and flagging probable duplicates."""

from gateway.domain.enums import Kind, RequestState, Stage
from gateway.domain.model import PersonMatch
from gateway.rules.linking import relate

NOTICE = Kind.NOTIFY_DEFENSE


def _match(stage: Stage, agency: str = "police-1", state: RequestState = RequestState.QUEUED, kind: Kind = NOTICE):
    return PersonMatch(f"{agency}-{stage.value}", kind, agency, stage, state)


def test_earlier_stages_are_linked_and_a_later_one_is_not() -> None:
    matches = [
        _match(Stage.INVESTIGATION),
        _match(Stage.REVIEW_FOR_PROSECUTION, "proc-1"),
        _match(Stage.SECOND_INSTANCE, "court-2"),
    ]

    related, flags = relate(NOTICE, Stage.FIRST_INSTANCE, "court-1", matches)

    assert [(r.id, r.relation) for r in related] == [
        ("police-1-investigation", "earlier_stage"),
        ("proc-1-review_for_prosecution", "earlier_stage"),
    ]
    assert flags == ()


def test_another_agencys_open_notice_at_the_same_stage_is_a_probable_duplicate() -> None:
    related, flags = relate(NOTICE, Stage.FIRST_INSTANCE, "court-1", [_match(Stage.FIRST_INSTANCE, "court-2")])

    assert [(r.id, r.relation) for r in related] == [("court-2-first_instance", "probable_duplicate")]
    assert flags == ("probable_duplicate",)


def test_no_duplicate_when_the_first_has_ended_is_of_another_kind_or_is_the_same_agencys() -> None:
    matches = [
        _match(Stage.FIRST_INSTANCE, "court-2", RequestState.WITHDRAWN),
        _match(Stage.FIRST_INSTANCE, "court-3", kind=Kind.DUTY_LAWYER),
        _match(Stage.FIRST_INSTANCE, "court-1"),
    ]

    assert relate(NOTICE, Stage.FIRST_INSTANCE, "court-1", matches) == ((), ())
