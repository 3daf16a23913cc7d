"""The unit of work on the real stores: a notice's rows in few statements, a failed commit writes nothing."""

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from adapters.court.mapping import defense_notice_to_submission
from adapters.court.schemas import CourtDefenseNoticeSchema
from devtools.demo import DEMO_AGENCIES
from gateway.bootstrap import Services, build_services
from gateway.config import Settings
from gateway.domain.documents import DocumentKind
from gateway.domain.enums import AgencyType, Channel, Kind, RequestState
from gateway.service.ports import (
    AnswerAlreadyApplied,
    Confirmations,
    NewAnswer,
    RawPayload,
    StateChange,
    StateMoved,
)
from gateway.store.outbox_bell import ListeningBell
from gateway.store.tables import (
    answers,
    audit_log,
    deliveries,
    inbound_payloads,
    outbox,
    outbox_bodies,
    request_bodies,
    requests,
)
from tests.support.gateway import example
from tests.support.postgres import fresh_database

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]
TABLES = (requests, request_bodies, inbound_payloads, outbox, outbox_bodies, audit_log, answers, deliveries)


@pytest.fixture(params=["sqlite", "postgresql"])
def services(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    if request.param == "sqlite":
        built = build_services(Settings(database_url=f"sqlite:///{tmp_path}/store.sqlite3"))
        built.agencies.add(DEMO_AGENCIES[0].agency)
        yield built
        built.engine.dispose()
        return
    with fresh_database() as url:
        built = build_services(Settings(database_url=url))
        built.agencies.add(DEMO_AGENCIES[0].agency)
        yield built
        built.engine.dispose()


def _counts(services: Services) -> dict[str, int]:
    with services.engine.connect() as conn:
        return {t.name: int(conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0) for t in TABLES}


def _accept(services: Services, number: str = "（2026）鲁0202刑初1号") -> str:
    court = DEMO_AGENCIES[0].agency
    body = example("court", "defense-notices.json") | {"notice_number": number}
    submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(body))
    raw = RawPayload("application/json", b"{}")
    return services.intake.accept(court, AgencyType.COURT, Channel.REST, submission, raw).request_id


def _statements(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first word of every statement sent to the store from now on, at the driver: those SQLAlchemy runs and
    those run on the driver's cursor (gateway/store/driver.py). On PostgreSQL, what a cursor sends: psycopg's
    own BEGIN and COMMIT are not among them."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    if services.engine.dialect.name == "postgresql":
        execute = psycopg.Cursor.execute

        def counted(cursor: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
            count(None, cursor, query.decode() if isinstance(query, bytes) else str(query), *args)
            return execute(cursor, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    else:  # sqlite3 reports every statement it runs, BEGIN and COMMIT too, on the connection checked out

        def traced(dbapi_connection: sqlite3.Connection, *_: Any) -> None:
            dbapi_connection.set_trace_callback(lambda statement: count(None, None, statement))

        sa.event.listen(services.engine, "checkout", traced)
    return seen


def test_a_notice_and_all_it_implies_take_few_statements(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    _accept(services, "（2026）鲁0202刑初1号")  # the first: statements built, the pool filled
    before = _counts(services)
    seen = _statements(services, monkeypatch)

    _accept(services, "（2026）鲁0202刑初2号")
    statements = list(seen)

    grew = {name: _counts(services)[name] - before[name] for name in before}
    assert grew == {
        "requests": 1,
        "request_bodies": 1,
        "inbound_payloads": 1,
        "outbox": 1,
        "outbox_bodies": 1,
        "audit_log": 1,
        "answers": 0,
        "deliveries": 0,
    }
    if services.engine.dialect.name == "postgresql":
        # the person's other requests, the six rows in one statement (whose outbox insert rings the relays' bell,
        # a trigger): no resend check before a new notice, no ping of the pooled connection in steady use
        assert statements == ["SELECT", "WITH"]
    else:  # the outbox's insert returns the id its body's row is stored under
        assert statements == ["BEGIN", "SELECT", *["INSERT"] * 6, "COMMIT"]


def test_a_notice_rings_the_relays_bell_at_its_commit_on_postgresql(services: Services) -> None:
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no notifications: its relays poll")
    bell = ListeningBell(services.settings.database_url)
    bell.listen()
    try:
        started = time.monotonic()
        bell.wait(0.3)  # nothing added: it waits its time out
        assert time.monotonic() - started >= 0.3
        _accept(services)
        started = time.monotonic()
        bell.wait(10.0)
        assert time.monotonic() - started < 5.0  # rung by the outbox insert's trigger, not timed out
    finally:
        bell.close()


def test_on_postgresql_the_reads_hold_no_transaction_open_and_a_lock_opens_one(services: Services) -> None:
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite begins its write lock up front (BEGIN IMMEDIATE)")
    court = DEMO_AGENCIES[0].agency
    observing = services.engine.connect().execution_options(isolation_level="AUTOCOMMIT")  # stats not kept
    with services.requests.unit() as uow, observing as observer:

        def state() -> str:
            query = sa.text("SELECT state FROM pg_stat_activity WHERE pid = :pid")
            return str(observer.execute(query, {"pid": pid}).scalar_one())

        pid = uow._connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        uow.find_by_reference(court.code, "（2026）鲁0202刑初9号", Kind.NOTIFY_DEFENSE)
        assert state() == "idle"  # not "idle in transaction": nothing held while the use case decides
        uow.reserve_document_number("centre-a", DocumentKind.APPOINTMENT_NOTICE, 2026)
        assert state() == "idle in transaction"  # the counter's row lock is held until the commit


def _change(request_id: str, from_state: RequestState, message_id: str | None = None) -> StateChange:
    answer = None if message_id is None else NewAnswer("decision", {"outcome": "granted"}, message_id)
    return StateChange(request_id, from_state, RequestState.QUEUED, "queued", "test", datetime.now(UTC), answer=answer)


def test_a_change_from_a_state_the_request_left_writes_nothing(services: Services) -> None:
    request_id = _accept(services)
    before = _counts(services)

    with services.requests.unit() as uow, pytest.raises(StateMoved):
        uow.record(_change(request_id, RequestState.ASSIGNED))  # it is received, not assigned
        uow.commit()

    assert _counts(services) == before
    assert services.requests.get(request_id).state is RequestState.RECEIVED  # type: ignore[union-attr]


def test_a_change_on_a_version_another_change_left_writes_nothing(services: Services) -> None:
    # Two changes decided on the same read: the first raises the version, the second (a proof of service, say,
    # which leaves the state as it was) is refused, so an event recorded once cannot be recorded twice.
    request_id = _accept(services)
    read = services.requests.get(request_id)
    assert read is not None and read.version == 0
    same_state = StateChange(request_id, read.state, read.state, "served", "test", datetime.now(UTC))
    with services.requests.unit() as uow:
        uow.record(replace(same_state, from_version=read.version))
        uow.commit()
    before = _counts(services)

    with services.requests.unit() as uow, pytest.raises(StateMoved):
        uow.record(replace(same_state, from_version=read.version))
        uow.commit()

    assert _counts(services) == before
    assert services.requests.get(request_id).version == 1  # type: ignore[union-attr]


def test_an_answer_stored_before_is_named_and_its_second_change_writes_nothing(services: Services) -> None:
    first, second = _accept(services, "（2026）鲁0202刑初1号"), _accept(services, "（2026）鲁0202刑初2号")
    with services.requests.unit() as uow:
        uow.record(_change(first, RequestState.RECEIVED, message_id="answer-1"))
        uow.commit()
    before = _counts(services)

    with services.requests.unit() as uow, pytest.raises(AnswerAlreadyApplied):
        uow.record(_change(second, RequestState.RECEIVED, message_id="answer-1"))  # the same answer again
        uow.commit()

    assert _counts(services) == before
    assert services.requests.get(second).state is RequestState.RECEIVED  # type: ignore[union-attr]


def test_leaving_the_unit_without_commit_writes_nothing(services: Services) -> None:
    request_id = _accept(services)
    before = _counts(services)

    with services.requests.unit() as uow:
        uow.record(_change(request_id, RequestState.RECEIVED))

    assert _counts(services) == before


def test_a_relay_pass_marks_its_rows_queues_their_requests_and_audits_them_in_few_statements(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    accepted = [_accept(services, f"（2026）鲁0202刑初{n}号") for n in range(1, 4)]
    withdrawn = accepted[2]
    with services.engine.begin() as conn:  # withdrawn meanwhile: keeps its state, gets no queued record
        conn.execute(requests.update().where(requests.c.id == withdrawn).values(state=RequestState.WITHDRAWN.value))
    claim = services.outbox.claim(10)
    seen = _statements(services, monkeypatch)

    result = claim.record(Confirmations(confirmed=[message.message_id for message in claim.messages]))

    assert (result.claimed, result.sent) == (3, 3)
    if services.engine.dialect.name == "postgresql":
        # outbox marked, requests moved and their audit records: one statement, then the claim's commit
        assert [s for s in seen if s != "COMMIT"] == ["WITH"]
    else:
        assert seen == ["BEGIN", "INSERT", "UPDATE", "UPDATE", "COMMIT"]
    with services.engine.connect() as conn:
        states = dict(conn.execute(sa.select(requests.c.id, requests.c.state)).all())
        queued = conn.execute(
            sa.select(audit_log.c.request_id, audit_log.c.actor, audit_log.c.from_state, audit_log.c.to_state).where(
                audit_log.c.event == "queued"
            )
        ).all()
        unsent = conn.scalar(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))
    assert states == {accepted[0]: "queued", accepted[1]: "queued", withdrawn: "withdrawn"}
    assert sorted(queued) == sorted((rid, "relay", "received", "queued") for rid in accepted[:2])
    assert unsent == 0
