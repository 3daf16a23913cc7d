"""Missing materials (LAL 43 ¶2): asked for once, supplied through the forwarder, or deemed withdrawn."""

import json
from datetime import datetime, timedelta

import pytest

from gateway.domain.enums import RequestState, WithdrawalReason
from gateway.domain.model import Attachment, MaterialsRequest
from gateway.errors import IllegalTransition, InvalidInput, RequestNotFound
from gateway.rules.deadlines import CHINA_TZ
from gateway.service.materials import Materials
from tests.unit.test_intake import COURT, POLICE
from tests.unit.test_state_changes import MARKET_NORTH, NOW, World, _application

# NOW is Wednesday 25 November 2026, 09:30; the application arrives then, so its 7 days end on 2 December.
ASKED = NOW + timedelta(days=2)  # Friday 27 November: two of the seven days used
SUPPLY_BY = datetime(2026, 12, 4, 17, 0, tzinfo=CHINA_TZ)
REQUEST = MaterialsRequest(ASKED, ("家庭成员收入证明", "对申报收入的书面说明"), SUPPLY_BY)
DOCUMENT = Attachment("家庭成员收入证明", "https://dossier.example.gov.cn/d/7f3a", "a" * 64, "application/pdf")


@pytest.fixture
def world() -> World:
    return World()


def _materials(world: World) -> Materials:
    return world.materials


def _asked(world: World) -> str:
    request_id = _application(world)
    world.clock.current = ASKED
    world.answers.request_materials(MARKET_NORTH, request_id, REQUEST)
    return request_id


def test_the_centre_asks_once_and_the_forwarder_is_told_what_is_missing(world: World) -> None:
    request_id = _application(world)
    world.clock.current = ASKED

    waiting = world.answers.request_materials(MARKET_NORTH, request_id, REQUEST)
    with pytest.raises(IllegalTransition, match="once"):
        world.answers.request_materials(MARKET_NORTH, request_id, REQUEST)

    change = world.store.changes[-1]
    assert waiting.state is RequestState.AWAITING_MATERIALS
    assert change.deadline == (SUPPLY_BY, "supply_materials", "LAL 43")  # the applicant's date now runs
    [delivery] = change.deliveries
    assert (delivery.agency_code, delivery.event) == (POLICE.code, "materials_requested")
    assert delivery.body["materials_request"]["items"] == ["家庭成员收入证明", "对申报收入的书面说明"]
    assert change.detail == {"items": 2, "supply_by": "2026-12-04T17:00:00+08:00"}  # no item text in the audit


def test_supplied_the_documents_go_to_the_centre_and_what_was_left_of_the_seven_days_runs_again(
    world: World,
) -> None:
    request_id = _asked(world)
    supplied_at = datetime(2026, 12, 1, 15, 0, tzinfo=CHINA_TZ)
    world.clock.current = supplied_at + timedelta(minutes=1)

    resumed = _materials(world).supply(POLICE, request_id, supplied_at, (DOCUMENT,))
    again = _materials(world).supply(POLICE, request_id, supplied_at, (DOCUMENT,))

    change = world.store.changes[-1]
    assert resumed.state is RequestState.QUEUED and again == resumed
    # Asked on the 27th: 2 days of 7 used (the 26th and 27th), 5 left, counted from the supply on 1 December:
    # 6 December, a Sunday; the sample applicant is detained, so no rest day moves it (CPL 105).
    assert change.deadline == (datetime(2026, 12, 6, 23, 59, 59, tzinfo=CHINA_TZ), "decide_application", "LAL 43")
    [event, materials] = change.messages
    assert (event.routing_key, materials.routing_key) == (
        "request.materials_supplied",
        f"materials.{MARKET_NORTH.code}",
    )
    assert materials.message_id == f"{request_id}.materials"
    assert json.loads(materials.body)["documents"] == [
        {
            "title": "家庭成员收入证明",
            "uri": "https://dossier.example.gov.cn/d/7f3a",
            "sha256": "a" * 64,
            "media_type": "application/pdf",
        }
    ]
    assert [c.event for c in world.store.changes] == ["materials_requested", "materials_supplied"]


def test_a_supply_dated_before_the_request_or_by_another_agency_is_refused(world: World) -> None:
    request_id = _asked(world)
    world.clock.current = ASKED + timedelta(days=1)

    with pytest.raises(InvalidInput) as early:
        _materials(world).supply(POLICE, request_id, ASKED - timedelta(days=1), (DOCUMENT,))
    with pytest.raises(RequestNotFound):
        _materials(world).supply(COURT, request_id, ASKED, (DOCUMENT,))

    assert early.value.errors == {"supplied_at": ["before the centre asked for them"]}
    assert world.store.get(request_id).state is RequestState.AWAITING_MATERIALS  # type: ignore[union-attr]


def test_nothing_by_the_centres_date_and_the_application_is_deemed_withdrawn(world: World) -> None:
    late = _asked(world)
    world.clock.current = NOW
    on_time = _application(world, number="-2")
    world.clock.current = ASKED
    world.answers.request_materials(MARKET_NORTH, on_time, REQUEST)
    world.clock.current = SUPPLY_BY - timedelta(hours=1)
    _materials(world).supply(POLICE, on_time, SUPPLY_BY - timedelta(hours=2), (DOCUMENT,))

    before = _materials(world).expire()
    world.clock.current = SUPPLY_BY + timedelta(minutes=1)
    after = _materials(world).expire()

    assert (before, after) == (0, 1)
    assert world.store.get(late).state is RequestState.WITHDRAWN  # type: ignore[union-attr]
    assert world.store.get(on_time).state is RequestState.QUEUED  # type: ignore[union-attr]
    change = world.store.changes[-1]
    assert (change.event, change.actor) == ("deemed_withdrawn", "gateway")
    assert [(d.agency_code, d.event) for d in change.deliveries] == [(POLICE.code, "deemed_withdrawn")]
    with pytest.raises(IllegalTransition):
        _materials(world).supply(POLICE, late, SUPPLY_BY, (DOCUMENT,))  # too late: nothing to resume


def test_the_centre_cannot_stop_a_review_clock_that_has_run_out_or_set_a_date_already_passed(world: World) -> None:
    request_id = _application(world)  # received 25 November: 7 days to 2 December
    other = _application(world, number="-3")
    world.clock.current = ASKED
    past_date = MaterialsRequest(ASKED, ("收入证明",), ASKED - timedelta(hours=1))
    with pytest.raises(InvalidInput) as refused:
        world.answers.request_materials(MARKET_NORTH, other, past_date)

    world.clock.current = datetime(2026, 12, 3, 9, 0, tzinfo=CHINA_TZ)
    too_late = MaterialsRequest(world.clock.current, ("收入证明",), world.clock.current + timedelta(days=3))
    with pytest.raises(IllegalTransition, match="7 days to decide have passed"):
        world.answers.request_materials(MARKET_NORTH, request_id, too_late)

    assert list(refused.value.errors) == ["supply_by"]
    assert world.store.changes == []


def test_materials_supplied_after_the_centres_date_are_refused_even_before_the_sweep(world: World) -> None:
    request_id = _asked(world)
    world.clock.current = SUPPLY_BY + timedelta(days=1)

    with pytest.raises(InvalidInput) as refused:
        _materials(world).supply(POLICE, request_id, SUPPLY_BY + timedelta(hours=2), (DOCUMENT,))

    assert refused.value.errors == {"supplied_at": ["after the date the centre set"]}
    assert world.store.get(request_id).state is RequestState.AWAITING_MATERIALS  # type: ignore[union-attr]


def test_an_application_awaiting_materials_can_still_be_withdrawn(world: World) -> None:
    request_id = _asked(world)

    withdrawn = world.withdrawals.withdraw(POLICE, request_id, WithdrawalReason.RETAINED_LAWYER, None)

    assert withdrawn.state is RequestState.WITHDRAWN  # LAL 48 (6): a lawyer retained meanwhile
