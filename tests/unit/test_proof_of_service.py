"""Proof of service (送达回证): the forwarder records that the applicant has the centre's written decision.

LAL 43 ¶1: a refusal is told to the applicant in writing, with reasons; a detained applicant is reached through
the organ that forwarded the application (LAL 39), so its acknowledgment is recorded on the request.
"""

from datetime import timedelta

import pytest

from gateway.domain.enums import DecisionOutcome, ObjectionOutcome, RefusalReason, RequestState
from gateway.domain.model import Decision, ObjectionDecision
from gateway.errors import IllegalTransition, InvalidInput, RequestNotFound
from gateway.service.proof_of_service import ProofsOfService
from tests.unit.test_intake import COURT, POLICE
from tests.unit.test_state_changes import CENTRE, MARKET_NORTH, NOW, World, _application

REFUSAL = Decision(DecisionOutcome.REFUSED, NOW, RefusalReason.HARDSHIP_NOT_MET, "家庭人均收入高于标准")


@pytest.fixture
def world() -> World:
    return World()


def _proofs(world: World) -> ProofsOfService:
    return world.proofs_of_service


@pytest.mark.parametrize("outcome", [DecisionOutcome.REFUSED, DecisionOutcome.GRANTED])
def test_service_is_recorded_on_the_decided_application_and_moves_nothing(
    world: World, outcome: DecisionOutcome
) -> None:
    request_id = _application(world)
    world.answers.decide(MARKET_NORTH, request_id, Decision(outcome, NOW, RefusalReason.OTHER, "理由"))
    decided = world.store.get(request_id)
    assert decided is not None
    world.clock.current = NOW + timedelta(days=1)

    served = _proofs(world).record(POLICE, request_id, NOW + timedelta(hours=20))

    change = world.store.changes[-1]
    assert served.state is decided.state
    assert (change.event, change.from_state, change.to_state) == ("served", decided.state, decided.state)
    assert (change.actor, change.detail) == (POLICE.code, {"served_at": "2026-11-26T05:30:00+08:00"})
    assert [message.routing_key for message in change.messages] == ["request.served"]  # the centre hears it
    assert change.deliveries == ()  # the agency is the one telling: nothing goes back to it
    assert served.due_at == decided.due_at  # a granted application's clock to assign keeps running


def test_a_repeat_answers_the_same_and_records_nothing_more(world: World) -> None:
    request_id = _application(world)
    world.answers.decide(MARKET_NORTH, request_id, REFUSAL)
    first = _proofs(world).record(POLICE, request_id, NOW)

    again = _proofs(world).record(POLICE, request_id, NOW + timedelta(minutes=5))

    assert again == first
    assert [change.event for change in world.store.changes] == ["declined", "served"]


def test_before_a_decision_there_is_nothing_to_serve(world: World) -> None:
    request_id = _application(world)

    with pytest.raises(IllegalTransition, match="not decided yet"):
        _proofs(world).record(POLICE, request_id, NOW)

    assert world.store.changes == []


@pytest.mark.parametrize(
    ("served_at", "error"),
    [(NOW - timedelta(hours=1), "before the decision was made"), (NOW + timedelta(hours=1), "in the future")],
)
def test_an_impossible_date_is_refused_and_changes_nothing(world: World, served_at: object, error: str) -> None:
    request_id = _application(world)
    world.answers.decide(MARKET_NORTH, request_id, REFUSAL)

    with pytest.raises(InvalidInput) as refused:
        _proofs(world).record(POLICE, request_id, served_at)  # type: ignore[arg-type]

    assert refused.value.errors == {"served_at": [error]}
    assert [change.event for change in world.store.changes] == ["declined"]


def test_only_the_forwarding_agency_records_it_and_others_see_no_request(world: World) -> None:
    request_id = _application(world)
    world.answers.decide(MARKET_NORTH, request_id, REFUSAL)

    with pytest.raises(RequestNotFound):
        _proofs(world).record(COURT, request_id, NOW)

    assert world.store.get(request_id).state is RequestState.DECLINED  # type: ignore[union-attr]
    assert [change.event for change in world.store.changes] == ["declined"]


def test_a_notice_has_no_decision_to_serve(world: World) -> None:
    request_id = world.notice()
    world.answers.appoint(CENTRE, request_id, world.appointment())

    with pytest.raises(IllegalTransition, match="only an application is decided"):
        _proofs(world).record(COURT, request_id, NOW)

    assert [change.event for change in world.store.changes] == ["assigned"]


def test_a_decision_made_anew_after_an_objection_is_served_anew(world: World) -> None:
    request_id = _application(world)
    world.answers.decide(MARKET_NORTH, request_id, REFUSAL)
    _proofs(world).record(POLICE, request_id, NOW)
    world.clock.current = NOW + timedelta(days=3)
    corrected = ObjectionDecision(NOW + timedelta(days=1), NOW + timedelta(days=2), ObjectionOutcome.CORRECTED, "文号")
    world.answers.record_objection(MARKET_NORTH, request_id, corrected)
    world.answers.decide(MARKET_NORTH, request_id, Decision(DecisionOutcome.GRANTED, world.clock.current))

    _proofs(world).record(POLICE, request_id, world.clock.current)

    assert [change.event for change in world.store.changes].count("served") == 2


def test_two_concurrent_proofs_record_one(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # B is recorded while A, between its read of the request and its write, still believes nothing was served:
    # A's write is on the version it read, so it is refused, and A reads again and finds B's (no second record,
    # no second message to the centre).
    request_id = _application(world)
    world.answers.decide(MARKET_NORTH, request_id, REFUSAL)
    served = ProofsOfService._served
    asked: list[str] = []

    def interleaved(self: ProofsOfService, stored: object) -> bool:
        asked.append("A" if not asked or asked[-1] != "B" else "B")
        if len(asked) == 2:  # A, inside its unit of work: B comes and goes first
            asked.append("B")
            _proofs(world).record(POLICE, request_id, NOW + timedelta(minutes=1))
            return False  # what A read before B's write
        return served(self, stored)  # type: ignore[arg-type]

    monkeypatch.setattr(ProofsOfService, "_served", interleaved)
    _proofs(world).record(POLICE, request_id, NOW)

    assert [change.event for change in world.store.changes] == ["declined", "served"]
    assert [change.detail for change in world.store.changes[1:]] == [{"served_at": "2026-11-25T09:31:00+08:00"}]
