"""The writing use cases after intake (withdrawal, the centre's answers, transitions) on the in-memory store:
what each writes, in milliseconds, with no store or broker."""

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from marshmallow import ValidationError

from adapters.court.mapping import defense_notice_to_submission
from adapters.court.schemas import CourtDefenseNoticeSchema
from adapters.examples import sample_path
from adapters.police.mapping import application_transfer_to_submission
from adapters.police.schemas import ApplicationTransferSchema
from adapters.registry import kinds_for
from gateway.bootstrap import use_cases
from gateway.domain.enums import (
    AgencyType,
    Channel,
    DecisionOutcome,
    Level,
    RefusalReason,
    ReplacementReason,
    RequestState,
    WithdrawalReason,
)
from gateway.domain.lifecycle import Event
from gateway.domain.model import Agency, Appointment, Decision, Lawyer
from gateway.errors import IllegalTransition, InvalidInput, RequestNotFound
from gateway.rules.deadlines import CHINA_TZ
from gateway.service.ports import RawPayload, StateChange, StateMoved
from gateway.service.transitions import Change
from schemas.soap import WithdrawCallSchema
from schemas.withdrawal import WithdrawalSchema
from tests.unit.fakes import FixedClock, InMemoryStore
from tests.unit.test_intake import COURT, POLICE

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=CHINA_TZ)
CENTRE = Agency("lac370202", "市南区法律援助中心", AgencyType.LEGAL_AID_CENTRE, Level.DISTRICT, "370202", frozenset())
OTHER_COURT = Agency("c2", "市北区人民法院", AgencyType.COURT, Level.DISTRICT, "370203", kinds_for(AgencyType.COURT))
LAWYER = Lawyer("李律师", "青岛某律师事务所", "13702201810012345", "13800000000", years_of_practice=5)


class World:
    """An intake, transitions, withdrawals and answers sharing one in-memory store and clock."""

    def __init__(self, informs: bool = True) -> None:
        self.store = InMemoryStore()
        self.clock = FixedClock(NOW)
        cases = use_cases(self.store, self.clock, lambda code: informs)  # the composition root, on the fakes
        self.transitions = cases.transitions
        self.withdrawals = cases.withdrawals
        self.answers = cases.answers
        self.intake = cases.intake
        self.materials = cases.materials
        self.proofs_of_service = cases.proofs_of_service

    def notice(self, **changes: object) -> str:
        body = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8")) | changes
        submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(body))
        receipt = self.intake.accept(COURT, AgencyType.COURT, Channel.REST, submission, RawPayload("x", b"{}"))
        assert receipt.centre_code == CENTRE.code
        return receipt.request_id

    def appointment(self, minutes: int = 0) -> Appointment:
        return Appointment(LAWYER, NOW + timedelta(minutes=minutes))


@pytest.fixture
def world() -> World:
    return World()


def test_a_withdrawal_moves_the_request_and_tells_the_centre_with_the_note(world: World) -> None:
    request_id = world.notice()
    world.clock.current = NOW + timedelta(hours=1)

    withdrawn = world.withdrawals.withdraw(COURT, request_id, WithdrawalReason.OTHER, "被告人已委托律师")

    [change] = world.store.changes
    assert (withdrawn.state, change.from_state, change.event) == (
        RequestState.WITHDRAWN,
        RequestState.RECEIVED,
        "withdrawn",
    )
    assert (change.actor, change.at) == (COURT.code, NOW + timedelta(hours=1))
    keys = [message.routing_key for message in change.messages]
    assert keys == ["request.withdrawn", f"withdrawal.{CENTRE.code}"]
    assert json.loads(change.messages[1].body)["note"] == "被告人已委托律师"  # the centre reads it


def test_a_withdrawal_that_loses_the_race_to_another_answers_as_a_repeat(world: World) -> None:
    # Another withdrawal of the same request commits between this one's read and its write: this write, on the
    # state and version it read, is refused; it reads again, finds the request withdrawn and answers as a repeat
    # would (no 409, nothing recorded twice).
    request_id = world.notice()
    world.store.moved_by_another[request_id] = RequestState.WITHDRAWN

    answered = world.withdrawals.withdraw(COURT, request_id, WithdrawalReason.RETAINED_LAWYER, None)

    assert answered.state is RequestState.WITHDRAWN
    assert world.store.changes == []


def test_the_withdrawal_note_stays_out_of_the_audit_record(world: World) -> None:
    request_id = world.notice()

    world.withdrawals.withdraw(COURT, request_id, WithdrawalReason.OTHER, "王某某 370202199001011234 已委托律师")

    [change] = world.store.changes
    assert change.detail == {"reason": "other", "note_given": True}  # the audit log is never purged


@pytest.mark.parametrize("note", [None, ""])
def test_a_withdrawal_for_another_reason_needs_a_note_and_changes_nothing(world: World, note: str | None) -> None:
    request_id = world.notice()

    with pytest.raises(InvalidInput, match="needs a note"):
        world.withdrawals.withdraw(COURT, request_id, WithdrawalReason.OTHER, note)

    assert world.store.changes == []


def test_release_is_no_reason_to_withdraw_and_the_refusal_says_what_to_send() -> None:
    # LAL 48 lists the grounds that end aid; release is none of them: a released minor, or a person who may be
    # sentenced to life imprisonment, must still have a defender (LAL 25).
    with pytest.raises(ValidationError) as rest:
        WithdrawalSchema().load({"reason": "released"})
    with pytest.raises(ValidationError) as soap:
        WithdrawCallSchema().load({"request_id": "r-1", "reason": "released"})

    for refused in (rest, soap):
        [message] = refused.value.messages["reason"]  # type: ignore[call-overload, index]
        assert "LAL 48" in message and "case_ended" in message
    assert {reason.value for reason in WithdrawalReason} == {"retained_lawyer", "case_ended", "sent_in_error", "other"}


def test_another_agencys_request_cannot_be_withdrawn_and_looks_absent(world: World) -> None:
    request_id = world.notice()

    with pytest.raises(RequestNotFound):
        world.withdrawals.withdraw(OTHER_COURT, request_id, WithdrawalReason.RETAINED_LAWYER, None)

    assert world.store.changes == []


def test_a_repeated_withdrawal_answers_the_same_and_writes_nothing_more(world: World) -> None:
    request_id = world.notice()
    first = world.withdrawals.withdraw(COURT, request_id, WithdrawalReason.RETAINED_LAWYER, None)

    again = world.withdrawals.withdraw(COURT, request_id, WithdrawalReason.RETAINED_LAWYER, None)

    assert again == first
    assert len(world.store.changes) == 1


def test_an_appointment_assigns_the_lawyer_and_queues_the_notice_to_the_agency(world: World) -> None:
    request_id = world.notice()

    assigned = world.answers.appoint(CENTRE, request_id, world.appointment(), "amqp:lac370202:m-1")

    [change] = world.store.changes
    assert (assigned.state, change.event, change.actor) == (RequestState.ASSIGNED, "assigned", CENTRE.code)
    assert change.detail == {"licence_number": LAWYER.licence_number}
    assert change.answer is not None and change.answer.kind == "appointment"
    assert [delivery.agency_code for delivery in change.deliveries] == [COURT.code]  # LAL 36: assign and inform
    assert [message.routing_key for message in change.messages] == ["request.assigned"]


def test_an_agency_without_a_callback_gets_no_delivery_and_reads_the_status() -> None:
    world = World(informs=False)
    request_id = world.notice()

    world.answers.appoint(CENTRE, request_id, world.appointment())

    assert world.store.changes[0].deliveries == ()


def test_an_answer_repeated_under_its_key_changes_nothing(world: World) -> None:
    request_id = world.notice()
    first = world.answers.appoint(CENTRE, request_id, world.appointment(), "amqp:lac370202:m-1")

    again = world.answers.appoint(CENTRE, request_id, world.appointment(minutes=5), "amqp:lac370202:m-1")

    assert again == first
    assert len(world.store.changes) == 1


def test_a_key_used_for_another_request_is_refused(world: World) -> None:
    first = world.notice()
    world.answers.appoint(CENTRE, first, world.appointment(), "amqp:lac370202:m-1")
    other = _second_notice(world)

    with pytest.raises(InvalidInput, match="another request"):
        world.answers.appoint(CENTRE, other, world.appointment(), "amqp:lac370202:m-1")

    assert len(world.store.changes) == 1


def _second_notice(world: World) -> str:
    body = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))
    body["notice_number"] += "-2"
    submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(body))
    return world.intake.accept(COURT, AgencyType.COURT, Channel.REST, submission, RawPayload("x", b"{}")).request_id


def test_a_centre_answers_only_what_was_routed_to_it(world: World) -> None:
    request_id = world.notice()
    elsewhere = Agency(
        "lac370203", "市北区法律援助中心", AgencyType.LEGAL_AID_CENTRE, Level.DISTRICT, "370203", frozenset()
    )

    with pytest.raises(RequestNotFound):
        world.answers.appoint(elsewhere, request_id, world.appointment())

    assert world.store.changes == []


def test_a_notice_cannot_be_granted_like_an_application(world: World) -> None:
    request_id = world.notice()
    decision = Decision(DecisionOutcome.GRANTED, NOW)  # LAL 43 decides applications, not notices

    with pytest.raises(IllegalTransition):
        world.answers.decide(CENTRE, request_id, decision)

    assert world.store.changes == []


def test_a_transition_the_lifecycle_refuses_writes_nothing(world: World) -> None:
    request_id = world.notice()
    world.withdrawals.withdraw(COURT, request_id, WithdrawalReason.RETAINED_LAWYER, None)

    with pytest.raises(IllegalTransition):
        world.transitions.apply(request_id, Event.ASSIGNED, Change(actor=CENTRE.code))

    assert len(world.store.changes) == 1


def test_a_concurrent_writer_makes_the_transition_read_and_decide_again(world: World) -> None:
    request_id = world.notice()
    world.store.moved_by_another[request_id] = RequestState.QUEUED  # the relay queues it before the first commit

    assigned = world.transitions.apply(request_id, Event.ASSIGNED, Change(actor=CENTRE.code))

    assert assigned.state is RequestState.ASSIGNED
    assert [change.from_state for change in world.store.changes] == [RequestState.QUEUED]


def test_the_notice_to_the_agency_carries_every_field_of_its_contract(world: World) -> None:
    request_id = world.notice()

    world.answers.appoint(CENTRE, request_id, world.appointment())

    [change] = world.store.changes
    [delivery] = change.deliveries
    key = f"{request_id}.assigned.20261125T093000000000"  # the request, the event and its time to the microsecond
    assert (delivery.agency_code, delivery.idempotency_key, delivery.event) == (COURT.code, key, "assigned")
    assert change.answer is not None
    assert delivery.body == {
        "schema": "legalaid.notice/1",
        "idempotency_key": key,
        "event": "assigned",
        "request_id": request_id,
        "kind": "notify_defense",
        "reference": "（2026）鲁0202刑初318号-通知辩护",
        "case_number": "（2026）鲁0202刑初318号",
        "centre_code": "lac370202",
        "at": "2026-11-25T09:30:00+08:00",
        "appointment": change.answer.body,
    }


def test_the_events_exchange_gets_one_message_with_a_fresh_id_per_change(world: World) -> None:
    first, second = world.notice(), _second_notice(world)

    world.withdrawals.withdraw(COURT, first, WithdrawalReason.RETAINED_LAWYER, None)
    world.withdrawals.withdraw(COURT, second, WithdrawalReason.RETAINED_LAWYER, None)

    ids = [change.messages[0].message_id for change in world.store.changes]
    assert len(set(ids)) == 2 and all(len(message_id) == 36 for message_id in ids)  # UUIDs, never reused


def test_a_withdrawal_without_a_note_for_reason_other_names_the_field(world: World) -> None:
    request_id = world.notice()

    with pytest.raises(InvalidInput) as refused:
        world.withdrawals.withdraw(COURT, request_id, WithdrawalReason.OTHER, None)

    assert str(refused.value) == "a withdrawal for reason 'other' needs a note"
    assert refused.value.errors == {"note": ["required"]}


MARKET_NORTH = Agency(
    "lac370203", "市北区法律援助中心", AgencyType.LEGAL_AID_CENTRE, Level.DISTRICT, "370203", frozenset()
)


def _application(world: World, number: str = "") -> str:
    body = json.loads(sample_path("police/application-transfers.json").read_text(encoding="utf-8"))
    body["transfer_number"] += number
    submission = application_transfer_to_submission(ApplicationTransferSchema().load(body))
    receipt = world.intake.accept(POLICE, AgencyType.POLICE, Channel.REST, submission, RawPayload("x", b"{}"))
    assert receipt.centre_code == MARKET_NORTH.code
    return receipt.request_id


@pytest.mark.parametrize(
    ("outcome", "event", "deadline"),
    [
        # LAL 43: granted on Wednesday 25 Nov, a lawyer within 3 days: Saturday 28 Nov, not moved for a detainee.
        (
            DecisionOutcome.GRANTED,
            "granted",
            (datetime(2026, 11, 28, 23, 59, 59, tzinfo=CHINA_TZ), "assign_lawyer", "LAL 43"),
        ),
        (DecisionOutcome.REFUSED, "declined", None),
    ],
)
def test_a_decision_on_an_application_sets_the_next_clock_and_is_told_as_a_decision(
    world: World, outcome: DecisionOutcome, event: str, deadline: tuple[datetime, str, str] | None
) -> None:
    request_id = _application(world)

    world.answers.decide(MARKET_NORTH, request_id, Decision(outcome, NOW, reason_code=RefusalReason.HARDSHIP_NOT_MET))

    [change] = world.store.changes
    [delivery] = change.deliveries
    assert change.deadline == deadline
    assert change.answer is not None and change.answer.kind == "decision"
    assert (delivery.agency_code, delivery.event) == (POLICE.code, event)
    assert delivery.body["decision"] == change.answer.body and "appointment" not in delivery.body


def test_transitions_say_why_they_refuse(world: World) -> None:
    request_id = world.notice()

    with pytest.raises(IllegalTransition) as absent:
        world.transitions.apply("no-such-request", Event.ASSIGNED, Change(actor=CENTRE.code))
    with pytest.raises(IllegalTransition) as refused:
        world.transitions.apply(request_id, Event.INFORMED, Change(actor=CENTRE.code))

    assert str(absent.value) == "request no-such-request does not exist"
    assert str(refused.value) == "a request that is received cannot be informed (only from: assigned)"


def test_a_request_that_keeps_changing_is_tried_three_times_then_refused(world: World) -> None:
    request_id = world.notice()
    attempts: list[StateChange] = []

    def always_loses(change: StateChange) -> None:
        attempts.append(change)
        raise StateMoved(change.request_id)  # another writer moved it between the read and the commit

    world.store._apply = always_loses  # type: ignore[method-assign]

    with pytest.raises(IllegalTransition) as refused:
        world.transitions.apply(request_id, Event.ASSIGNED, Change(actor=CENTRE.code))

    assert str(refused.value) == f"request {request_id} kept changing state; try again"
    assert len(attempts) == 3
    assert world.store.changes == [] and world.store.transactions == 1  # the intake's only


def test_a_replaced_lawyer_is_told_to_the_agency_too(world: World) -> None:
    # LAL 36 "assign and inform": the agency must learn who now defends, as it learned who first did.
    request_id = world.notice()
    world.answers.appoint(CENTRE, request_id, world.appointment())
    replacement = replace(world.appointment(minutes=60), replacement_reason=ReplacementReason.REFUSED_BY_PERSON)

    replaced = world.answers.appoint(CENTRE, request_id, replacement)

    change = world.store.changes[-1]
    assert (replaced.state, change.event) == (RequestState.ASSIGNED, "replaced")
    assert [(d.agency_code, d.event) for d in change.deliveries] == [(COURT.code, "replaced")]


@pytest.mark.parametrize(
    ("stage", "years", "refused"),
    [
        ("death_penalty_review", 2, True),
        ("death_penalty_review", 3, False),
        ("first_instance", 2, False),
    ],
)
def test_every_defendant_in_death_penalty_review_gets_a_lawyer_of_three_years_whatever_the_ground(
    world: World, stage: str, years: int, refused: bool
) -> None:
    # LAL 26: 死刑复核案件的被告人 — by the stage, though the notice names only the minor ground.
    request_id = world.notice(trial_stage=stage, grounds=["minor"])
    appointment = Appointment(replace(LAWYER, years_of_practice=years), NOW)

    if not refused:
        world.answers.appoint(CENTRE, request_id, appointment)
        assert world.store.get(request_id).state is RequestState.ASSIGNED  # type: ignore[union-attr]
        return
    with pytest.raises(InvalidInput) as refusal:
        world.answers.appoint(CENTRE, request_id, appointment)
    assert refusal.value.errors == {
        "lawyer.years_of_practice": [
            "at least 3 years of practice for a possible life or death sentence or in death-penalty review (LAL 26)"
        ]
    }
    assert world.store.get(request_id).state is RequestState.RECEIVED  # type: ignore[union-attr]


@pytest.mark.parametrize(("minutes", "refused"), [(-6, True), (-4, False), (0, False), (60, False)])
def test_an_answer_dated_before_the_request_was_received_is_refused_beyond_the_clocks_skew(
    world: World, minutes: int, refused: bool
) -> None:
    # The clocks a lawyer is appointed by (LAL 36) and an application decided by (LAL 43) start at the notice:
    # an answer dated before it is a typo. Five minutes of difference between two systems' clocks is allowed.
    notice, application = world.notice(), _application(world)
    at = NOW + timedelta(minutes=minutes)
    answers = (
        (notice, "appointed_at", lambda: world.answers.appoint(CENTRE, notice, Appointment(LAWYER, at))),
        (
            application,
            "decided_at",
            lambda: world.answers.decide(MARKET_NORTH, application, Decision(DecisionOutcome.GRANTED, at)),
        ),
    )

    for request_id, field, answer in answers:
        if not refused:
            assert answer().state is not RequestState.RECEIVED
            continue
        with pytest.raises(InvalidInput) as refusal:
            answer()
        assert refusal.value.errors == {
            field: ["before the request was received: a lawyer is appointed, or a decision made, after the notice"]
        }
        assert world.store.get(request_id).state is RequestState.RECEIVED  # type: ignore[union-attr]


CO_DEFENDANT = {"name": "王小刚", "id_number": "370202201003150513"}  # the same case, another defendant


def _co_defendant_notice(world: World, number: int, **person: str) -> str:
    body = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))
    return world.notice(
        notice_number=f"（2026）鲁0202刑初318号-通知辩护-{number}", defendant=body["defendant"] | person
    )


def test_one_lawyer_is_not_appointed_to_defend_two_co_defendants(world: World) -> None:
    # SPC interpretation of the CPL (法释〔2021〕1号) art. 43: 一名辩护人不得为两名以上的同案被告人辩护.
    first = _co_defendant_notice(world, 1)
    second = _co_defendant_notice(world, 2, **CO_DEFENDANT)
    same_person_again = _co_defendant_notice(world, 3)  # the same defendant's second notice: no conflict
    world.answers.appoint(CENTRE, first, world.appointment())

    with pytest.raises(InvalidInput) as refused:
        world.answers.appoint(CENTRE, second, world.appointment())
    world.answers.appoint(CENTRE, same_person_again, world.appointment())
    other_lawyer = Appointment(replace(LAWYER, licence_number="13702201810099999", name="赵律师"), NOW)
    world.answers.appoint(CENTRE, second, other_lawyer)

    assert refused.value.errors == {
        "lawyer.licence_number": [
            "already defends another defendant in case （2026）鲁0202刑初318号: "
            "one lawyer may not defend two co-defendants"
        ]
    }
    assert world.store.get(second).state is RequestState.ASSIGNED  # type: ignore[union-attr]


def test_a_lawyer_whose_co_defendant_notice_was_withdrawn_is_free_again(world: World) -> None:
    first = _co_defendant_notice(world, 1)
    second = _co_defendant_notice(world, 2, **CO_DEFENDANT)
    world.answers.appoint(CENTRE, first, world.appointment())
    world.withdrawals.withdraw(COURT, first, WithdrawalReason.RETAINED_LAWYER, None)

    world.answers.appoint(CENTRE, second, world.appointment())

    assert world.store.get(second).state is RequestState.ASSIGNED  # type: ignore[union-attr]
