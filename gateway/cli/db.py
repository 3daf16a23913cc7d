"""`lagw db …`: the store's versioned migrations."""

import click

from gateway.config import Settings, without_password
from gateway.store.engine import make_engine
from gateway.store.migrate import current_revision, head_revision, upgrade_store


@click.group()
def db() -> None:
    """The store's schema: migrate it, or see where it stands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="The migration to bring the store to.")
def db_upgrade(revision: str) -> None:
    """Migrate the store (in one transaction; safe while other processes start)."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url, settings.store_timeout_seconds)
    before = current_revision(engine)
    upgrade_store(engine, revision)
    after = current_revision(engine)
    engine.dispose()
    click.echo(f"{without_password(settings.database_url)}: migration {before or 'none'} -> {after}")


@db.command("current")
def db_current() -> None:
    """The store's migration and the code's newest; exit 1 when the store is behind."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url, settings.store_timeout_seconds)
    current, head = current_revision(engine), head_revision()
    engine.dispose()
    click.echo(f"store {current or 'none'}, code {head}")
    if current != head:
        raise SystemExit(1)
