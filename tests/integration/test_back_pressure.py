"""A slow store makes the API answer 503 with Retry-After at once, instead of holding the caller's thread."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from gateway.web.soap.envelope import SOAP11
from tests.support.gateway import EXAMPLE_POSTS, LiveGateway, example, running_gateway
from tests.support.postgres import fresh_database
from tests.support.soap import fault_of, post_envelope, sample_envelope

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

STORE_TIMEOUT = 1.0


@contextmanager
def _gateway(tmp_path: Path, amqp_url: str, store: str) -> Iterator[LiveGateway]:
    if store == "sqlite":
        with running_gateway(tmp_path, amqp_url, settings={"store_timeout_seconds": STORE_TIMEOUT}) as gateway:
            yield gateway
    else:
        with (
            fresh_database() as url,
            running_gateway(
                tmp_path, amqp_url, database_url=url, settings={"store_timeout_seconds": STORE_TIMEOUT}
            ) as gateway,
        ):
            yield gateway


@contextmanager
def _store_locked(gateway: LiveGateway) -> Iterator[None]:
    """Another writer holds the store: SQLite's write lock, or an exclusive lock on PostgreSQL's requests table."""
    url = gateway.services.engine.url
    if url.get_backend_name() == "sqlite":
        blocker = sa.create_engine(url, connect_args={"isolation_level": None})
        with blocker.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield
            conn.exec_driver_sql("ROLLBACK")
        blocker.dispose()
    else:
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(dsn) as conn:
            conn.execute("LOCK TABLE requests IN ACCESS EXCLUSIVE MODE")
            yield
            conn.rollback()


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_locked_store_gets_503_with_retry_after_and_stores_nothing(tmp_path: Path, amqp_url: str, store: str) -> None:
    folder, file_name, path, code = EXAMPLE_POSTS[0]
    with _gateway(tmp_path, amqp_url, store) as gateway:
        before = gateway.row_counts()
        with _store_locked(gateway):
            started = time.monotonic()
            busy = gateway.post(path, code, example(folder, file_name))
            waited = time.monotonic() - started
            soap = post_envelope(
                gateway.base,
                "court",
                sample_envelope("court", "NotifyDefense", SOAP11, code, gateway.keys[code]),
            )
        counts_while_busy = gateway.row_counts()
        after = gateway.post(path, code, example(folder, file_name))

    assert busy.status_code == 503, busy.text
    assert busy.headers["Retry-After"] == "2"
    assert busy.json()["type"] == "/problems/store-busy"
    assert waited < STORE_TIMEOUT * 4, f"the caller waited {waited:.1f} s"
    assert (fault_of(soap)["code"], soap.headers["Retry-After"]) == ("store-busy", "2")
    assert counts_while_busy == before
    assert after.status_code == 202, after.text
