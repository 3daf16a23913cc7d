"""A gateway for integration tests: fresh SQLite store, registered agencies, live server, relay thread."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from adapters.examples import sample_path
from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES, DemoAgency
from gateway.app import create_app
from gateway.bootstrap import Services, build_services
from gateway.config import Settings
from gateway.messaging.publisher import ConfirmedPublisher
from gateway.messaging.relay import Backoff, Relay
from gateway.notify.callbacks import CallbackNotifier
from gateway.service.delivery import Deliverer, RetryPolicy
from gateway.service.ports import Clock
from gateway.store.outbox_bell import doorbell_for
from gateway.store.tables import audit_log, inbound_payloads, outbox
from gateway.store.tables import requests as requests_table
from tests.support.postgres import suite_store
from tests.support.server import live_server

# (agency folder, example file, API path, agency code) for every sample message.
EXAMPLE_POSTS = [
    (demo.folder, file_name, path, demo.agency.code)
    for demo in DEMO_AGENCIES
    for file_name, path in demo.resources.items()
]


# The demo's agency of each type, by its type (its folder, its REST prefix, its SOAP service's name).
AGENCY_OF_SERVICE = {demo.folder: demo.agency.code for demo in DEMO_AGENCIES}


def created_ids(receipt: dict[str, Any]) -> list[str]:
    """The ids a receipt names: its own, then its companions' (the other persons the document names)."""
    return [receipt["id"], *(companion["id"] for companion in receipt.get("companions", []))]


def example(folder: str, file_name: str) -> dict[str, Any]:
    """A sample message from examples/."""
    loaded: dict[str, Any] = json.loads(sample_path(f"{folder}/{file_name}").read_text(encoding="utf-8"))
    return loaded


@dataclass
class LiveGateway:
    """Handles on a running gateway."""

    base: str
    services: Services
    keys: dict[str, str]

    def post(self, path: str, agency_code: str | None, body: Any = None, **kwargs: Any) -> requests.Response:
        """POST JSON (or raw `data=`) as an agency."""
        headers = dict(kwargs.pop("headers", {}))
        if agency_code is not None:
            headers.setdefault("Authorization", f"Bearer {self.keys[agency_code]}")
        if body is not None:
            kwargs["data"] = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        return requests.post(self.base + path, headers=headers, timeout=10, **kwargs)

    def get(self, path: str, agency_code: str) -> requests.Response:
        """GET as an agency."""
        return requests.get(self.base + path, headers={"Authorization": f"Bearer {self.keys[agency_code]}"}, timeout=10)

    def row_counts(self) -> dict[str, int]:
        """How many rows each table holds."""
        with self.services.engine.connect() as conn:
            return {
                table.name: int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
                for table in (requests_table, inbound_payloads, outbox, audit_log)
            }


@contextmanager
def running_gateway(
    tmp_path: Path,
    amqp_url: str,
    extra: tuple[DemoAgency, ...] = (),
    database_url: str | None = None,
    clock: Clock | None = None,
    app_config: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
) -> Iterator[LiveGateway]:
    """A gateway with the demo agencies registered, served on a live socket (on LAGW_TEST_STORE unless told)."""
    with ExitStack() as stack:
        database_url = database_url or stack.enter_context(suite_store(tmp_path))
        configured = Settings(database_url=database_url, amqp_url=amqp_url, **(settings or {}))
        services = build_services(configured, clock)
        agencies = (*DEMO_AGENCIES, *DEMO_CENTRES, *extra)
        keys = {demo.agency.code: services.agencies.add(demo.agency) for demo in agencies}
        app = create_app(services=services)
        app.config.update(app_config or {})
        with live_server(app) as base:
            yield LiveGateway(base, services, keys)
        services.engine.dispose()


@contextmanager
def running_relay(services: Services, amqp_url: str, idle_interval: float = 1.0) -> Iterator[Relay]:
    """The relay in a thread, with its store's doorbell (as `lagw relay` has) and quick backoff; stopped on exit."""
    relay = Relay(
        services.outbox,
        lambda: ConfirmedPublisher(amqp_url),
        backoff=Backoff(0.05, 0.5),
        idle_interval=idle_interval,
        doorbell=doorbell_for(services.engine),
    )
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        stop.set()
        thread.join(timeout=10)


def wait_for(condition: Any, timeout: float = 15.0, what: str = "condition") -> None:
    """Poll until `condition()` is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def running_deliverer(gateway: LiveGateway, policy: RetryPolicy | None = None) -> Iterator[Deliverer]:
    """The delivery worker in a thread, sending notices back to the agencies; stopped on exit."""
    from adapters.registry import callback_contracts

    services = gateway.services
    worker = Deliverer(
        services.deliveries,
        services.agencies,
        services.transitions,
        CallbackNotifier(callback_contracts(), services.clock.now),
        services.clock,
        policy,
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop, 0.1), daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(timeout=10)
