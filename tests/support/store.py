"""A store with the demo agencies and court notices in it, on SQLite or a fresh PostgreSQL database."""

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient

from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES
from gateway.app import create_app
from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.service.ports import Clock
from tests.support.gateway import example
from tests.support.postgres import fresh_database

COURT = "court-370202"
COURT_NOTICES = "/api/v1/court/defense-notices"


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A SQLite file in tmp_path, or a throw-away PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/store.sqlite3"
    else:
        with fresh_database() as url:
            yield url


class StoreWithNotices:
    """Services on a store, and a REST client that posts court notices into it (no broker needed)."""

    def __init__(self, url: str, clock: Clock | None = None) -> None:
        self.services = build_services(Settings(database_url=url), clock)
        agencies = (*DEMO_AGENCIES, *DEMO_CENTRES)
        self.keys = {demo.agency.code: self.services.agencies.add(demo.agency) for demo in agencies}
        self.client: FlaskClient = create_app(services=self.services).test_client()

    def post_court_notice(self, n: int) -> str:
        """Accept the court's sample notice under its own number; the new request's id."""
        body = copy.deepcopy(example("court", "defense-notices.json"))
        body["notice_number"] = f"{body['notice_number']}-{n}"
        response = self.client.post(COURT_NOTICES, json=body, headers={"Authorization": f"Bearer {self.keys[COURT]}"})
        assert response.status_code == 202, response.get_json()
        request_id: str = response.get_json()["id"]
        return request_id

    def withdraw(self, request_id: str) -> None:
        """The court withdraws its notice (a second audited transition)."""
        response = self.client.post(
            f"/api/v1/requests/{request_id}/withdrawal",
            json={"reason": "retained_lawyer"},
            headers={"Authorization": f"Bearer {self.keys[COURT]}"},
        )
        assert response.status_code == 200, response.get_json()

    def execute(self, statement: str, **params: object) -> None:
        """Change the store behind the gateway's back, as someone with database access could."""
        with self.services.engine.begin() as conn:
            conn.execute(sa.text(statement), params)


@contextmanager
def store_with_notices(backend: str, tmp_path: Path, clock: Clock | None = None) -> Iterator[StoreWithNotices]:
    """A StoreWithNotices on the backend, disposed afterwards."""
    with database_url(backend, tmp_path) as url:
        store = StoreWithNotices(url, clock)
        try:
            yield store
        finally:
            store.services.engine.dispose()
