"""PostgreSQL connections are pinged only after sitting idle in the pool, and a dropped one is replaced."""

from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa

from gateway.store import engine as store_engine
from gateway.store.driver import DriverStatement
from gateway.store.engine import make_engine
from tests.support.postgres import ADMIN_URL, fresh_database

pytestmark = pytest.mark.integration


@pytest.fixture
def engine() -> Iterator[tuple[sa.Engine, list[object]]]:
    """An engine on a fresh database, pool of one, and the list of connections its dialect pinged."""
    with fresh_database() as url:
        engine = make_engine(url, pool_size=1, max_overflow=0)
        pinged: list[object] = []
        ping = engine.dialect.do_ping

        def counting_ping(dbapi_connection: object) -> bool:
            pinged.append(dbapi_connection)
            return ping(dbapi_connection)

        engine.dialect.do_ping = counting_ping  # type: ignore[method-assign]
        try:
            yield engine, pinged
        finally:
            engine.dispose()


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_in_steady_use_is_not_pinged(engine: tuple[sa.Engine, list[object]]) -> None:
    store, pinged = engine
    pids = {_backend_pid(store) for _ in range(5)}
    assert len(pids) == 1  # the pool's one connection, reused
    assert pinged == []  # a round trip saved on every transaction


def test_a_connection_idle_past_the_bound_is_pinged_and_replaced_when_gone(
    engine: tuple[sa.Engine, list[object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, pinged = engine
    first = _backend_pid(store)
    monkeypatch.setattr(store_engine, "PING_AFTER_IDLE_SECONDS", 0.0)  # every checkout counts as after idling
    _terminate(first)
    second = _backend_pid(store)  # no error: the ping found it gone, the pool connected anew
    assert len(pinged) == 1
    assert second != first


def test_a_connection_dropped_while_in_steady_use_fails_once_then_the_pool_recovers(
    engine: tuple[sa.Engine, list[object]],
) -> None:
    store, _pinged = engine
    first = _backend_pid(store)
    _terminate(first)
    with pytest.raises(sa.exc.OperationalError) as failed:
        _backend_pid(store)  # the store answers 503 to this one caller, who sends again
    assert failed.value.connection_invalidated
    assert _backend_pid(store) != first


def test_a_statement_run_on_the_driver_fails_as_sqlalchemy_would_and_the_pool_recovers() -> None:
    statement = DriverStatement(sa.select(sa.func.pg_backend_pid(), sa.bindparam("word", type_=sa.String)))
    with fresh_database() as url:
        store = make_engine(url, pool_size=2, max_overflow=0)
        try:
            with store.connect() as first, store.connect() as second:  # two pooled connections, both in use
                ((first_pid, word),) = statement.rows(first, {"word": "ok"})
                ((second_pid, _word),) = statement.rows(second, {"word": "ok"})
            assert word == "ok"
            _terminate(first_pid)
            _terminate(second_pid)  # a restarted server: every pooled connection lost
            with store.connect() as conn, pytest.raises(sa.exc.OperationalError) as failed:
                statement.rows(conn, {"word": "again"})  # the 503 to one caller, who sends again
            assert failed.value.connection_invalidated
            # The pool replaced the other connection too, unused: the next two callers are served.
            with store.connect() as first, store.connect() as second:
                pids = {statement.rows(first, {"word": "ok"})[0][0], statement.rows(second, {"word": "ok"})[0][0]}
            assert pids.isdisjoint({first_pid, second_pid})
        finally:
            store.dispose()
