"""The store's replay register: a nonce is accepted once per agency inside the window, on either store."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.store.engine import make_engine
from gateway.store.migrate import upgrade_store
from gateway.store.nonces import _PURGE_EVERY, SqlNonceRegistry
from gateway.store.tables import security_nonces
from tests.support.postgres import fresh_database

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

AT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path}/store.sqlite3")
        upgrade_store(engine)
        yield engine
        engine.dispose()
    else:
        with fresh_database() as url:
            engine = make_engine(url)
            upgrade_store(engine)
            yield engine
            engine.dispose()


def test_a_nonce_is_accepted_once_per_agency(store: sa.Engine) -> None:
    nonces = SqlNonceRegistry(store, WINDOW)
    assert nonces.remember("court-a", "n1", AT)
    assert not nonces.remember("court-a", "n1", AT + timedelta(seconds=1))  # the replay
    assert nonces.remember("court-b", "n1", AT)  # another agency's nonce of the same text
    with store.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(security_nonces)) == 2


def test_nonces_older_than_twice_the_window_are_purged(store: sa.Engine) -> None:
    nonces = SqlNonceRegistry(store, WINDOW)
    assert nonces.remember("court-a", "old", AT)
    later = AT + 3 * WINDOW
    for n in range(_PURGE_EVERY - 1):
        assert nonces.remember("court-a", f"new-{n}", later)
    with store.connect() as conn:
        kept = set(conn.scalars(sa.select(security_nonces.c.nonce)))
    assert "old" not in kept
    assert len(kept) == _PURGE_EVERY - 1
