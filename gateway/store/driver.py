"""The statements every notice runs, on the driver's own cursor: rendered once by SQLAlchemy for PostgreSQL, their
values converted by the columns' own types, without SQLAlchemy's work per call (measured: about half of what
each statement costs the gateway in CPU, bench/RESULTS.md).

Only for PostgreSQL and only for statements whose result columns need no conversion (text and numbers). When the
store's statements are traced (spans exported), they go through SQLAlchemy like every other, so each is a span.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import psycopg
import sqlalchemy as sa

from gateway import tracing


@dataclass(frozen=True)
class _Rendered:
    sql: bytes  # with PostgreSQL's own placeholders, $1 … $n, which the driver sends as they are
    names: tuple[str, ...]  # the value each placeholder takes, in order
    defaults: dict[str, Any]  # values the statement holds itself (a LIMIT)
    processors: Sequence[tuple[str, Callable[[Any], Any]]]  # each value's conversion by its column's type, if any


class DriverStatement:
    """A statement compiled once; `rows` runs it on a connection's driver cursor with the values named."""

    def __init__(self, statement: sa.Select[Any] | sa.Insert) -> None:
        self._statement = statement
        self._rendered: _Rendered | None = None

    def rows(self, conn: sa.Connection, values: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        """The statement's rows (none for one that returns none); errors as SQLAlchemy raises them."""
        if conn.dialect.name != "postgresql" or tracing.exporting():
            result = conn.execute(self._statement, dict(values))
            return [tuple(row) for row in result] if result.returns_rows else []
        rendered = self._rendered or self._render(conn.dialect)
        params = rendered.defaults | dict(values)
        for name, process in rendered.processors:
            params[name] = process(params[name])
        driver = cast(psycopg.Connection[Any], conn.connection.dbapi_connection)  # the dialect's driver
        try:
            # A raw cursor takes the $n text as it is: psycopg's own cursor would parse it afresh on every call
            # once a statement has more than 50 values (its cache's bound), as a notice's has.
            cursor = psycopg.RawCursor(driver).execute(rendered.sql, [params[name] for name in rendered.names])
            return cursor.fetchall() if cursor.description is not None else []
        except psycopg.Error as exc:
            # A connection the server dropped fails its return to the pool (the rollback), which replaces it.
            raise sa.exc.DBAPIError.instance(
                rendered.sql.decode(), None, exc, psycopg.Error, hide_parameters=True, dialect=conn.dialect
            ) from exc

    def _render(self, dialect: sa.Dialect) -> _Rendered:
        numbered: Any = type(dialect)  # the same dialect, placeholders numbered
        compiled = self._statement.compile(dialect=numbered(paramstyle="numeric_dollar"))
        names = compiled.bind_names  # each bound parameter and the name the SQL text gives it
        defaults = {name: bind.value for bind, name in names.items() if not bind.required}  # e.g. a LIMIT
        processors = []
        for bind, name in names.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.append((name, process))
        order = tuple(compiled.positiontup or ())
        self._rendered = _Rendered(compiled.string.encode("utf-8"), order, defaults, processors)
        return self._rendered
