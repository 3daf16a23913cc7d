"""The audit log is a hash chain: `lagw audit verify` names the first edited, deleted or reordered record."""

import copy
import dataclasses
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from gateway.cli import main
from gateway.store.audit import AuditRecord, append_audit, record_hash, stored_record
from gateway.store.audit_verify import DELETED, EDITED, REORDERED, UNLINKED, verify_chain
from gateway.store.engine import make_engine
from gateway.store.migrate import upgrade_store
from gateway.store.tables import audit_chain, audit_log
from tests.support.gateway import LiveGateway, example, running_gateway, running_relay, wait_for
from tests.support.postgres import fresh_database
from tests.support.store import COURT, COURT_NOTICES, StoreWithNotices, store_with_notices

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreWithNotices]:
    with store_with_notices(request.param, tmp_path) as found:
        for n in range(3):
            found.withdraw(found.post_court_notice(n))
        yield found


def _audit_ids(store: StoreWithNotices) -> list[int]:
    with store.services.engine.connect() as conn:
        return list(conn.scalars(sa.select(audit_log.c.id).order_by(audit_log.c.id)))


def _verify_cli(store: StoreWithNotices) -> Result:
    url = store.services.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, ["audit", "verify"], env={"LAGW_DATABASE_URL": url})


def test_an_untouched_chain_verifies_with_its_count(store: StoreWithNotices) -> None:
    report = verify_chain(store.services.engine)
    result = _verify_cli(store)

    assert report.broken is None
    assert report.linked == len(_audit_ids(store)) == 6  # received and withdrawn, three times
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 6 record(s) linked" in result.output


def test_awkward_detail_is_hashed_alike_by_the_store_and_the_verifier(store: StoreWithNotices) -> None:
    awkward = {"note": 'a "quote", a \\ backslash, 中文, \u2028 and \t', "amount": 1.5, "none": None, "list": [3, 1]}
    at = datetime(2026, 11, 25, 1, 2, 3, 456789, tzinfo=UTC)
    with store.services.engine.begin() as conn:  # one record: on PostgreSQL the server computes its hash
        append_audit(conn, [AuditRecord("r-1", at, "staff:wang", "note", detail=awkward)])
    with store.services.engine.begin() as conn:  # two records: hashed here
        append_audit(conn, [AuditRecord("r-1", at, "staff:wang", "note"), AuditRecord("r-2", at, "x", "note")])

    report = verify_chain(store.services.engine)

    assert report.broken is None
    assert report.linked == 6 + 3


def test_a_record_whose_detail_was_edited_in_the_database_is_named(store: StoreWithNotices) -> None:
    edited = _audit_ids(store)[2]
    # The detail is rewritten as it would be by hand: valid JSON, another reference.
    store.execute("UPDATE audit_log SET detail = :detail WHERE id = :id", detail='{"reference": "X-1"}', id=edited)

    report = verify_chain(store.services.engine)
    result = _verify_cli(store)

    assert report.broken is not None
    assert (report.broken.record_id, report.broken.problem) == (edited, EDITED)
    assert report.linked == 2
    assert result.exit_code == 1
    assert f"BROKEN at record {edited} (edited)" in result.output


def test_a_deleted_record_is_named_by_the_record_after_the_gap(store: StoreWithNotices) -> None:
    ids = _audit_ids(store)
    store.execute("DELETE FROM audit_log WHERE id = :id", id=ids[3])

    report = verify_chain(store.services.engine)
    result = _verify_cli(store)

    assert report.broken is not None
    assert (report.broken.record_id, report.broken.problem) == (ids[4], DELETED)
    assert f"record {ids[2]}" in report.broken.explanation
    assert result.exit_code == 1
    assert f"BROKEN at record {ids[4]} (deleted)" in result.output


def test_deleting_the_newest_records_is_caught_by_the_chain_head(store: StoreWithNotices) -> None:
    ids = _audit_ids(store)
    store.execute("DELETE FROM audit_log WHERE id >= :id", id=ids[4])

    report = verify_chain(store.services.engine)

    assert report.broken is not None
    assert (report.broken.record_id, report.broken.problem) == (ids[3], DELETED)


def test_two_records_swapped_in_place_are_reported_as_reordered(store: StoreWithNotices) -> None:
    first, second = _audit_ids(store)[1:3]
    for old, new in ((first, -1), (second, first), (-1, second)):
        store.execute("UPDATE audit_log SET id = :new WHERE id = :old", new=new, old=old)

    report = verify_chain(store.services.engine)

    assert report.broken is not None
    assert (report.broken.record_id, report.broken.problem) == (first, REORDERED)


def test_a_record_inserted_around_the_chain_is_named(store: StoreWithNotices) -> None:
    store.execute(
        "INSERT INTO audit_log (request_id, at, actor, event) "
        "VALUES ('r', '2026-01-01 00:00:00', 'someone', 'received')"
    )

    report = verify_chain(store.services.engine)

    assert report.broken is not None
    assert (report.broken.record_id, report.broken.problem) == (max(_audit_ids(store)), UNLINKED)


def test_a_chain_rewritten_from_an_earlier_point_is_caught_by_a_head_noted_before(store: StoreWithNotices) -> None:
    noted = verify_chain(store.services.engine).head_hash
    assert noted is not None
    # Someone with write access edits a record and re-hashes it and every record after it, and the head.
    with store.services.engine.begin() as conn:
        rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).all()
        previous = rows[0].hash
        for row in rows[1:]:
            record = stored_record(row._mapping)
            if row.id == rows[1].id:
                record = dataclasses.replace(record, actor="someone-else")
            digest = record_hash(record, previous)
            values = {"actor": record.actor, "prev_hash": previous, "hash": digest}
            conn.execute(audit_log.update().where(audit_log.c.id == row.id).values(values))
            previous = digest
        conn.execute(audit_chain.update().values(last_hash=previous))
    url = store.services.engine.url.render_as_string(hide_password=False)

    rewritten = CliRunner().invoke(main, ["audit", "verify", "--contains", noted], env={"LAGW_DATABASE_URL": url})

    assert verify_chain(store.services.engine).broken is None  # consistent in itself: only the noted head tells
    assert rewritten.exit_code == 1
    assert f"no record carries the noted head {noted}" in rewritten.output
    assert _verify_cli(store).exit_code == 0


def test_a_noted_head_still_on_the_chain_verifies(store: StoreWithNotices) -> None:
    noted = verify_chain(store.services.engine).head_hash
    assert noted is not None
    store.post_court_notice(9)
    url = store.services.engine.url.render_as_string(hide_password=False)

    result = CliRunner().invoke(main, ["audit", "verify", "--contains", noted], env={"LAGW_DATABASE_URL": url})

    assert result.exit_code == 0, result.output
    assert "7 record(s) linked" in result.output


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_records_of_an_older_store_predate_the_chain_and_new_ones_are_linked(backend: str, tmp_path: Path) -> None:
    with store_with_notices(backend, tmp_path) as store:
        store.post_court_notice(1)
        with store.services.engine.begin() as conn:  # the store as it was before the chain
            conn.execute(audit_chain.delete())
            conn.execute(audit_log.update().values(prev_hash=None, hash=None))
            conn.exec_driver_sql("DROP TABLE alembic_version")  # and before versioned migrations
        upgrade_store(store.services.engine)  # what the next start of an upgraded gateway does
        store.post_court_notice(2)

        report = verify_chain(store.services.engine)

    assert report.broken is None
    assert (report.before_chain, report.linked) == (1, 1)


def _post_in_threads(gateway: LiveGateway, threads: int, each: int) -> None:
    failures: list[str] = []

    def post(worker: int) -> None:
        for n in range(each):
            body = copy.deepcopy(example("court", "defense-notices.json"))
            body["notice_number"] = f"{body['notice_number']}-{worker}-{n}"
            response = gateway.post(COURT_NOTICES, COURT, body)
            if response.status_code != 202:
                failures.append(response.text)

    workers = [threading.Thread(target=post, args=(w,)) for w in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    assert not failures


def test_concurrent_intake_and_relays_on_postgresql_leave_a_linear_chain(tmp_path: Path, amqp_url: str) -> None:
    with fresh_database() as url, running_gateway(tmp_path, amqp_url, database_url=url) as gateway:
        services = gateway.services
        # Two clients post while two relays mark requests queued: four writers on the chain at once.
        with running_relay(services, amqp_url), running_relay(services, amqp_url):
            _post_in_threads(gateway, threads=2, each=25)
            wait_for(lambda: services.outbox.pending_count() == 0, timeout=30, what="the outbox drained")
        # A second process's view: a new engine, as `lagw audit verify` would open.
        engine = make_engine(url)
        report = verify_chain(engine)
        with engine.connect() as conn:
            count = conn.scalar(sa.select(sa.func.count()).select_from(audit_log))
        engine.dispose()

    assert report.broken is None
    assert report.linked == count == 100  # 50 received, 50 queued
