"""The audit sequencer's pass: link until the committed backlog is gone, then a checkpoint when one is due."""

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.service.ports import ChainHead, ChainHeadMismatch, OutboxMessage
from gateway.service.sequencer import AuditSequencer

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
EVERY = timedelta(minutes=5)


@dataclass
class FakeChain:
    """The sequencer's store: `waiting` records to link, a head, and the checkpoints recorded."""

    waiting: int = 0
    count: int = 0
    checkpoint_seq: int | None = None
    checkpoint_at: datetime | None = None
    checkpoints: list[OutboxMessage] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)
    tampered: bool = False

    def link(self, batch: int = 500) -> int:
        if self.tampered:
            raise ChainHeadMismatch("the head row was changed")
        linked = min(batch, self.waiting)
        self.waiting -= linked
        self.count += linked
        self.batches.append(linked)
        return linked

    def head(self) -> ChainHead:
        head_hash = f"{self.count:064x}" if self.count else None
        return ChainHead(self.count, head_hash, self.checkpoint_seq, self.checkpoint_at)

    def record_checkpoint(self, head: ChainHead, message: OutboxMessage) -> bool:
        if head.count != self.count:
            return False
        self.checkpoint_seq, self.checkpoint_at = head.count, NOW
        self.checkpoints.append(message)
        return True


def _sequencer(chain: FakeChain, now: datetime = NOW, batch: int = 3) -> AuditSequencer:
    return AuditSequencer(chain, EVERY, batch=batch, now=lambda: now)  # type: ignore[arg-type]


def test_a_pass_links_in_batches_until_fewer_than_a_batch_remain() -> None:
    chain = FakeChain(waiting=7)

    outcome = _sequencer(chain).run_once()

    assert (outcome.linked, chain.batches, chain.waiting) == (7, [3, 3, 1], 0)


def test_the_first_checkpoint_carries_the_count_and_head_and_is_keyed_by_the_count() -> None:
    chain = FakeChain(waiting=2)

    outcome = _sequencer(chain).run_once()

    assert outcome.checkpoint is not None and outcome.checkpoint.count == 2
    [message] = chain.checkpoints
    assert (message.message_id, message.routing_key, message.exchange) == (
        "audit.checkpoint.2",
        "audit.checkpoint",
        "legalaid.events",
    )
    assert message.request_id is None  # not held behind any request's messages
    assert b'"count":2' in message.body and f'"head_hash":"{2:064x}"'.encode() in message.body


@pytest.mark.parametrize(
    ("state", "later", "expected"),
    [
        ({"count": 4, "checkpoint_seq": 4, "checkpoint_at": NOW - timedelta(hours=1)}, 0, None),  # nothing new
        ({"count": 4, "checkpoint_seq": 3, "checkpoint_at": NOW - EVERY + timedelta(seconds=1)}, 0, None),  # too soon
        ({"count": 4, "checkpoint_seq": 3, "checkpoint_at": NOW - EVERY}, 0, 4),  # exactly the interval: due
        ({"count": 4, "checkpoint_seq": 4, "checkpoint_at": NOW - EVERY}, 1, 5),  # grown and due
        ({}, 0, None),  # an empty chain has nothing to checkpoint
    ],
)
def test_a_checkpoint_is_due_when_the_chain_grew_and_the_interval_passed(
    state: dict[str, Any], later: int, expected: int | None
) -> None:
    chain = FakeChain(waiting=later, **state)

    outcome = _sequencer(chain).run_once()

    assert (outcome.checkpoint.count if outcome.checkpoint else None) == expected


def test_a_head_that_moved_between_reading_and_recording_gets_no_checkpoint() -> None:
    chain = FakeChain(count=3)
    chain.record_checkpoint = lambda head, message: False  # type: ignore[method-assign]

    assert _sequencer(chain).run_once().checkpoint is None


def test_a_changed_head_stops_linking_and_is_logged_once_while_it_lasts(caplog: pytest.LogCaptureFixture) -> None:
    chain = FakeChain(waiting=2, tampered=True)
    stop = threading.Event()
    passes = iter(range(3))
    original = chain.link

    def link(batch: int = 500) -> int:
        if next(passes, None) is None:
            stop.set()
        return original(batch)

    chain.link = link  # type: ignore[method-assign]

    _sequencer(chain).run(stop, interval=0)

    assert (chain.count, chain.waiting) == (0, 2)
    assert [record.levelname for record in caplog.records] == ["ERROR"]
    assert "the head row was changed" in caplog.records[0].getMessage()


def test_while_the_relay_drains_a_backlog_linking_waits_at_most_the_bound() -> None:
    chain = FakeChain(waiting=5)
    clock = [0.0]
    stop = threading.Event()
    seen: list[tuple[int, int]] = []  # (seconds since the start, records linked by then) at each look

    def busy() -> bool:
        clock[0] += 4
        seen.append((int(clock[0]), chain.count))
        if len(seen) == 5:
            stop.set()
        return True  # the relay's passes come back full the whole time

    sequencer = AuditSequencer(  # type: ignore[arg-type]
        chain, EVERY, batch=3, now=lambda: NOW, defer_at_most=timedelta(seconds=10), monotonic=lambda: clock[0]
    )
    sequencer.run(stop, interval=0, busy=busy)

    # Deferred at 4 and 8 s; at 12 s the last pass is more than 10 s old and it links all 5; then it waits again.
    assert seen == [(4, 0), (8, 0), (12, 0), (16, 5), (20, 5)]
    assert (chain.count, chain.waiting) == (5, 0)


def test_without_a_drain_every_pass_links() -> None:
    chain = FakeChain(waiting=2)
    stop = threading.Event()
    looks = []

    def busy() -> bool:
        looks.append(chain.count)
        if len(looks) == 2:
            stop.set()
        return False

    _sequencer(chain).run(stop, interval=0, busy=busy)

    assert looks == [0, 2]  # linked at the first pass, with no wait
