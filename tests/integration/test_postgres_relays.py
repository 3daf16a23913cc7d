"""On PostgreSQL the same code runs, and several relays share the outbox without sending a row twice."""

import base64
import copy
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.security.data_keys import DataKeyRing
from gateway.service.messages import REQUESTS_EXCHANGE
from gateway.service.ports import OutboxMessage
from gateway.store.engine import make_engine
from gateway.store.migrate import prepare_store
from gateway.store.outbox import SqlOutbox, add_to_outbox, mark_sent_statements
from gateway.store.tables import in_states, outbox
from tests.support.broker import drain_queue
from tests.support.gateway import (
    EXAMPLE_POSTS,
    LiveGateway,
    created_ids,
    example,
    running_gateway,
    running_relay,
    wait_for,
)
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_gateway(tmp_path: Path, amqp_url: str) -> Iterator[LiveGateway]:
    with fresh_database() as url, running_gateway(tmp_path, amqp_url, database_url=url) as running:
        yield running


def _post_many(gateway: LiveGateway, rounds: int) -> set[str]:
    accepted = set()
    for n in range(rounds):
        for folder, file_name, path, code in EXAMPLE_POSTS:
            body = copy.deepcopy(example(folder, file_name))
            for key in ("notice_number", "document_number", "transfer_number", "request_number"):
                if key in body:
                    body[key] = f"{body[key]}-{n}"
            response = gateway.post(path, code, body)
            assert response.status_code == 202, response.text
            accepted.update(created_ids(response.json()))
    return accepted


def test_two_relays_claim_disjoint_rows(pg_gateway: LiveGateway) -> None:
    accepted = _post_many(pg_gateway, 4)
    outbox = pg_gateway.services.outbox
    first_holds_its_rows = threading.Event()
    release_first = threading.Event()
    claimed: dict[str, list[str]] = {"first": [], "second": []}

    def first(message: OutboxMessage) -> None:
        claimed["first"].append(message.message_id)
        first_holds_its_rows.set()
        release_first.wait(10)

    thread = threading.Thread(target=outbox.process_batch, args=(5, first))
    thread.start()
    assert first_holds_its_rows.wait(10)
    # While the first relay holds its batch locked, the second claims the rest.
    outbox.process_batch(100, lambda message: claimed["second"].append(message.message_id))
    release_first.set()
    thread.join(10)

    assert len(claimed["first"]) == 5
    assert not set(claimed["first"]) & set(claimed["second"])
    assert set(claimed["first"]) | set(claimed["second"]) == accepted
    assert outbox.pending_count() == 0


def test_every_notice_reaches_the_queue_once_with_two_relays_on_postgresql(
    pg_gateway: LiveGateway, amqp_url: str
) -> None:
    accepted = _post_many(pg_gateway, 10)
    with running_relay(pg_gateway.services, amqp_url), running_relay(pg_gateway.services, amqp_url):
        wait_for(lambda: pg_gateway.services.outbox.pending_count() == 0, timeout=30)
    ids = Counter(properties.message_id for _, properties, _ in drain_queue(amqp_url, ASSIGNMENT_QUEUE))
    assert ids == Counter(list(accepted))


def test_resend_and_conflict_behave_the_same_on_postgresql(pg_gateway: LiveGateway) -> None:
    notice = example("court", "defense-notices.json")
    first = pg_gateway.post("/api/v1/court/defense-notices", "court-370202", notice)
    again = pg_gateway.post("/api/v1/court/defense-notices", "court-370202", notice)
    notice["charges"] = ["抢劫罪"]
    conflict = pg_gateway.post("/api/v1/court/defense-notices", "court-370202", notice)

    assert (first.status_code, again.status_code, conflict.status_code) == (202, 200, 409)
    assert again.json()["id"] == first.json()["id"]
    assert pg_gateway.row_counts()["requests"] == 1


def _confirmed_rows_stay_sent_when_the_broker_drops(gateway: LiveGateway) -> None:
    accepted = _post_many(gateway, 1)
    published: list[str] = []

    def publish_two_then_lose_the_broker(message: OutboxMessage) -> None:
        if len(published) == 2:
            raise ConnectionError("broker went away")
        published.append(message.message_id)

    with pytest.raises(ConnectionError):
        gateway.services.outbox.process_batch(100, publish_two_then_lose_the_broker)
    assert gateway.services.outbox.pending_count() == len(accepted) - 2
    assert {gateway.services.requests.get(i).state.value for i in published} == {"queued"}  # type: ignore[union-attr]


def test_rows_confirmed_before_the_broker_drops_stay_sent_on_postgresql(pg_gateway: LiveGateway) -> None:
    _confirmed_rows_stay_sent_when_the_broker_drops(pg_gateway)


def test_rows_confirmed_before_the_broker_drops_stay_sent_on_sqlite(gateway: LiveGateway) -> None:
    _confirmed_rows_stay_sent_when_the_broker_drops(gateway)


def test_the_relays_move_to_queued_is_written_in_place_on_postgresql(pg_gateway: LiveGateway) -> None:
    """Received → queued changes no indexed value (the indexes read the phase) and the fillfactor leaves the page
    room: PostgreSQL updates each request in place (HOT), adding no index entries, in the relay's marks."""
    accepted = _post_many(pg_gateway, 3)
    (marks,) = mark_sent_statements(postgresql=True)
    now = datetime.now(UTC)
    with pg_gateway.services.engine.begin() as conn:
        ids = list(conn.scalars(sa.select(outbox.c.id).where(outbox.c.sent_at.is_(None))))
        conn.execute(marks, {"ids": ids, "now": now, "queued_at": now})
        updated, in_place = conn.execute(
            sa.text("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'requests'")
        ).one()
        queued = conn.scalar(sa.select(sa.func.count()).where(in_states(["queued"])))

    assert updated == len(accepted) == queued
    assert in_place == updated


def test_a_pass_leaves_out_the_rows_of_the_relays_open_passes_by_their_locks_alone() -> None:
    """The relay names no rows in flight to the claim on PostgreSQL: its open passes' locks keep them out, and a
    request's later message waits while its earlier one is in flight (the order the relay keeps)."""
    keys = DataKeyRing.parse("k1:" + base64.b64encode(bytes(32)).decode())
    rows = [("r1-first", "r1"), ("r1-later", "r1"), ("r2-first", "r2"), ("bare", None)]
    with fresh_database() as url:
        engine = make_engine(url)
        prepare_store(engine, True)
        messages = [OutboxMessage(m, REQUESTS_EXCHANGE, "k", b"{}", {}, request_id=r) for m, r in rows]
        with engine.begin() as conn:
            add_to_outbox(conn, messages, datetime.now(UTC), keys)
        outbox = SqlOutbox(engine, keys)

        in_flight = outbox.claim(1)
        second = outbox.claim(10)
        third = outbox.claim(10)
        firsts = [m.message_id for m in in_flight.messages]
        seconds = [m.message_id for m in second.messages]
        thirds = [m.message_id for m in third.messages]
        for claim in (in_flight, second, third):
            claim.release()
        engine.dispose()

    assert firsts == ["r1-first"]
    assert seconds == ["r2-first", "bare"]  # not r1-later: r1's first message is unsent, in flight
    assert thirds == []
