"""The relay keeps two passes in flight (the next claimed and sent while the broker confirms the last) without
ever sending a request's later message before its earlier one is confirmed, and keeps what was confirmed of a
pass in flight when the link is cut."""

import base64
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy.exc

from gateway.messaging.publisher import ConfirmedPublisher
from gateway.messaging.relay import Backoff, Relay
from gateway.security.data_keys import DataKeyRing
from gateway.service.messages import REQUESTS_EXCHANGE
from gateway.service.ports import Confirmations, OutboxMessage
from gateway.store.engine import make_engine
from gateway.store.migrate import prepare_store
from gateway.store.outbox import Claim, SqlOutbox, add_to_outbox

KEYS = DataKeyRing.parse("k1:" + base64.b64encode(bytes(32)).decode())


class Cut(ConnectionError):
    """The link to the broker went away."""


class PassRecorder:
    """A broker that confirms a pass when asked for its confirmations; it records what was in flight, and
    can cut the link while a chosen pass's confirms are awaited (after confirming `confirmed_before_cut` of it)."""

    def __init__(self, cut_at_pass: int | None = None, confirmed_before_cut: int = 0) -> None:
        self.passes: dict[int, list[str]] = {}
        self.events: list[tuple[str, int]] = []  # ("sent" | "confirmed", pass)
        self.most_in_flight = 0
        self._in_flight: set[int] = set()
        self._cut_at, self._before_cut = cut_at_pass, confirmed_before_cut
        self.blocked = False

    def connect(self) -> None:
        """Nothing to open."""

    def close(self) -> None:
        """Nothing to close."""

    def sleep(self, seconds: float) -> None:
        """Nothing to service."""

    def send(self, messages: list[OutboxMessage]) -> int:
        ticket = len(self.passes) + 1
        self.passes[ticket] = [message.message_id for message in messages]
        self._in_flight.add(ticket)
        self.most_in_flight = max(self.most_in_flight, len(self._in_flight))
        self.events.append(("sent", ticket))
        return ticket

    def confirmations(self, ticket: int) -> Confirmations:
        self._in_flight.discard(ticket)
        self.events.append(("confirmed", ticket))
        if ticket == self._cut_at:
            self._cut_at = None
            return Confirmations(confirmed=self.passes[ticket][: self._before_cut], interrupted=Cut("link cut"))
        return Confirmations(confirmed=list(self.passes[ticket]))


def _outbox(tmp_path: Path, messages: list[tuple[str, str | None]]) -> SqlOutbox:
    engine = make_engine(f"sqlite:///{tmp_path}/outbox.sqlite3")
    prepare_store(engine, True)
    rows = [
        OutboxMessage(message_id, REQUESTS_EXCHANGE, "notify_defense.lac370202", b"{}", {}, request_id=request_id)
        for message_id, request_id in messages
    ]
    with engine.begin() as conn:
        add_to_outbox(conn, rows, datetime.now(UTC), KEYS)
    return SqlOutbox(engine, KEYS)


def _run_until_sent(
    outbox: SqlOutbox,
    broker: Any,
    batch_size: int,
    idle_interval: float = 0.01,
    doorbell: Any = None,
    settled: Callable[[], bool] = lambda: True,
) -> None:
    relay = Relay(
        outbox,
        lambda: cast(ConfirmedPublisher, broker),
        batch_size=batch_size,
        idle_interval=idle_interval,
        backoff=Backoff(initial=0.01, maximum=0.02),
        doorbell=doorbell,
    )
    _drained_by(relay, outbox, settled)


def _drained_by(relay: Relay, outbox: SqlOutbox, settled: Callable[[], bool] = lambda: True) -> None:
    """Run `relay` until the outbox is empty and `settled` holds (5 s at most), then stop it."""
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop,))
    worker.start()
    try:
        for _ in range(500):
            if outbox.pending_count() == 0 and settled():
                break
            time.sleep(0.01)
    finally:
        stop.set()
        worker.join(10)
    assert outbox.pending_count() == 0


def _pass_of(broker: PassRecorder, message_id: str) -> list[int]:
    return [ticket for ticket, ids in broker.passes.items() if message_id in ids]


def test_two_passes_are_in_flight_and_each_message_is_sent_once(tmp_path: Path) -> None:
    outbox = _outbox(tmp_path, [(f"m{n}", f"r{n}") for n in range(10)])
    broker = PassRecorder()

    _run_until_sent(outbox, broker, batch_size=3)

    sent = [message_id for ids in broker.passes.values() for message_id in ids]
    assert sorted(sent) == sorted(f"m{n}" for n in range(10))  # once each
    assert broker.most_in_flight == 2  # the next pass went out before the last was confirmed


def test_a_requests_later_message_waits_for_the_earlier_ones_confirm(tmp_path: Path) -> None:
    # r1's withdrawal (m1b) is in the table right behind its notice (m1a): ready, but it must wait.
    outbox = _outbox(tmp_path, [("m1a", "r1"), ("m2", "r2"), ("m1b", "r1"), ("m3", "r3"), ("m4", "r4")])
    broker = PassRecorder()

    _run_until_sent(outbox, broker, batch_size=2)

    [earlier], [later] = _pass_of(broker, "m1a"), _pass_of(broker, "m1b")
    assert broker.events.index(("sent", later)) > broker.events.index(("confirmed", earlier))


def test_a_cut_link_keeps_what_was_confirmed_and_sends_only_the_rest_again(tmp_path: Path) -> None:
    outbox = _outbox(tmp_path, [(f"m{n}", f"r{n}") for n in range(6)])
    broker = PassRecorder(cut_at_pass=1, confirmed_before_cut=1)  # pass 2 is in flight when pass 1's link is cut

    _run_until_sent(outbox, broker, batch_size=2)

    sent = [message_id for ids in broker.passes.values() for message_id in ids]
    first = broker.passes[1]
    assert sent.count(first[0]) == 1  # confirmed before the cut: marked, never sent again
    assert sent.count(first[1]) == 2  # unconfirmed: sent again under the same message id
    assert all(sent.count(message_id) == 1 for message_id in broker.passes[2])  # the pass in flight was kept


def _slow_marks(
    monkeypatch: pytest.MonkeyPatch, broker: PassRecorder, seconds: float, fail_first: bool = False
) -> list[list[int]]:
    """The store takes `seconds` to mark each pass (and, with `fail_first`, loses its connection on the first);
    each pass marked is a ("marked", pass) event of the broker's. The ids of every pass whose marks were started."""
    started: list[list[int]] = []
    record = Claim.record

    def slow(claim: Claim, said: Confirmations) -> Any:
        started.append(list(claim.ids))
        time.sleep(seconds)
        if fail_first and len(started) == 1:
            claim.release()
            raise sqlalchemy.exc.OperationalError("UPDATE outbox", {}, Exception("the store went away"))
        result = record(claim, said)
        ids = {message.message_id for message in claim.messages}
        broker.events.append(("marked", next(t for t, sent in broker.passes.items() if set(sent) == ids)))
        return result

    monkeypatch.setattr(Claim, "record", slow)
    return started


class SilentBell:
    """A doorbell that never rings; what was still pending each time the relay waited on it."""

    def __init__(self, outbox: SqlOutbox) -> None:
        self._outbox = outbox
        self.pending_at_waits: list[int] = []

    def listen(self) -> None:
        """Nothing to listen on."""

    def wait(self, seconds: float, stop: threading.Event | None = None) -> None:
        self.pending_at_waits.append(self._outbox.pending_count())
        (stop or threading.Event()).wait(min(seconds, 0.05))

    def close(self) -> None:
        """Nothing to close."""


def test_a_pass_being_marked_is_not_claimed_again_and_order_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The marks run on a thread of their own; slow ones leave their rows unsent (SQLite holds no row locks) while
    # the relay claims its next passes.
    outbox = _outbox(tmp_path, [("m1a", "r1"), ("m2", "r2"), ("m1b", "r1"), *((f"m{n}", f"r{n}") for n in range(3, 9))])
    broker = PassRecorder()
    _slow_marks(monkeypatch, broker, 0.05)

    _run_until_sent(outbox, broker, batch_size=2)

    sent = [message_id for ids in broker.passes.values() for message_id in ids]
    assert sorted(sent) == sorted(["m1a", "m1b", "m2", *(f"m{n}" for n in range(3, 9))])  # once each
    [earlier], [later] = _pass_of(broker, "m1a"), _pass_of(broker, "m1b")
    assert broker.events.index(("sent", later)) > broker.events.index(("marked", earlier))


def test_a_requests_later_message_goes_out_once_the_earlier_is_marked_without_waiting_for_the_bell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A transition's event and its message to the centre, committed together: one bell for both rows.
    outbox = _outbox(tmp_path, [("m1a", "r1"), ("m1b", "r1")])
    broker = PassRecorder()
    _slow_marks(monkeypatch, broker, 0.05)
    bell = SilentBell(outbox)

    # Stopped once it has waited on the bell at least once: the drain alone can end before its first wait.
    _run_until_sent(outbox, broker, 10, idle_interval=5.0, doorbell=bell, settled=lambda: bool(bell.pending_at_waits))

    assert bell.pending_at_waits and not any(bell.pending_at_waits)  # it never waited while a message was due


def test_a_pass_the_store_could_not_mark_is_sent_again_under_the_same_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = _outbox(tmp_path, [(f"m{n}", f"r{n}") for n in range(6)])
    broker = PassRecorder()
    started = _slow_marks(monkeypatch, broker, 0.01, fail_first=True)

    _run_until_sent(outbox, broker, batch_size=2)

    sent = [message_id for ids in broker.passes.values() for message_id in ids]
    lost = broker.passes[1]  # confirmed by the broker, but its marks failed: pending, so published again
    assert len(started) >= 4 and all(sent.count(message_id) == 2 for message_id in lost)
    # The pass handed over when the failure came back is still recorded: its messages go out once.
    assert all(sent.count(message_id) == 1 for message_id in {f"m{n}" for n in range(6)} - set(lost))


def test_the_relay_says_it_is_draining_while_its_passes_come_back_full(tmp_path: Path) -> None:
    outbox = _outbox(tmp_path, [(f"m{n}", f"r{n}") for n in range(7)])
    broker = PassRecorder()
    relay = Relay(outbox, lambda: cast(ConfirmedPublisher, broker), batch_size=3, idle_interval=0.01)
    said: list[tuple[int, bool]] = []
    send = broker.send

    def sending(messages: list[OutboxMessage]) -> int:
        said.append((len(messages), relay.draining()))
        return send(messages)

    broker.send = sending  # type: ignore[method-assign]

    _drained_by(relay, outbox)

    assert said == [(3, True), (3, True), (1, False)]  # the audit sequencer waits during the first two
    assert not relay.draining()


def test_on_sqlite_two_passes_in_flight_fit_an_old_sqlites_999_variables(tmp_path: Path) -> None:
    outbox = _outbox(tmp_path, [(f"m{n}", f"r{n}") for n in range(1200)])

    @sqlalchemy.event.listens_for(outbox._engine, "connect")
    def _old_limit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)  # SQLite before 3.32

    outbox._engine.dispose()  # connections made from here on have the old limit
    first = outbox.claim(500).ids
    in_flight = first + outbox.claim(500, besides=first).ids

    claim = outbox.claim(500, besides=in_flight)  # 1,000 rows in flight, as with two passes of 500

    assert len(in_flight) == 1000
    assert len(claim.ids) == 200 and not set(claim.ids) & set(in_flight)
