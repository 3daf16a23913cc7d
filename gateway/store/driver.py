"""The statements every notice runs, on the driver's own cursor: rendered once by SQLAlchemy for the store's
dialect, their values converted by the columns' own types, without SQLAlchemy's work per call (measured: about
as much CPU as the driver's own on PostgreSQL, nine tenths of a statement's on SQLite; bench/RESULTS.md).

Only for statements whose result columns need no conversion (text and numbers). When the store's statements
are traced (spans exported), they go through SQLAlchemy like every other, so each is a span.
"""

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa

from gateway import tracing

_ON_THE_DRIVER = {("postgresql", "psycopg"), ("sqlite", "pysqlite")}  # (dialect, driver) it knows how to call


@dataclass(frozen=True)
class _Rendered:
    sql: bytes | str  # PostgreSQL: its own placeholders, $1 … $n, sent as they are; SQLite: `?`
    names: tuple[str, ...]  # the value each placeholder takes, in order
    defaults: dict[str, Any]  # values the statement holds itself (a LIMIT)
    processors: Sequence[tuple[str, Callable[[Any], Any]]]  # each value's conversion by its column's type, if any


class DriverStatement:
    """A statement compiled once per dialect; `rows` runs it on a connection's driver cursor with the values
    named (values it does not bind are ignored)."""

    def __init__(self, statement: sa.Select[Any] | sa.Insert) -> None:
        self._statement = statement
        self._rendered: weakref.WeakKeyDictionary[sa.Dialect, _Rendered] = weakref.WeakKeyDictionary()

    def rows(self, conn: sa.Connection, values: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        """The statement's rows (none for one that returns none); errors as SQLAlchemy raises them."""
        dialect = conn.dialect
        if (dialect.name, dialect.driver) not in _ON_THE_DRIVER or tracing.exporting():
            return self._through_sqlalchemy(conn, values)
        rendered = self._rendered.get(dialect) or self._render(dialect)
        params = rendered.defaults | dict(values)
        for name, process in rendered.processors:
            params[name] = process(params[name])
        ordered = [params[name] for name in rendered.names]
        driver: Any = conn.connection.dbapi_connection
        try:
            if isinstance(rendered.sql, bytes):
                # A raw cursor takes the $n text as it is: psycopg's own cursor would parse it afresh on every
                # call once a statement has more than 50 values (its cache's bound), as a notice's has.
                cursor = psycopg.RawCursor(driver).execute(rendered.sql, ordered)
            else:
                cursor = driver.execute(rendered.sql, ordered)  # sqlite3: in the transaction SQLAlchemy began
            rows: Sequence[tuple[Any, ...]] = cursor.fetchall() if cursor.description is not None else []
            return rows
        except dialect.loaded_dbapi.Error as exc:
            if getattr(driver, "closed", False):
                # The connection is gone, and the driver will send nothing more on it: sent through SQLAlchemy,
                # the statement fails at once as any statement on a lost connection does, and the pool replaces
                # this connection and every one older (they lost their server too).
                self._through_sqlalchemy(conn, values)
            sql = rendered.sql.decode() if isinstance(rendered.sql, bytes) else rendered.sql
            raise sa.exc.DBAPIError.instance(
                sql, None, exc, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
            ) from exc

    def _through_sqlalchemy(self, conn: sa.Connection, values: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        result = conn.execute(self._statement, dict(values))
        return [tuple(row) for row in result] if result.returns_rows else []

    def _render(self, dialect: sa.Dialect) -> _Rendered:
        if dialect.name == "postgresql":
            numbered: Any = type(dialect)  # the same dialect, placeholders numbered
            compiled = self._statement.compile(dialect=numbered(paramstyle="numeric_dollar"))
            sql: bytes | str = compiled.string.encode("utf-8")
        else:
            compiled = self._statement.compile(dialect=dialect)
            sql = compiled.string
        names = compiled.bind_names  # each bound parameter and the name the SQL text gives it
        defaults = {name: bind.value for bind, name in names.items() if not bind.required}  # e.g. a LIMIT
        processors = []
        for bind, name in names.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.append((name, process))
        order = tuple(compiled.positiontup or ())
        rendered = self._rendered[dialect] = _Rendered(sql, order, defaults, processors)
        return rendered
