"""Engine creation: SQLite in WAL mode with immediate write transactions, or PostgreSQL."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from gateway.store.audit import ensure_chain_head
from gateway.store.tables import metadata

READ_ONLY = {"lagw_read_only": True}


def make_engine(url: str, timeout: float = 5.0, **kwargs: Any) -> sa.Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for writes.

    `timeout` bounds every wait on the store (a pooled connection, a lock, a statement), so a slow
    store makes callers fail fast and try again instead of piling up behind it.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": timeout}, hide_parameters=True, **kwargs)
        _configure_sqlite(engine, timeout)
        return engine
    milliseconds = int(timeout * 1000)
    # hide_parameters: bound values (names, ID numbers) never appear in error messages or logs.
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=timeout,
        hide_parameters=True,
        connect_args={
            "connect_timeout": max(1, round(timeout)),
            "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}",
        },
        **kwargs,
    )


def create_schema(engine: sa.Engine) -> None:
    """Create the tables that do not exist yet, and the nullable columns and indexes added since.

    A stop-gap until versioned migrations: it only ever adds, so an older store keeps working.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Adding a column or an index to a large store may take long or wait on a lock: the timeouts
            # that keep requests from piling up are not meant for it.
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
            conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
        metadata.create_all(conn)
        inspector = sa.inspect(conn)
        for table in metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    _add_column(conn, table, column)
            indexes = {index["name"] for index in inspector.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in indexes:
                    index.create(conn)
        ensure_chain_head(conn)


def _add_column(conn: sa.Connection, table: sa.Table, column: sa.Column[Any]) -> None:
    if not column.nullable or column.server_default is not None:
        raise RuntimeError(f"{table.name}.{column.name} cannot be added to an existing table by create_schema")
    column_type = column.type.compile(dialect=conn.dialect)
    conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {column_type}')


def _configure_sqlite(engine: sa.Engine, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
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
        read_only = connection.get_execution_options().get("lagw_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
