"""The workers' use cases on fakes, in milliseconds, with no store or broker: the deadline warnings, the
deliveries back to the agencies, the retention of original messages."""

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from gateway.domain.enums import ReplacementReason, RequestState
from gateway.service.deadlines import DeadlineWatcher
from gateway.service.delivery import Deliverer, RetryPolicy
from gateway.service.lease import Lease
from gateway.service.ports import DELIVERED, FAILED, Callback, Delivery, NewDelivery
from gateway.service.retention import PURGE_BATCH, Retention
from tests.unit.fakes import FakeDeadlines, FakeDeliveries, FakeDirectory, FakeLeases, FakeNotifier, FakeRetention
from tests.unit.test_intake import COURT
from tests.unit.test_state_changes import CENTRE, NOW, World

LEAD = timedelta(hours=12)


@pytest.fixture
def world() -> World:
    return World()


# --- deadline warnings on legalaid.events --------------------------------------------------------------------


def test_a_deadline_past_is_warned_as_missed_once_and_never_as_at_risk_after(world: World) -> None:
    request_id = world.notice()
    stored = world.store.get(request_id)
    assert stored is not None
    deadlines = FakeDeadlines(world.store)
    watcher = DeadlineWatcher(deadlines, world.store, world.clock, LEAD)
    world.clock.current = stored.due_at + timedelta(minutes=1)  # LAL 36: the 3 days to assign have run

    first, second = watcher.run_once(), watcher.run_once()

    assert (first.missed, first.at_risk, second.missed, second.at_risk) == (1, 0, 0, 0)
    [warning] = world.store.warnings
    message = warning.message
    due = stored.due_at.strftime("%Y%m%dT%H%M%S")
    assert (message.routing_key, message.message_id) == ("deadline.missed", f"{request_id}.deadline.missed.{due}")
    body = json.loads(message.body)
    assert (body["request_id"], body["state"], body["basis"]) == (request_id, "received", stored.deadline_basis)
    assert body["due_at"] == stored.due_at.astimezone(NOW.tzinfo).isoformat()


def test_a_warning_for_a_due_time_the_request_no_longer_has_is_not_written(world: World) -> None:
    request_id = world.notice()
    stored = world.store.get(request_id)
    assert stored is not None
    watcher = DeadlineWatcher(FakeDeadlines(world.store), world.store, world.clock, LEAD)
    world.clock.current = stored.due_at + timedelta(minutes=1)
    later = stored.due_at + timedelta(days=7)  # LAL 43: a grant gives a new deadline between the read and the write
    world.store.stored[request_id] = replace(stored, due_at=later)

    assert watcher._warn(stored, "missed") is False
    assert world.store.warnings == [] and world.store.outbox[-1].routing_key != "deadline.missed"


def test_a_deadline_within_the_lead_is_at_risk_and_one_beyond_it_is_not_yet(world: World) -> None:
    request_id = world.notice()
    stored = world.store.get(request_id)
    assert stored is not None
    deadlines = FakeDeadlines(world.store)
    watcher = DeadlineWatcher(deadlines, world.store, world.clock, LEAD)

    world.clock.current = stored.due_at - LEAD - timedelta(minutes=1)
    early = watcher.run_once()
    world.clock.current = stored.due_at - LEAD + timedelta(minutes=1)
    within = watcher.run_once()

    assert (early.at_risk, within.at_risk, within.missed) == (0, 1, 0)
    assert [w.message.routing_key for w in world.store.warnings] == ["deadline.at_risk"]


def test_a_request_whose_clock_stopped_is_not_warned(world: World) -> None:
    request_id = world.notice()
    world.answers.appoint(CENTRE, request_id, world.appointment())
    stored = world.store.get(request_id)
    assert stored is not None and stored.state is RequestState.ASSIGNED
    deadlines = FakeDeadlines(world.store)  # assigned and informed: the clock of LAL 36 is met
    world.clock.current = stored.due_at + timedelta(days=1)

    assert DeadlineWatcher(deadlines, world.store, world.clock, LEAD).run_once().missed == 0


def test_a_pass_applies_the_sweeps_and_counts_what_they_did(world: World) -> None:
    swept: list[bool] = []
    watcher = DeadlineWatcher(
        FakeDeadlines(world.store), world.store, world.clock, LEAD, sweeps=(lambda: swept.append(True) or 2,)
    )

    assert watcher.run_once().deemed_withdrawn == 2
    assert swept == [True]


def test_only_the_holder_of_the_lease_makes_passes_and_a_clean_stop_gives_it_up(world: World) -> None:
    leases = FakeLeases()
    first = DeadlineWatcher(FakeDeadlines(world.store), world.store, world.clock, LEAD, leases)
    second = DeadlineWatcher(FakeDeadlines(world.store), world.store, world.clock, LEAD, leases)

    assert (first.holds_lease(60), second.holds_lease(60)) == (True, False)
    Lease(leases, "deadlines").release()  # another holder's release changes nothing
    assert second.holds_lease(60) is False


# --- deliveries back to the agency (LAL 36: assign and inform) ----------------------------------------------

WEBHOOK = Callback(kind="webhook", url="https://court.example/notices", secret="s")


class Desk:
    """A world with a delivery worker on fakes: the court has a webhook, the notifier answers as told."""

    def __init__(self, world: World, attempts: int = 3) -> None:
        self.world = world
        self.queue = FakeDeliveries()
        self.notifier = FakeNotifier(world.clock)
        directory = FakeDirectory({COURT.code: COURT}, {COURT.code: WEBHOOK})
        policy = RetryPolicy(first=timedelta(seconds=10), maximum=timedelta(minutes=1), max_attempts=attempts)
        self.worker = Deliverer(self.queue, directory, world.transitions, self.notifier, world.clock, policy)

    def appointed(self, number: str = "（2026）鲁0202刑初1号") -> str:
        """A court notice, appointed: its notice to the court queued as the store would have it."""
        request_id = self.world.notice(notice_number=number)
        self.world.answers.appoint(CENTRE, request_id, self.world.appointment())
        self.queue_all()
        return request_id

    def queue_all(self) -> None:
        for new in self.world.store.deliveries[len(self.queue.known) :]:
            self.queue.add(_delivery(len(self.queue.known) + 1, new))


def _delivery(number: int, new: NewDelivery) -> Delivery:
    return Delivery(
        id=number,
        request_id=new.body["request_id"],
        agency_code=new.agency_code,
        idempotency_key=new.idempotency_key,
        event=new.event,
        body=new.body,
        state="pending",
        attempts=0,
        next_attempt_at=NOW,
        last_error=None,
    )


def test_an_appointment_delivered_marks_the_request_informed(world: World) -> None:
    desk = Desk(world)
    request_id = desk.appointed()

    assert desk.worker.run_once() == 1

    [(callback, agency_type, delivery)] = desk.notifier.sent
    assert (callback, agency_type, delivery.event) == (WEBHOOK, COURT.type, "assigned")
    assert world.store.get(request_id).state is RequestState.INFORMED  # type: ignore[union-attr]
    assert world.store.changes[-1].detail == {"notice": delivery.idempotency_key}


def test_a_failed_attempt_is_retried_by_the_policy_and_the_request_stays_assigned(world: World) -> None:
    desk = Desk(world)
    request_id = desk.appointed()
    desk.notifier.outcomes = [FAILED]

    desk.worker.run_once()

    [(_delivery_tried, attempt, retry_at)] = desk.queue.attempts
    assert attempt.outcome == FAILED and retry_at is not None
    assert NOW + timedelta(seconds=5) <= retry_at <= NOW + timedelta(seconds=10)  # first retry: 10 s with jitter
    assert world.store.get(request_id).state is RequestState.ASSIGNED  # type: ignore[union-attr]


def test_a_notice_is_parked_after_the_last_attempt_the_policy_allows(world: World) -> None:
    desk = Desk(world, attempts=1)
    desk.appointed()
    desk.notifier.outcomes = [FAILED]

    desk.worker.run_once()

    assert [d.event for d in desk.queue.parked] == ["assigned"]


def test_a_notifier_that_breaks_records_a_failed_attempt_and_the_next_notice_still_goes(world: World) -> None:
    desk = Desk(world)
    first, second = desk.appointed(), desk.appointed("（2026）鲁0202刑初2号")
    desk.notifier.outcomes = [RuntimeError("the callback's WSDL could not be read"), DELIVERED]

    assert desk.worker.run_once() == 2

    errors = [attempt.error for _d, attempt, _r in desk.queue.attempts]
    assert errors[0] == "RuntimeError: the callback's WSDL could not be read" and errors[1] is None
    assert world.store.get(first).state is RequestState.ASSIGNED  # type: ignore[union-attr]
    assert world.store.get(second).state is RequestState.INFORMED  # type: ignore[union-attr]


def test_an_agency_without_a_callback_any_more_gets_a_failed_attempt_and_nothing_is_sent(world: World) -> None:
    desk = Desk(world)
    desk.appointed()
    desk.worker = Deliverer(
        desk.queue, FakeDirectory({COURT.code: COURT}), world.transitions, desk.notifier, world.clock
    )

    desk.worker.run_once()

    [(_d, attempt, _r)] = desk.queue.attempts
    assert (attempt.outcome, attempt.error, desk.notifier.sent) == (
        FAILED,
        "the agency has no callback any more",
        [],
    )


def test_an_appointment_replaced_before_its_notice_went_out_does_not_mark_the_request_informed(world: World) -> None:
    desk = Desk(world)
    request_id = desk.appointed()
    replacement = replace(world.appointment(minutes=5), replacement_reason=ReplacementReason.LAWYER_UNAVAILABLE)
    world.answers.appoint(CENTRE, request_id, replacement)
    desk.queue_all()  # the replacement's notice is queued behind the first
    desk.notifier.outcomes = [DELIVERED, FAILED]

    desk.worker.run_once()

    assert world.store.get(request_id).state is RequestState.ASSIGNED  # type: ignore[union-attr]


# --- retention of original messages --------------------------------------------------------------------------


def test_a_run_purges_the_originals_older_than_the_period_and_counts_the_held(world: World) -> None:
    store = FakeRetention(
        received={"old": NOW - timedelta(days=31), "held": NOW - timedelta(days=40), "new": NOW - timedelta(days=29)}
    )
    retention = Retention(store, world.clock, days=30)
    retention.set_hold("held", "  诉讼中  ", "supervisor")

    result = retention.run()

    assert (result.cutoff, result.purged, result.held, result.dry_run) == (NOW - timedelta(days=30), 1, 1, False)
    assert set(store.purged) == {"old"}
    assert store.hold("held").reason == "诉讼中"  # type: ignore[union-attr]


def test_a_dry_run_counts_and_purges_nothing(world: World) -> None:
    store = FakeRetention(received={"old": NOW - timedelta(days=31)})

    result = Retention(store, world.clock, days=30).run(dry_run=True)

    assert (result.purged, result.dry_run, store.purged, store.purge_calls) == (1, True, {}, [])


def test_a_long_backlog_is_purged_in_batches(world: World) -> None:
    store = FakeRetention(received={f"r{n}": NOW - timedelta(days=60, seconds=n) for n in range(PURGE_BATCH + 3)})

    result = Retention(store, world.clock, days=30).run()

    assert result.purged == PURGE_BATCH + 3
    assert [len(batch) for batch in store.purge_calls] == [PURGE_BATCH, 3]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_legal_hold_needs_a_reason(world: World, reason: str) -> None:
    store = FakeRetention(received={"r": NOW})

    with pytest.raises(ValueError, match="needs a reason"):
        Retention(store, world.clock, days=30).set_hold("r", reason, "supervisor")

    assert store.holds == {}


def test_a_retention_period_under_a_day_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        Retention(FakeRetention(), world.clock, days=0)


def test_the_dates_a_run_uses_are_the_clocks(world: World) -> None:
    world.clock.current = datetime(2027, 3, 1, 9, 0, tzinfo=NOW.tzinfo)
    store = FakeRetention(received={"r": datetime(2027, 1, 30, 8, 59, tzinfo=NOW.tzinfo)})

    Retention(store, world.clock, days=30).run()

    assert store.purged == {"r": world.clock.current}
