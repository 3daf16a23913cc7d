"""The audit log is a hash chain linked by a sequencer: `lagw audit verify` names the first edited, deleted or
reordered record, a changed head row, and a backlog the sequencer left behind."""

import copy
import dataclasses
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from gateway.bootstrap import Services, build_services
from gateway.cli.main import main
from gateway.config import Settings
from gateway.service.ports import ChainHeadMismatch
from gateway.service.sequencer import AuditSequencer
from gateway.store.audit import AuditRecord, append_audit, record_hash, stored_record
from gateway.store.audit_sequencer import SqlAuditSequencer
from gateway.store.audit_verify import DELETED, EDITED, HEAD, REORDERED, UNLINKED, Checkpoint, verify_chain
from gateway.store.engine import make_engine
from gateway.store.migrate import upgrade_store
from gateway.store.sealed import open_outbox_body
from gateway.store.tables import audit_chain, audit_log, outbox, outbox_bodies
from tests.support.gateway import LiveGateway, example, running_gateway, running_relay, wait_for
from tests.support.postgres import fresh_database
from tests.support.store import COURT, COURT_NOTICES, StoreWithNotices, database_url, store_with_notices

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreWithNotices]:
    with store_with_notices(request.param, tmp_path) as found:
        for n in range(3):
            found.withdraw(found.post_court_notice(n))
        found.services.audit.run_once()
        yield found


def _audit_ids(store: StoreWithNotices) -> list[int]:
    """The records in chain order."""
    with store.services.engine.connect() as conn:
        return list(conn.scalars(sa.select(audit_log.c.id).order_by(audit_log.c.seq)))


def _cli(store: StoreWithNotices, *args: str) -> Result:
    url = store.services.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, ["audit", *args], env={"LAGW_DATABASE_URL": url})


def _verify_cli(store: StoreWithNotices) -> Result:
    return _cli(store, "verify")


def test_an_untouched_chain_verifies_with_its_count(store: StoreWithNotices) -> None:
    report = verify_chain(store.services.engine)
    result = _verify_cli(store)

    assert report.broken is None
    assert report.linked == len(_audit_ids(store)) == 6  # received and withdrawn, three times
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 6 record(s) linked; 0 record(s) not yet linked" in result.output
    assert f"checkpoint 6:{report.head_hash}" in result.output


def test_records_are_written_unlinked_and_the_sequencer_links_them_in_the_order_written(
    store: StoreWithNotices,
) -> None:
    first, second = store.post_court_notice(7), store.post_court_notice(8)

    before = verify_chain(store.services.engine)
    linked = store.services.audit.run_once().linked
    after = verify_chain(store.services.engine)

    assert (before.linked, before.backlog.unlinked, before.broken) == (6, 2, None)
    assert before.backlog.oldest_queued_at is not None
    assert (linked, after.linked, after.backlog.unlinked, after.broken) == (2, 8, 0, None)
    with store.services.engine.connect() as conn:
        newest = conn.execute(sa.select(audit_log.c.request_id).where(audit_log.c.seq > 6).order_by(audit_log.c.seq))
        assert list(newest.scalars()) == [first, second]


def test_awkward_detail_is_hashed_alike_by_the_store_and_the_verifier(store: StoreWithNotices) -> None:
    awkward = {"note": 'a "quote", a \\ backslash, 中文, \u2028 and \t', "amount": 1.5, "none": None, "list": [3, 1]}
    at = datetime(2026, 11, 25, 1, 2, 3, 456789, tzinfo=UTC)
    with store.services.engine.begin() as conn:  # stored as JSON by each backend, read back to be hashed
        append_audit(conn, [AuditRecord("r-1", at, "staff:wang", "note", detail=awkward)])
    with store.services.engine.begin() as conn:
        append_audit(conn, [AuditRecord("r-1", at, "staff:wang", "note"), AuditRecord("r-2", at, "x", "note")])
    store.services.audit.run_once()

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
    first, second = _audit_ids(store)[1:3]  # places 2 and 3
    for record, place in ((first, -1), (second, 2), (first, 3)):
        store.execute("UPDATE audit_log SET seq = :place WHERE id = :id", place=place, id=record)

    report = verify_chain(store.services.engine)

    assert report.broken is not None
    assert (report.broken.record_id, report.broken.problem) == (second, REORDERED)
    assert f"follows record {first}" in report.broken.explanation


def test_a_record_moved_to_a_later_place_is_reported_as_reordered(store: StoreWithNotices) -> None:
    newest = _audit_ids(store)[-1]
    store.execute("UPDATE audit_log SET seq = 9 WHERE id = :id", id=newest)
    store.execute("UPDATE audit_chain SET last_seq = 9")

    report = verify_chain(store.services.engine)

    assert report.broken is not None
    assert (report.broken.record_id, report.broken.problem) == (newest, REORDERED)


def test_a_record_given_a_place_around_the_sequencer_is_named(store: StoreWithNotices) -> None:
    store.execute(
        "INSERT INTO audit_log (request_id, at, actor, event, seq) "
        "VALUES ('r', '2026-01-01 00:00:00', 'someone', 'received', 7)"
    )

    report = verify_chain(store.services.engine)

    assert report.broken is not None
    assert (report.broken.record_id, report.broken.problem) == (max(_audit_ids(store)), UNLINKED)


def test_moving_the_head_row_past_every_record_fails_verification_and_stops_the_sequencer(
    store: StoreWithNotices,
) -> None:
    newest = _audit_ids(store)[-1]
    # The head row told to start the chain anew: no count, no hash (the old "chained after every record").
    store.execute("UPDATE audit_chain SET last_seq = 0, last_hash = NULL")

    report = verify_chain(store.services.engine)
    verified = _verify_cli(store)
    store.post_court_notice(5)
    linked = _cli(store, "link")

    assert report.broken is not None
    assert (report.broken.record_id, report.broken.problem) == (newest, HEAD)
    assert report.linked == 6
    assert verified.exit_code == 1
    assert "(head)" in verified.output
    with pytest.raises(ChainHeadMismatch):
        store.services.audit.run_once()
    assert linked.exit_code == 1
    assert "nothing linked" in linked.output
    assert verify_chain(store.services.engine).backlog.unlinked == 1


def test_a_record_waiting_too_long_to_be_linked_fails_verification(store: StoreWithNotices) -> None:
    store.post_court_notice(5)
    store.execute("UPDATE audit_log SET queued_at = :at WHERE seq IS NULL", at=datetime(2026, 1, 1, tzinfo=UTC))

    behind = _verify_cli(store)
    store.services.audit.run_once()
    caught_up = _verify_cli(store)

    assert behind.exit_code == 1
    assert "audit chain BEHIND: 6 record(s) linked; 1 record(s) not yet linked" in behind.output
    assert caught_up.exit_code == 0, caught_up.output


def test_a_chain_rewritten_from_an_earlier_point_is_caught_by_a_head_noted_before(store: StoreWithNotices) -> None:
    noted = verify_chain(store.services.engine).head_hash
    assert noted is not None
    # Someone with write access edits a record and re-hashes it and every record after it, and the head.
    with store.services.engine.begin() as conn:
        rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)).all()
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

    rewritten = _cli(store, "verify", "--contains", noted)
    with_count = _cli(store, "verify", "--contains", f"6:{noted}")

    assert verify_chain(store.services.engine).broken is None  # consistent in itself: only the noted head tells
    assert rewritten.exit_code == with_count.exit_code == 1
    assert f"does not hold the checkpoint {noted}" in rewritten.output
    assert _verify_cli(store).exit_code == 0


def test_a_noted_head_still_on_the_chain_verifies(store: StoreWithNotices) -> None:
    noted = verify_chain(store.services.engine).head_hash
    assert noted is not None
    store.post_court_notice(9)
    store.services.audit.run_once()

    result = _cli(store, "verify", "--contains", noted)
    with_count = _cli(store, "verify", "--contains", f"6:{noted}")
    wrong_place = _cli(store, "verify", "--contains", f"5:{noted}")
    malformed = _cli(store, "verify", "--contains", "six:abc")

    assert result.exit_code == with_count.exit_code == 0, result.output
    assert "7 record(s) linked" in result.output
    assert wrong_place.exit_code == 1
    assert malformed.exit_code == 2 and "--contains" in malformed.output


def test_the_sequencer_checkpoints_the_chain_on_the_bus_and_in_its_log(
    store: StoreWithNotices, caplog: pytest.LogCaptureFixture
) -> None:
    head = verify_chain(store.services.engine).head_hash
    checkpoints = _checkpoint_rows(store)  # the fixture's pass published the first one

    again = store.services.audit.run_once()  # nothing new: no second checkpoint
    store.post_court_notice(4)
    with caplog.at_level("INFO", logger="gateway.service.sequencer"):
        grown = store.services.audit.run_once()  # grown, but within the interval: none yet

    assert [(row.routing_key, row.message_id) for row in checkpoints] == [("audit.checkpoint", "audit.checkpoint.6")]
    body = open_outbox_body(
        store.services.data_keys, "audit.checkpoint.6", checkpoints[0].body, checkpoints[0].sealed_with
    )
    assert json.loads(body) | {"at": None} == {
        "schema": "legalaid.event/1",
        "event": "audit.checkpoint",
        "count": 6,
        "head_hash": head,
        "at": None,
    }
    assert (again.linked, again.checkpoint, grown.linked, grown.checkpoint) == (0, None, 1, None)
    assert len(_checkpoint_rows(store)) == 1
    assert [record for record in caplog.records if record.name == "gateway.service.sequencer"] == []


def test_a_due_checkpoint_is_logged_with_the_count_and_head(
    store: StoreWithNotices, caplog: pytest.LogCaptureFixture
) -> None:
    store.execute("UPDATE audit_chain SET checkpoint_at = :long_ago", long_ago=datetime(2026, 1, 1, tzinfo=UTC))
    store.post_court_notice(4)

    with caplog.at_level("INFO", logger="gateway.service.sequencer"):
        published = store.services.audit.run_once().checkpoint
    head = verify_chain(store.services.engine).head_hash

    assert published is not None and (published.count, published.head_hash) == (7, head)
    assert [row.message_id for row in _checkpoint_rows(store)] == ["audit.checkpoint.6", "audit.checkpoint.7"]
    logged = [record.getMessage() for record in caplog.records if record.name == "gateway.service.sequencer"]
    assert logged == [f"audit checkpoint 7:{head}"]


def _checkpoint_rows(store: StoreWithNotices) -> list[sa.Row[Any]]:
    with store.services.engine.connect() as conn:
        query = (
            sa.select(outbox, outbox_bodies.c.body, outbox_bodies.c.sealed_with)
            .join(outbox_bodies, outbox_bodies.c.outbox_id == outbox.c.id)
            .where(outbox.c.routing_key == "audit.checkpoint")
            .order_by(outbox.c.id)
        )
        return list(conn.execute(query).all())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_records_of_a_store_older_than_the_chain_are_linked_after_an_upgrade(backend: str, tmp_path: Path) -> None:
    with store_with_notices(backend, tmp_path) as store:
        store.post_court_notice(1)
        with store.services.engine.begin() as conn:  # the store as it was before the chain
            conn.execute(audit_chain.delete())
            conn.execute(audit_log.update().values(seq=None, prev_hash=None, hash=None, queued_at=None))
            conn.exec_driver_sql("DROP TABLE alembic_version")  # and before versioned migrations
        upgrade_store(store.services.engine)  # what the next start of an upgraded gateway does
        store.post_court_notice(2)
        store.services.audit.run_once()

        report = verify_chain(store.services.engine)

    assert report.broken is None
    assert (report.linked, report.backlog.unlinked) == (2, 0)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_chain_linked_by_the_previous_release_verifies_after_the_upgrade(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url:
        engine = make_engine(url)
        upgrade_store(engine, "0003")
        at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
        older, *chained = [AuditRecord(f"r-{n}", at, "court-1", "received") for n in range(4)]
        with engine.begin() as conn:  # as the previous release left it: one record older than its chain,
            _insert_0003(conn, older, None, None)  # then three linked in the order of their ids
            previous = "0" * 64
            for record in chained:
                digest = record_hash(record, previous)
                _insert_0003(conn, record, previous, digest)
                previous = digest
            conn.exec_driver_sql(f"INSERT INTO audit_chain VALUES (1, '{previous}', 1)")  # id, last_hash, after

        upgrade_store(engine)
        before_linking = verify_chain(engine)
        services = build_services(Settings(database_url=url))
        services.audit.run_once()
        report = verify_chain(engine, contains=Checkpoint(previous, 3))
        with engine.connect() as conn:
            order = list(conn.scalars(sa.select(audit_log.c.request_id).order_by(audit_log.c.seq)))
        services.engine.dispose()
        engine.dispose()

    assert (before_linking.linked, before_linking.backlog.unlinked, before_linking.broken) == (3, 1, None)
    assert (report.linked, report.broken, report.found) == (4, None, True)
    assert order == ["r-1", "r-2", "r-3", "r-0"]  # the older record is linked after the chain it predates


def _insert_0003(conn: sa.Connection, record: AuditRecord, prev_hash: str | None, digest: str | None) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO audit_log (request_id, at, actor, event, prev_hash, hash)"
            " VALUES (:request_id, :at, :actor, :event, :prev_hash, :hash)"
        ),
        {
            "request_id": record.request_id,
            "at": record.at.replace(tzinfo=None),
            "actor": record.actor,
            "event": record.event,
            "prev_hash": prev_hash,
            "hash": digest,
        },
    )


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


@contextmanager
def _sequencing(services: Services, copies: int) -> Iterator[None]:
    """Sequencers linking every 20 ms in threads, without the lease: only the head row's lock between them."""
    stop = threading.Event()
    store = SqlAuditSequencer(services.engine, services.data_keys)
    threads = [
        threading.Thread(target=AuditSequencer(store, timedelta(seconds=1)).run, args=(stop, 0.02), daemon=True)
        for _ in range(copies)
    ]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)


def test_concurrent_intake_relays_and_sequencers_on_postgresql_leave_a_linear_chain(
    tmp_path: Path, amqp_url: str
) -> None:
    with fresh_database() as url, running_gateway(tmp_path, amqp_url, database_url=url) as gateway:
        services = gateway.services
        # Two clients post while two relays mark requests queued and two sequencers link what they wrote.
        with running_relay(services, amqp_url), running_relay(services, amqp_url), _sequencing(services, 2):
            _post_in_threads(gateway, threads=2, each=25)
            wait_for(lambda: services.outbox.pending_count() == 0, timeout=30, what="the outbox drained")
        services.audit.run_once()
        # A second process's view: a new engine, as `lagw audit verify` would open.
        engine = make_engine(url)
        report = verify_chain(engine)
        with engine.connect() as conn:
            count = conn.scalar(sa.select(sa.func.count()).select_from(audit_log))
        engine.dispose()

    assert report.broken is None
    assert report.linked == count == 100  # 50 received, 50 queued


def test_a_record_whose_transaction_is_still_open_is_linked_after_its_commit_not_skipped(tmp_path: Path) -> None:
    with store_with_notices("postgresql", tmp_path) as store:
        at = datetime(2026, 12, 1, tzinfo=UTC)
        slow = store.services.engine.connect()
        transaction = slow.begin()
        append_audit(slow, [AuditRecord("r-slow", at, "court-1", "note")])  # written first, committed last
        store.post_court_notice(1)

        first = store.services.audit.run_once().linked
        transaction.commit()
        slow.close()
        second = store.services.audit.run_once().linked
        report = verify_chain(store.services.engine)
        with store.services.engine.connect() as conn:
            order = list(conn.scalars(sa.select(audit_log.c.request_id).order_by(audit_log.c.seq)))

    assert (first, second) == (1, 1)
    assert (report.linked, report.broken, report.backlog.unlinked) == (2, None, 0)
    assert order[-1] == "r-slow"
