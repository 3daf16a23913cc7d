"""Versioned migrations of the store (Alembic): `lagw db upgrade`, and the check every process makes at start.

A store made before migrations existed (tables, no version) gets what it lacks of the tables as they stand,
is stamped at the baseline, and the later migrations run on it: each of them therefore tolerates finding its
additions already there.
"""

from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from gateway.store.audit import ensure_chain_head, has_chain_head
from gateway.store.tables import metadata

SCRIPT_LOCATION = "gateway.store:migrations"
BASELINE = "0001"  # the store as it stood when migrations began
# One migrator at a time on PostgreSQL: processes starting together queue behind this advisory lock.
_MIGRATION_LOCK = 0x1A6A_0001


class StoreNotMigrated(RuntimeError):
    """The store is behind the code's migrations and this process may not migrate it."""


def alembic_config() -> Config:
    """Alembic's configuration, without an ini file: the scripts ship inside the package."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    """The newest migration the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    """The store's migration, or None for an empty store or one from before migrations."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_store(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the store to `revision` in one transaction; safe with several processes starting at once."""
    config = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Adding a column or an index to a large store may take long or wait on a lock: the timeouts that
            # keep requests from piling up are not meant for it.
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
            # Never queue for long behind an open transaction: every intake would queue behind the migration.
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = conn
        if _from_before_migrations(conn):
            _add_what_is_missing(conn)
            command.stamp(config, BASELINE)
        command.upgrade(config, revision)
        if revision in ("head", head_revision()):
            ensure_chain_head(conn)  # the head row as the newest tables have it


def require_current(engine: sa.Engine) -> None:
    """StoreNotMigrated unless the store is at the head revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise StoreNotMigrated(
            f"the store is at migration {current or 'none'}, the code needs {head}: run `lagw db upgrade`"
        )


def prepare_store(engine: sa.Engine, migrate: bool) -> None:
    """At a process's start: migrate the store (`LAGW_AUTO_MIGRATE`), or refuse one that is behind."""
    if migrate and current_revision(engine) != head_revision():
        upgrade_store(engine)
        return
    require_current(engine)
    if not has_chain_head(engine):  # a store migrated by an older `lagw db upgrade --revision`
        with engine.begin() as conn:
            ensure_chain_head(conn)


def _from_before_migrations(conn: sa.Connection) -> bool:
    names = set(sa.inspect(conn).get_table_names())
    return "alembic_version" not in names and "requests" in names


def _add_what_is_missing(conn: sa.Connection) -> None:
    """The additions an older store lacks: tables, nullable columns and indexes (nothing was ever removed).

    Generated columns, and the indexes on them, are left to the migrations that add them (each dialect its way).
    """
    metadata.create_all(conn)
    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.computed is None:
                _add_column(conn, table, column)
                present.add(column.name)
        indexes = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes and {column.name for column in index.columns} <= present:
                index.create(conn)


def _add_column(conn: sa.Connection, table: sa.Table, column: sa.Column[Any]) -> None:
    """A nullable column, or a NOT NULL one with a constant server default (every row takes the default)."""
    column_type = column.type.compile(dialect=conn.dialect)
    default = column.server_default
    if column.nullable and default is None:
        conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {column_type}')
        return
    constant = getattr(getattr(default, "arg", None), "text", None)
    if column.nullable or constant is None:
        raise RuntimeError(f"{table.name}.{column.name} cannot be added to an older store")
    conn.exec_driver_sql(
        f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {column_type} NOT NULL DEFAULT {constant}'
    )
