"""The centre ends legal aid on a ground of LAL 48, and the agency that sent the request is told."""

from datetime import timedelta

import pytest
from marshmallow import ValidationError

from gateway.domain.enums import DecisionOutcome, RequestState, TerminationGround, WithdrawalReason
from gateway.domain.lifecycle import CLOCK_RUNNING
from gateway.domain.model import Decision, Termination
from gateway.errors import IllegalTransition, InvalidInput, RequestNotFound
from schemas.answers import TerminationSchema
from tests.unit.test_intake import COURT, POLICE
from tests.unit.test_state_changes import CENTRE, MARKET_NORTH, NOW, World, _application

# LAL 48 ¶1 (1)–(8), in the law's order.
LAWS_GROUNDS = [
    "deceit",
    "facts_concealed",
    "unlawful_use",
    "means_changed",
    "case_ended",
    "lawyer_retained",
    "person_requested",
    "other_lawful_ground",
]
RETAINED = Termination(TerminationGround.LAWYER_RETAINED, NOW + timedelta(hours=2), "被告人已自行委托辩护律师")


@pytest.fixture
def world() -> World:
    return World()


def test_the_schema_takes_exactly_the_eight_grounds_of_the_law() -> None:
    body = {"terminated_at": "2026-11-26T10:00:00+08:00", "reason": "案件已撤销"}

    loaded = [TerminationSchema().load(body | {"ground": ground}).ground for ground in LAWS_GROUNDS]
    with pytest.raises(ValidationError) as unknown:
        TerminationSchema().load(body | {"ground": "released"})  # not a ground of LAL 48
    with pytest.raises(ValidationError) as no_reason:
        TerminationSchema().load({"ground": "case_ended", "terminated_at": body["terminated_at"]})

    assert [ground.value for ground in loaded] == LAWS_GROUNDS == [ground.value for ground in TerminationGround]
    assert "ground" in unknown.value.messages and "reason" in no_reason.value.messages


def test_an_assigned_notice_is_terminated_and_the_court_is_told_as_of_an_appointment(world: World) -> None:
    request_id = world.notice()
    world.answers.appoint(CENTRE, request_id, world.appointment())

    terminated = world.answers.terminate(CENTRE, request_id, RETAINED, "amqp:lac370202:t-1")

    change = world.store.changes[-1]
    [delivery] = change.deliveries
    assert (terminated.state, change.event) == (RequestState.TERMINATED, "terminated")
    assert RequestState.TERMINATED not in CLOCK_RUNNING  # the deadline watcher leaves it alone
    assert change.detail == {"ground": "lawyer_retained"}  # the reason's text stays out of the audit log
    assert [message.routing_key for message in change.messages] == ["request.terminated"]
    assert (delivery.agency_code, delivery.event) == (COURT.code, "terminated")
    assert delivery.body["termination"] == {
        "ground": "lawyer_retained",
        "terminated_at": "2026-11-25T11:30:00+08:00",
        "reason": "被告人已自行委托辩护律师",
    }
    assert world.store.latest_answers(request_id)["termination"] == delivery.body["termination"]


def test_a_granted_application_without_a_lawyer_yet_can_be_terminated(world: World) -> None:
    request_id = _application(world)
    world.answers.decide(MARKET_NORTH, request_id, Decision(DecisionOutcome.GRANTED, NOW))

    terminated = world.answers.terminate(MARKET_NORTH, request_id, RETAINED)

    assert terminated.state is RequestState.TERMINATED
    assert world.store.changes[-1].deliveries[0].agency_code == POLICE.code


def test_a_repeat_under_the_same_key_is_applied_once(world: World) -> None:
    request_id = world.notice()
    world.answers.appoint(CENTRE, request_id, world.appointment())
    world.answers.terminate(CENTRE, request_id, RETAINED, "amqp:lac370202:t-1")

    again = world.answers.terminate(CENTRE, request_id, RETAINED, "amqp:lac370202:t-1")

    assert again.state is RequestState.TERMINATED
    assert [change.event for change in world.store.changes] == ["assigned", "terminated"]


def test_aid_not_yet_under_way_or_already_ended_cannot_be_terminated(world: World) -> None:
    waiting = world.notice()
    withdrawn = world.notice(notice_number="（2026）鲁0202刑初318号-2")
    world.withdrawals.withdraw(COURT, withdrawn, WithdrawalReason.SENT_IN_ERROR, None)

    with pytest.raises(IllegalTransition, match="only from: assigned, granted, informed"):
        world.answers.terminate(CENTRE, waiting, RETAINED)
    with pytest.raises(IllegalTransition):
        world.answers.terminate(CENTRE, withdrawn, RETAINED)

    assert [change.event for change in world.store.changes] == ["withdrawn"]


def test_a_date_before_the_request_and_another_centre_are_refused(world: World) -> None:
    request_id = world.notice()
    world.answers.appoint(CENTRE, request_id, world.appointment())

    with pytest.raises(InvalidInput) as early:
        early_date = Termination(TerminationGround.CASE_ENDED, NOW - timedelta(days=1), "撤案")
        world.answers.terminate(CENTRE, request_id, early_date)
    with pytest.raises(RequestNotFound):
        world.answers.terminate(MARKET_NORTH, request_id, RETAINED)

    assert list(early.value.errors) == ["terminated_at"]
    assert [change.event for change in world.store.changes] == ["assigned"]
