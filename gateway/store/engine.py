"""Engine creation: SQLite in WAL mode with immediate write transactions, or PostgreSQL."""

import sqlite3
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from gateway.store.sqlite_writers import connect_args, writer_queue

READ_ONLY = {"lagw_read_only": True}
BEGIN_WRITE = "BEGIN IMMEDIATE"  # SQLite: the write lock taken up front
# A pooled PostgreSQL connection idle longer than this is pinged before use; one in steady use is not, which saves
# a round trip per transaction. A connection the server dropped meanwhile fails its first statement, and the pool
# then replaces every connection older than the failure (SQLAlchemy's pool invalidation); a failed ping does the
# same, so the others that sat idle are not handed out to fail in turn.
PING_AFTER_IDLE_SECONDS = 2.0
_IDLE_SINCE = "lagw_idle_since"


def make_engine(url: str, timeout: float = 5.0, **kwargs: Any) -> sa.Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for writes.

    `timeout` bounds every wait on the store (a pooled connection, a lock, a statement), so a slow
    store makes callers fail fast and try again instead of piling up behind it.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args=connect_args(timeout), hide_parameters=True, **kwargs)
        _configure_sqlite(engine, timeout)
        return engine
    milliseconds = int(timeout * 1000)
    # hide_parameters: bound values (names, ID numbers) never appear in error messages or logs.
    engine = sa.create_engine(
        url,
        pool_timeout=timeout,
        hide_parameters=True,
        connect_args={
            "connect_timeout": max(1, round(timeout)),
            "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}",
        },
        **kwargs,
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: sa.Engine) -> None:
    """Ping a connection at checkout only when it sat in the pool past PING_AFTER_IDLE_SECONDS."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # just made, or in steady use
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.InvalidatePoolError("the pooled connection is gone") from exc
        if not alive:
            raise sa.exc.InvalidatePoolError("the pooled connection is gone")


def _configure_sqlite(engine: sa.Engine, timeout: float) -> None:
    writers = writer_queue(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.writers = writers
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # an accepted notice survives a power cut
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Writers take the lock up front, so two writers never deadlock upgrading a read lock.
        if connection.get_execution_options().get("lagw_read_only", False):
            connection.exec_driver_sql("BEGIN")
            return
        dbapi_connection = connection.connection.driver_connection
        try:
            dbapi_connection.take_turn(timeout)  # type: ignore[union-attr]  # given up when the transaction ends
        except sqlite3.OperationalError as exc:  # as SQLite's own busy timeout would have said it
            raise sa.exc.OperationalError(BEGIN_WRITE, None, exc) from exc
        try:
            connection.exec_driver_sql(BEGIN_WRITE)
        except BaseException:
            dbapi_connection.end_turn()  # type: ignore[union-attr]
            raise
