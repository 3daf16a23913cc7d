"""Personal data at rest: sealed in the store (SQLite and PostgreSQL), clear where it is read, keys rotated."""

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES
from gateway.app import create_app
from gateway.bootstrap import Services, build_services
from gateway.config import Settings
from gateway.domain.model import Appointment, Lawyer
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.security.data_keys import UnreadableData, new_data_key
from gateway.service.ports import OutboxMessage
from gateway.store.console import InboxFilter
from gateway.store.rekey import CLEAR, DataRekeying
from gateway.store.sealed import open_outbox_body
from gateway.store.tables import (
    documents,
    inbound_payloads,
    metadata,
    outbox,
    outbox_bodies,
    request_bodies,
    requests,
)
from tests.support.broker import drain_queue
from tests.support.gateway import EXAMPLE_POSTS, created_ids, example, running_gateway, running_relay, wait_for
from tests.support.personal_data import LeakMatcher, people_in_examples
from tests.support.postgres import fresh_database

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

OLD, NEW = f"old:{new_data_key()}", f"new:{new_data_key()}"
SEALED_TABLES = ("request_bodies", "inbound_payloads", "outbox_bodies")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.sqlite3"
    else:
        with fresh_database() as url:
            yield url


def _services(database_url: str, data_keys: str) -> Services:
    return build_services(Settings(database_url=database_url, data_keys=data_keys))


def _client(services: Services) -> tuple[FlaskClient, dict[str, str]]:
    """A test client of the gateway, and the agencies' keys (registered on first use, new keys after)."""
    registered = {found.code for found in services.agencies.list()}
    keys = {}
    for demo in (*DEMO_AGENCIES, *DEMO_CENTRES):
        code = demo.agency.code
        keys[code] = services.agencies.rotate_key(code) if code in registered else services.agencies.add(demo.agency)
    return create_app(services=services).test_client(), keys


def _post_examples(
    services: Services, suffix: str = "", client: tuple[FlaskClient, dict[str, str]] | None = None
) -> dict[str, dict[str, Any]]:
    """Post every sample message (its reference made unique by `suffix`); gateway id -> the body sent."""
    client, keys = client or _client(services)
    posted = {}
    for folder, file_name, path, code in EXAMPLE_POSTS:
        body = example(folder, file_name)
        reference_field = next(name for name in body if name.endswith("_number") and name != "case_number")
        body[reference_field] += suffix
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {keys[code]}"})
        assert response.status_code == 202, response.get_json()
        posted |= dict.fromkeys(created_ids(response.get_json()), body)
    return posted


def _stored_text(services: Services, database_url: str, tmp_path: Path) -> str:
    """Everything the store holds, as text: the SQLite files' bytes, or every PostgreSQL row cast to text."""
    if database_url.startswith("sqlite"):
        services.engine.dispose()
        files = sorted(tmp_path.glob("store.sqlite3*"))
        return "".join(path.read_bytes().decode("utf-8", errors="replace") for path in files)
    with services.engine.connect() as conn:
        return "\n".join(
            text
            for table in metadata.sorted_tables
            for text in conn.scalars(sa.text(f"SELECT CAST(t AS text) FROM {table.name} AS t"))
        )


def _key_usage(services: Services) -> dict[str, dict[str, int]]:
    return DataRekeying(services.engine, services.data_keys, services.settings.id_hash_key.encode()).key_usage()


def _rotate(services: Services, batch_size: int = 2) -> dict[str, int]:
    rekeying = DataRekeying(services.engine, services.data_keys, services.settings.id_hash_key.encode())
    return rekeying.rotate(batch_size)


def _found_by_person(services: Services, text: str) -> set[str]:
    rows = services.console.cases(InboxFilter(centre_code=None, states=(), person=text))
    return {row.request.id for row in rows}


def _unsent_bodies(services: Services) -> dict[str, bytes]:
    bodies: dict[str, bytes] = {}

    def collect(message: OutboxMessage) -> None:
        bodies[message.message_id] = message.body

    services.outbox.process_batch(100, collect)
    return bodies


def test_the_store_holds_no_name_or_id_number_in_clear_yet_every_reader_sees_them(
    database_url: str, tmp_path: Path, amqp_url: str
) -> None:
    matcher = LeakMatcher(people_in_examples())
    with running_gateway(tmp_path, amqp_url, database_url=database_url) as gateway:
        posted = {}
        for folder, file_name, path, code in EXAMPLE_POSTS:
            response = gateway.post(path, code, example(folder, file_name))
            assert response.status_code == 202, response.text
            posted |= dict.fromkeys(created_ids(response.json()), (code, response.request.body))
        with running_relay(gateway.services, amqp_url):
            wait_for(lambda: gateway.services.outbox.pending_count() == 0, what="outbox drained")
        services = gateway.services
        for request_id, (code, sent) in posted.items():
            status = gateway.get(f"/api/v1/requests/{request_id}", code)
            assert status.status_code == 200 and status.json()["id"] == request_id
            assert services.requests.raw_payload(request_id).body == sent  # type: ignore[union-attr]
            case = services.console.case(request_id)
            assert case is not None and case.canonical["person"]["name"] in people_in_examples()
        on_the_bus = b"".join(body for _, _, body in drain_queue(amqp_url, ASSIGNMENT_QUEUE)).decode()
        stored = _stored_text(services, database_url, tmp_path)

    assert len(matcher.find(on_the_bus)) >= 2 * len(posted)  # the centre reads names and ID numbers in clear
    assert len(stored) > 10_000
    assert matcher.find(stored) == []
    assert "王小明".encode().hex() not in stored  # not hex-encoded either (PostgreSQL shows bytea as hex)
    assert b"370202201003150310".hex() not in stored


def test_rows_sealed_under_an_old_key_read_after_a_new_key_and_rotation_frees_the_old_key(database_url: str) -> None:
    before = _services(database_url, OLD)
    posted = _post_examples(before)
    appointed = _appoint_one(before, posted)
    before.engine.dispose()

    with_old_key = _services(database_url, f"{NEW},{OLD}")
    assert {row.request.id for row in with_old_key.console.cases(InboxFilter(None, ()))} == set(posted)
    assert all(with_old_key.requests.raw_payload(request_id) for request_id in posted)
    assert _key_usage(with_old_key) == _all_under("old", _counts(with_old_key))
    without_old_key = _services(database_url, NEW)
    with pytest.raises(UnreadableData, match="'old'"):
        without_old_key.requests.canonical_body(next(iter(posted)))
    without_old_key.engine.dispose()

    moved = _rotate(with_old_key)
    again = _rotate(with_old_key)
    with_old_key.engine.dispose()

    after = _services(database_url, NEW)
    assert moved == _counts(after) and set(again.values()) == {0}
    assert _key_usage(after) == _all_under("new", _counts(after))
    for request_id, sent in posted.items():
        canonical = json.loads(after.requests.canonical_body(request_id) or "{}")
        raw = json.loads(after.requests.raw_payload(request_id).body)  # type: ignore[union-attr]
        assert canonical["id"] == request_id and raw == sent
    assert set(_unsent_bodies(after)) == set(posted)
    assert _found_by_person(after, "王小明") and _found_by_person(after, "013x")
    [document] = after.documents.of_request(appointed)
    opened = after.documents.get(appointed, document.id)
    assert opened is not None and hashlib.sha256(opened.content or b"").hexdigest() == document.sha256
    after.engine.dispose()


def _appoint_one(services: Services, posted: dict[str, dict[str, Any]]) -> str:
    """The centre appoints a lawyer on the first notice: its 指派通知书 is sealed with the key of the day."""
    request_id = next(rid for rid in posted if services.requests.get(rid).kind.value == "notify_defense")  # type: ignore[union-attr]
    stored = services.requests.get(request_id)
    assert stored is not None
    centre = services.agencies.by_code(stored.centre_code)
    assert centre is not None
    lawyer = Lawyer("周明", "山东青法律师事务所", "13702201510234567", "13800000000", years_of_practice=8)
    services.answers.appoint(centre, request_id, Appointment(lawyer, services.clock.now()))
    return request_id


def test_an_older_stores_clear_rows_still_read_and_rotation_seals_and_indexes_them(
    database_url: str, tmp_path: Path
) -> None:
    services = _services(database_url, NEW)
    posted = _post_examples(services)
    _make_clear_as_an_older_store_kept_them(services)
    matcher = LeakMatcher(people_in_examples())
    court_id = next(request_id for request_id, body in posted.items() if "defendant" in body)

    assert set(_key_usage(services)["request_bodies"]) == {CLEAR}
    assert matcher.find(_stored_text(services, database_url, tmp_path))
    assert json.loads(services.requests.canonical_body(court_id) or "{}")["person"]["name"] == "王小明"
    assert set(_unsent_bodies(services)) == set(posted)  # the relay reads clear rows too
    assert _found_by_person(services, "王小明") == set()  # not indexed until rotated

    _rotate(services)

    assert set(_key_usage(services)["request_bodies"]) == {"new"}
    assert _found_by_person(services, "王小明") == {court_id}
    assert json.loads(services.requests.raw_payload(court_id).body) == posted[court_id]  # type: ignore[union-attr]
    assert matcher.find(_stored_text(services, database_url, tmp_path)) == []
    services.engine.dispose()


def test_rotation_runs_safely_beside_intake_and_the_relay(database_url: str) -> None:
    seed = _services(database_url, OLD)
    for round_ in range(4):
        _post_examples(seed, f"-old{round_}")
    seed.engine.dispose()
    writer = _services(database_url, f"{NEW},{OLD}")  # the gateway and relay, restarted with the new key first
    client = _client(writer)
    rotator = _services(database_url, f"{NEW},{OLD}")
    stop = threading.Event()
    sent: list[str] = []

    def keep_working() -> None:
        round_ = 0
        while not stop.is_set() and round_ < 20:
            _post_examples(writer, f"-new{round_}", client)
            writer.outbox.process_batch(3, lambda message: sent.append(message.message_id))
            round_ += 1

    worker = threading.Thread(target=keep_working)
    worker.start()
    try:
        _rotate(rotator, batch_size=1)
    finally:
        stop.set()
        worker.join(timeout=60)
    rotator.outbox.process_batch(1000, lambda message: sent.append(message.message_id))
    writer.engine.dispose()
    rotator.engine.dispose()

    after = _services(database_url, NEW)
    assert _key_usage(after) == _all_under("new", _counts(after))
    with after.engine.connect() as conn:
        request_ids = list(conn.scalars(sa.select(requests.c.id)))
        unsent = conn.scalar(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))
    assert len(request_ids) >= 25 and unsent == 0 and len(sent) == len(set(sent)) == len(request_ids)
    assert all(after.requests.canonical_body(request_id) for request_id in request_ids)
    assert all(after.requests.raw_payload(request_id) for request_id in request_ids)
    after.engine.dispose()


def _all_under(key: str, counts: dict[str, int]) -> dict[str, dict[str, int]]:
    """Every row of each sealed table under `key` (a table with none counts no key)."""
    return {table: {key: count} if count else {} for table, count in counts.items()}


def _counts(services: Services) -> dict[str, int]:
    with services.engine.connect() as conn:
        return {
            table.name: int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
            for table in (request_bodies, inbound_payloads, outbox_bodies, documents)
        }


def _make_clear_as_an_older_store_kept_them(services: Services) -> None:
    """Write every sealed value back in clear, without blind indexes, as a store from before sealing held it."""
    with services.engine.connect() as conn:
        request_ids = list(conn.scalars(sa.select(requests.c.id)))
        bodies = _outbox_bodies(services, conn)
    clear = {
        request_id: (services.requests.canonical_body(request_id), services.requests.raw_payload(request_id).body)  # type: ignore[union-attr]
        for request_id in request_ids
    }
    with services.engine.begin() as conn:
        for request_id, (clear_canonical, clear_payload) in clear.items():
            conn.execute(
                request_bodies.update()
                .where(request_bodies.c.request_id == request_id)
                .values(canonical=clear_canonical, sealed_with=None)
            )
            conn.execute(
                requests.update().where(requests.c.id == request_id).values(name_index=None, id_tail_index=None)
            )
            conn.execute(
                inbound_payloads.update()
                .where(inbound_payloads.c.request_id == request_id)
                .values(body=clear_payload, sealed_with=None)
            )
        for row_id, body in bodies.items():
            conn.execute(
                outbox_bodies.update().where(outbox_bodies.c.outbox_id == row_id).values(body=body, sealed_with=None)
            )


def _outbox_bodies(services: Services, conn: sa.Connection) -> dict[int, bytes]:
    bodies = outbox_bodies.c
    rows = conn.execute(sa.select(bodies.outbox_id, bodies.message_id, bodies.body, bodies.sealed_with)).all()
    return {
        row.outbox_id: open_outbox_body(services.data_keys, row.message_id, bytes(row.body), row.sealed_with)
        for row in rows
    }


def test_a_purged_original_holds_no_key_and_rotation_passes_over_it(database_url: str) -> None:
    before = _services(database_url, OLD)
    posted = _post_examples(before)
    purged_id = next(iter(posted))
    with before.engine.begin() as conn:  # as `lagw retention run` leaves it
        conn.execute(
            inbound_payloads.update()
            .where(inbound_payloads.c.request_id == purged_id)
            .values(body=b"", sealed_with=None, purged_at=datetime.now(UTC))
        )
    before.engine.dispose()

    rotating = _services(database_url, f"{NEW},{OLD}")
    _rotate(rotating)
    usage = _key_usage(rotating)
    rotating.engine.dispose()
    after = _services(database_url, NEW)

    assert all("old" not in keys for keys in usage.values()), usage
    assert after.requests.raw_payload(purged_id).body == b""  # type: ignore[union-attr]
    after.engine.dispose()
