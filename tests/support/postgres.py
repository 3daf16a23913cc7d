"""A throw-away PostgreSQL database on the local server, for tests."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

ADMIN_URL = os.environ.get("LAGW_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
# The store the integration suite's gateways run on: `sqlite` (a file per test) or `postgresql` (a database per
# test); `make test` runs the suite on both.
STORE = os.environ.get("LAGW_TEST_STORE", "sqlite")


@contextmanager
def suite_store(folder: Path) -> Iterator[str]:
    """A store URL on the backend LAGW_TEST_STORE names: a SQLite file in `folder`, or a fresh database."""
    if STORE == "postgresql":
        with fresh_database() as url:
            yield url
    elif STORE == "sqlite":
        yield f"sqlite:///{folder}/gateway.sqlite3"
    else:
        raise ValueError(f"LAGW_TEST_STORE must be sqlite or postgresql, not {STORE!r}")


@contextmanager
def fresh_database() -> Iterator[str]:
    """A SQLAlchemy URL of a new empty database, dropped afterwards."""
    name = f"lagw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
