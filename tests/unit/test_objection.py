"""An objection to a refusal or termination, decided by the justice bureau and recorded by the centre (LAL 49)."""

from datetime import datetime, timedelta

import pytest

from gateway.domain.enums import DecisionOutcome, ObjectionOutcome, RefusalReason, RequestState, TerminationGround
from gateway.domain.model import Decision, ObjectionDecision, Termination
from gateway.errors import IllegalTransition, InvalidInput
from gateway.rules.deadlines import CHINA_TZ
from gateway.service.request_status import status_of
from tests.unit.test_intake import POLICE
from tests.unit.test_state_changes import CENTRE, MARKET_NORTH, NOW, World, _application

REFUSAL = Decision(DecisionOutcome.REFUSED, NOW, RefusalReason.HARDSHIP_NOT_MET, "收入高于标准")
LODGED = NOW + timedelta(days=2)  # Friday 27 November
DECIDED = datetime(2026, 12, 1, 16, 0, tzinfo=CHINA_TZ)  # Tuesday 1 December


def _objection(outcome: ObjectionOutcome, **changes: object) -> ObjectionDecision:
    values: dict[str, object] = {
        "lodged_at": LODGED,
        "decided_at": DECIDED,
        "outcome": outcome,
        "document_number": "青司法异〔2026〕12号",
    }
    values.update(changes)
    return ObjectionDecision(**values)  # type: ignore[arg-type]


@pytest.fixture
def world() -> World:
    return World()


def _refused(world: World) -> str:
    request_id = _application(world)
    world.answers.decide(MARKET_NORTH, request_id, REFUSAL)
    world.clock.current = DECIDED + timedelta(hours=1)  # when the centre records the bureau's decision
    return request_id


def test_upheld_the_refusal_stands_and_the_forwarder_is_told(world: World) -> None:
    request_id = _refused(world)

    upheld = world.answers.record_objection(MARKET_NORTH, request_id, _objection(ObjectionOutcome.UPHELD))

    change = world.store.changes[-1]
    assert (upheld.state, change.event, change.deadline) == (RequestState.DECLINED, "objection_upheld", None)
    assert change.detail == {"outcome": "upheld", "lodged_at": "2026-11-27T09:30:00+08:00"}
    [delivery] = change.deliveries
    assert (delivery.agency_code, delivery.event) == (POLICE.code, "objection_upheld")
    assert delivery.body["objection"]["document_number"] == "青司法异〔2026〕12号"
    assert [message.routing_key for message in change.messages] == ["request.objection_upheld"]


def test_corrected_the_application_is_reviewed_again_within_seven_days_of_the_bureaus_decision(world: World) -> None:
    request_id = _refused(world)

    reopened = world.answers.record_objection(MARKET_NORTH, request_id, _objection(ObjectionOutcome.CORRECTED))

    # LAL 49 orders the correction; LAL 43's 7 days run afresh from the bureau's decision on 1 December: the
    # 8th (a Tuesday). The sample detainee is held, so no rest day moves it (CPL 105).
    assert reopened.state is RequestState.QUEUED
    assert world.store.changes[-1].deadline == (
        datetime(2026, 12, 8, 23, 59, 59, tzinfo=CHINA_TZ),
        "decide_application",
        "LAL 49",
    )
    granted = world.answers.decide(MARKET_NORTH, request_id, Decision(DecisionOutcome.GRANTED, DECIDED))
    assert granted.state is RequestState.GRANTED  # decided anew


def test_corrected_a_termination_gives_the_aid_again_and_a_lawyer_within_three_days(world: World) -> None:
    notice = world.notice()
    world.answers.appoint(CENTRE, notice, world.appointment())
    world.answers.terminate(CENTRE, notice, Termination(TerminationGround.MEANS_CHANGED, NOW, "收入增加"))
    application = _application(world)
    world.answers.decide(MARKET_NORTH, application, Decision(DecisionOutcome.GRANTED, NOW))
    world.clock.current = DECIDED + timedelta(hours=1)
    world.answers.terminate(MARKET_NORTH, application, Termination(TerminationGround.MEANS_CHANGED, NOW, "收入增加"))

    notice_again = world.answers.record_objection(CENTRE, notice, _objection(ObjectionOutcome.CORRECTED))
    application_again = world.answers.record_objection(
        MARKET_NORTH, application, _objection(ObjectionOutcome.CORRECTED)
    )

    assert notice_again.state is RequestState.QUEUED
    assert application_again.state is RequestState.GRANTED  # the grant stands: only a lawyer is due
    assert world.store.changes[-1].deadline == (
        datetime(2026, 12, 4, 23, 59, 59, tzinfo=CHINA_TZ),
        "assign_lawyer",
        "LAL 49",
    )


def test_an_objection_upheld_once_is_not_recorded_again(world: World) -> None:
    request_id = _refused(world)
    world.answers.record_objection(MARKET_NORTH, request_id, _objection(ObjectionOutcome.UPHELD))

    with pytest.raises(IllegalTransition, match="already upheld"):
        world.answers.record_objection(MARKET_NORTH, request_id, _objection(ObjectionOutcome.CORRECTED))

    assert world.store.get(request_id).state is RequestState.DECLINED  # type: ignore[union-attr]


def test_an_objection_before_the_decision_or_to_open_aid_is_refused(world: World) -> None:
    request_id = _refused(world)
    waiting = _application(world, number="2")

    with pytest.raises(InvalidInput) as early:
        world.answers.record_objection(
            MARKET_NORTH, request_id, _objection(ObjectionOutcome.UPHELD, lodged_at=NOW - timedelta(days=1))
        )
    with pytest.raises(IllegalTransition, match="only from: declined, terminated"):
        world.answers.record_objection(MARKET_NORTH, waiting, _objection(ObjectionOutcome.UPHELD))

    with pytest.raises(InvalidInput) as future:
        world.answers.record_objection(
            MARKET_NORTH, request_id, _objection(ObjectionOutcome.CORRECTED, decided_at=DECIDED + timedelta(days=300))
        )

    assert early.value.errors == {"lodged_at": ["before the decision objected to"]}
    assert future.value.errors == {"decided_at": ["in the future"]}  # a typo would push the new clock far out
    assert [change.event for change in world.store.changes] == ["declined"]


def test_a_corrected_termination_no_longer_shows_in_the_status(world: World) -> None:
    request_id = _application(world)
    world.answers.decide(MARKET_NORTH, request_id, Decision(DecisionOutcome.GRANTED, NOW))
    world.answers.terminate(MARKET_NORTH, request_id, Termination(TerminationGround.MEANS_CHANGED, NOW, "收入增加"))
    ended = status_of(world.store, request_id, POLICE).answers
    world.clock.current = DECIDED + timedelta(hours=1)

    world.answers.record_objection(MARKET_NORTH, request_id, _objection(ObjectionOutcome.CORRECTED))

    status = status_of(world.store, request_id, POLICE)
    assert "termination" in ended
    assert status.request.state is RequestState.GRANTED
    assert "termination" not in status.answers and status.answers["objection"]["outcome"] == "corrected"
