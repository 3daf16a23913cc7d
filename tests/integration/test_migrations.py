"""Versioned migrations on SQLite and PostgreSQL: an empty store, one at the previous revision, and the tables
in step with the migrations."""

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner

from gateway.bootstrap import build_services
from gateway.cli.main import main
from gateway.config import Settings
from gateway.security.data_keys import DataKeyRing, new_data_key
from gateway.store.engine import make_engine
from gateway.store.migrate import StoreNotMigrated, current_revision, head_revision, upgrade_store
from gateway.store.outbox import SqlOutbox
from gateway.store.requests import SqlRequestStore
from gateway.store.sealed import canonical_context, outbox_context
from gateway.store.tables import metadata
from tests.support.store import database_url as make_database_url

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

PREVIOUS = "0001"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with make_database_url(request.param, tmp_path) as url:
        yield url


def test_an_empty_store_is_migrated_to_tables_exactly_as_the_code_declares_them(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_store(engine, PREVIOUS)
    behind = _differences(engine)

    upgrade_store(engine)

    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []
    assert "leases" in str(behind) and "http_request_id" in str(behind)  # the comparison sees what is missing
    assert "modify_type" in str(behind) and "message_id" in str(behind)  # and a widened column
    engine.dispose()


def _differences(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata))


def test_a_store_at_the_previous_revision_keeps_its_rows_through_the_upgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_store(engine, PREVIOUS)
    now = datetime(2026, 11, 30, 8, 0)
    with engine.begin() as conn:  # a court and one request, as the previous release stored them
        _insert_court(conn, "court-1", now)
        conn.execute(
            sa.text(
                "INSERT INTO requests (id, kind, agency_code, reference, case_number, state, digest, centre_code,"
                " routing_key, received_at, due_at, deadline_obligation, deadline_basis, updated_at, canonical)"
                " VALUES ('r-1', 'notify_defense', 'court-1', 'ref-1', '(2026)鲁0202刑初1号', 'queued', 'd',"
                " 'lac370202', 'notify_defense.lac370202', :now, :now, 'assign', 'LAL 36', :now, '{}')"
            ),
            {"now": now},
        )
        conn.execute(  # its payload: a row that refers to the request, as every stored request has
            sa.text(
                "INSERT INTO inbound_payloads (request_id, channel, content_type, body, received_at)"
                " VALUES ('r-1', 'rest', 'application/json', :body, :now)"
            ),
            {"now": now, "body": b"{}"},
        )

    upgrade_store(engine)

    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT case_number, state, http_request_id, version FROM requests")).one()
        leases = conn.execute(sa.text("SELECT count(*) FROM leases")).scalar()
    assert tuple(row) == ("(2026)鲁0202刑初1号", "queued", None, 0)
    assert (current_revision(engine), leases) == (head_revision(), 0)
    engine.dispose()


def test_a_process_that_may_not_migrate_refuses_a_store_behind_and_db_upgrade_brings_it_up(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_store(engine, PREVIOUS)
    engine.dispose()
    settings = Settings(database_url=database_url, auto_migrate=False)

    with pytest.raises(StoreNotMigrated, match="lagw db upgrade"):
        build_services(settings)
    behind = CliRunner().invoke(main, ["db", "current"], env={"LAGW_DATABASE_URL": database_url})
    upgraded = CliRunner().invoke(main, ["db", "upgrade"], env={"LAGW_DATABASE_URL": database_url})
    services = build_services(settings)

    assert behind.exit_code == 1 and f"store {PREVIOUS}" in behind.output
    assert upgraded.exit_code == 0, upgraded.output
    assert f"migration {PREVIOUS} -> {head_revision()}" in upgraded.output
    assert services.agencies.list() == []
    services.engine.dispose()


def test_processes_starting_together_migrate_a_store_once() -> None:
    with make_database_url("postgresql", Path()) as url:
        engines = [make_engine(url) for _ in range(4)]
        failures: list[BaseException] = []

        def start(engine: sa.Engine) -> None:
            try:
                upgrade_store(engine)
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=start, args=(engine,)) for engine in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert failures == []
        assert current_revision(engines[0]) == head_revision()
        for engine in engines:
            engine.dispose()


def test_a_store_from_before_migrations_is_brought_to_the_head_in_full(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_store(engine, PREVIOUS)
    with engine.begin() as conn:  # as the additive start-up of older releases left a store: no version
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.exec_driver_sql("DELETE FROM audit_chain")
        conn.exec_driver_sql("ALTER TABLE agencies DROP COLUMN previous_key_expires_at")
        for table in ("requests", "outbox"):  # and from before sealing: the bodies clear, no key named
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN sealed_with")

    upgrade_store(engine)

    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []  # the outbox's message_id widened too, not only what was missing added
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM audit_chain")) == 1
    engine.dispose()


def test_a_store_migrated_to_a_named_revision_has_its_audit_chain_head(database_url: str) -> None:
    engine = make_engine(database_url)

    upgrade_store(engine, head_revision())
    build_services(Settings(database_url=database_url)).engine.dispose()

    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM audit_chain")) == 1
    engine.dispose()


def test_the_outbox_bodies_move_to_their_own_table_and_an_unsent_message_still_goes_out(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_store(engine, "0011")
    ring = DataKeyRing.parse(f"k1:{new_data_key()}")
    now = datetime(2026, 12, 4, 8, 0)
    bodies = {"m-sent": b'{"n":1}', "m-unsent": '{"n":"王某"}'.encode()}
    with engine.begin() as conn:  # one message sent, one waiting, as revision 0011 stored them (bodies sealed)
        for message_id, body in bodies.items():
            conn.execute(
                sa.text(
                    "INSERT INTO outbox (message_id, exchange, routing_key, headers, content_type, body, created_at,"
                    " sent_at, attempts, sealed_with) VALUES (:id, 'legalaid.requests', 'k', '{}',"
                    " 'application/json', :body, :now, :sent, 0, 'k1')"
                ),
                {
                    "id": message_id,
                    "body": ring.seal(body, outbox_context(message_id)),
                    "now": now,
                    "sent": now if message_id == "m-sent" else None,
                },
            )

    upgrade_store(engine)

    with engine.connect() as conn:
        moved = dict(conn.execute(sa.text("SELECT message_id, sealed_with FROM outbox_bodies")).all())
        columns = {column["name"] for column in sa.inspect(conn).get_columns("outbox")}
    claim = SqlOutbox(engine, ring).claim(10)
    claim.release()
    assert moved == {"m-sent": "k1", "m-unsent": "k1"}  # still sealed, under the key that sealed them
    assert "body" not in columns and "sealed_with" not in columns
    assert [(m.message_id, m.body) for m in claim.messages] == [("m-unsent", bodies["m-unsent"])]
    engine.dispose()


def test_the_request_bodies_move_to_their_own_table_sealed_or_clear_and_still_open(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_store(engine, "0012")
    ring = DataKeyRing.parse(f"k1:{new_data_key()}")
    now = datetime(2026, 12, 5, 8, 0)
    bodies = {"r-sealed": '{"person": {"name": "王某"}}', "r-clear": '{"person": {"name": "李某"}}'}
    with engine.begin() as conn:  # two requests as revision 0012 stored them: one sealed, one from before sealing
        _insert_court(conn, "court", now)
        for request_id, body in bodies.items():
            sealed = request_id == "r-sealed"
            conn.execute(
                sa.text(
                    "INSERT INTO requests (id, kind, agency_code, reference, case_number, state, digest, centre_code,"
                    " routing_key, received_at, due_at, deadline_obligation, deadline_basis, updated_at, canonical,"
                    " sealed_with) VALUES (:id, 'notify_defense', 'court', :id, 'n', 'queued', 'd', 'c', 'k', :now,"
                    " :now, 'o', 'b', :now, :canonical, :key)"
                ),
                {
                    "id": request_id,
                    "now": now,
                    "canonical": ring.seal_text(body, canonical_context(request_id)) if sealed else body,
                    "key": "k1" if sealed else None,
                },
            )

    upgrade_store(engine)

    with engine.connect() as conn:
        moved = dict(conn.execute(sa.text("SELECT request_id, sealed_with FROM request_bodies")).all())
        columns = {column["name"] for column in sa.inspect(conn).get_columns("requests")}
    store = SqlRequestStore(engine, b"k" * 32, ring)
    assert moved == {"r-sealed": "k1", "r-clear": None}
    assert "canonical" not in columns and "sealed_with" not in columns
    assert {request_id: store.canonical_body(request_id) for request_id in bodies} == bodies
    engine.dispose()


def _insert_court(conn: sa.Connection, code: str, now: datetime) -> None:
    """A court, in the columns the agencies table has had since the baseline."""
    conn.execute(
        sa.text(
            "INSERT INTO agencies (code, name, type, level, district, allowed_kinds, api_key_hash, created_at,"
            " key_rotated_at) VALUES (:code, 'A court', 'court', 'district', '370202', '[]', 'h', :now, :now)"
        ),
        {"code": code, "now": now},
    )
