"""Nothing accepted is lost or delivered twice as a new case, while the broker link is cut, the relay and a
gunicorn worker are SIGKILLed, and the agencies' callbacks time out, reset and answer 500.

The gateway runs as an operator runs it: `lagw serve` (gunicorn, 2 workers), `lagw relay`, `lagw deliver`,
on PostgreSQL; RabbitMQ is reached through a TCP proxy the test controls, and so is the agency simulator.
"""

import itertools
import json
import logging
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pika
import pytest
import requests
import sqlalchemy as sa

from devtools.agency_simulator import PASSWORD, USERNAME, WEBHOOK_SECRET, AgencySimulator, running_agency
from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES, demo_agency
from devtools.demo_centre import LAWYER
from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.domain.enums import AgencyType
from gateway.messaging.publisher import ConfirmedPublisher
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.service.ports import Callback
from gateway.store.tables import deliveries, outbox
from tests.faults.load import AgencyClient, Outcome, notices
from tests.support.broker import fresh_vhost, url_via
from tests.support.postgres import fresh_database
from tests.support.processes import LagwProcesses
from tests.support.proxy import TcpProxy

pytestmark = [
    pytest.mark.faults,
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    # A helper thread (the centre, the clients) that dies on an assertion fails the test, not a warning.
    pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning"),
]

NOTICES = int(os.environ.get("LAGW_FAULT_NOTICES", "5000"))
CLIENTS = 12
APPOINT_EVERY = 7  # the centre appoints a lawyer for every 7th notice of the agencies that hear back
CALLBACK_TIMEOUT = 1.0


@dataclass
class Stack:
    """The running gateway and the handles the faults pull on."""

    processes: LagwProcesses
    broker_link: TcpProxy
    callback_link: TcpProxy
    agency: AgencySimulator
    keys: dict[str, str]
    engine: sa.Engine
    amqp_url: str


@dataclass
class Collector:
    """Consumes `legalaid.assignment` directly (not through the proxy), as the centre's system would."""

    amqp_url: str
    message_ids: list[str] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)  # message_id -> the notice's reference
    mismatched: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        channel = connection.channel()
        channel.basic_qos(prefetch_count=500)
        for method, properties, body in channel.consume(ASSIGNMENT_QUEUE, inactivity_timeout=0.2):
            if method is not None:
                message = json.loads(body)
                self.message_ids.append(properties.message_id)
                self.references[properties.message_id] = message["source"]["reference"]
                if message["id"] != properties.message_id:
                    self.mismatched.append(properties.message_id)
                channel.basic_ack(method.delivery_tag)
            if self.stop.is_set():
                break
        channel.cancel()
        connection.close()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the agency simulator's access log
    with fresh_vhost() as amqp_url, fresh_database() as database_url, running_agency() as agency:
        broker_link = TcpProxy(("127.0.0.1", 5672))
        callback_link = TcpProxy(("127.0.0.1", int(agency.base.rsplit(":", 1)[1])))
        agency.base = f"http://127.0.0.1:{callback_link.port}"  # the WSDL and every call go through the proxy
        env = {
            "LAGW_DATABASE_URL": database_url,
            "LAGW_AMQP_URL": url_via(amqp_url, broker_link.port),
            "LAGW_ID_HASH_KEY": "fault-suite-id-hash-key",
            "LAGW_CREDENTIAL_KEY": "fault-suite-credential-key",
            "LAGW_CONSOLE_SECRET": "fault-suite-console-secret",
            "LAGW_DELIVERY_FIRST_RETRY_SECONDS": "0.2",
            "LAGW_DELIVERY_MAX_RETRY_SECONDS": "2",
            "LAGW_DELIVERY_MAX_ATTEMPTS": "1000",
            "LAGW_CALLBACK_TIMEOUT_SECONDS": str(CALLBACK_TIMEOUT),
        }
        services = build_services(Settings.from_env(env))
        keys = {demo.agency.code: services.agencies.add(demo.agency) for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)}
        court, police = demo_agency(AgencyType.COURT).code, demo_agency(AgencyType.POLICE).code
        services.agencies.set_callback(
            court, Callback(kind="soap", url=agency.wsdl_url("court"), secret=PASSWORD, username=USERNAME)
        )
        services.agencies.set_callback(
            police, Callback(kind="webhook", url=f"{agency.base}/webhook", secret=WEBHOOK_SECRET)
        )
        publisher = ConfirmedPublisher(amqp_url)  # the queue exists before the collector consumes
        publisher.connect()
        publisher.close()
        processes = LagwProcesses(env, tmp_path)
        try:
            processes.serve(workers=2, threads=8)
            processes.start("relay", "relay")
            processes.start("deliver", "deliver")
            yield Stack(processes, broker_link, callback_link, agency, keys, services.engine, amqp_url)
        finally:
            processes.stop_all()
            broker_link.close()
            callback_link.close()
            services.engine.dispose()


class FaultPlan:
    """Injects the faults in rounds while the load runs; records what it did and when."""

    def __init__(self, stack: Stack, collector: Collector, gateway_died: threading.Event) -> None:
        self._stack = stack
        self._collector = collector
        self._gateway_died = gateway_died
        self.done: list[tuple[str, float]] = []
        self.first_round_done = threading.Event()
        self.relay_killed_after_publishing: list[int] = []

    def run(self, load_running: threading.Event) -> None:
        """Whole rounds while the load runs (at least one)."""
        steps: list[tuple[str, Callable[[], None]]] = [
            ("broker link cut for 2 s", lambda: self._cut_broker(2.0)),
            ("agency callback answers 500 for 3 s", lambda: self._agency_fails(3.0)),
            ("gunicorn worker SIGKILLed mid-request", self._kill_worker),
            ("broker link cut for 3 s, relay SIGKILLed mid-batch on reconnect", self._kill_relay_mid_batch),
            ("agency callback times out for 3 s", lambda: self._agency_stalls(3.0)),
            ("agency callback link reset for 2 s", lambda: self._cut_callbacks(2.0)),
            ("gunicorn worker SIGKILLed mid-request", self._kill_worker),
        ]
        rounds = 0
        while load_running.is_set() or rounds == 0:
            for name, step in steps:
                time.sleep(1.0)
                if not self._stack.processes.alive("serve"):
                    self._gateway_died.set()  # the clients stop; the test fails on the unanswered notices
                    return
                step()
                self.done.append((name, time.monotonic()))
            rounds += 1
            self.first_round_done.set()

    def _cut_broker(self, seconds: float) -> None:
        self._stack.broker_link.down()
        time.sleep(seconds)
        self._stack.broker_link.up()

    def _cut_callbacks(self, seconds: float) -> None:
        self._stack.callback_link.down()
        time.sleep(seconds)
        self._stack.callback_link.up()

    def _agency_fails(self, seconds: float) -> None:
        self._stack.agency.failing = 500
        time.sleep(seconds)
        self._stack.agency.failing = None

    def _agency_stalls(self, seconds: float) -> None:
        self._stack.agency.stall = CALLBACK_TIMEOUT * 2
        time.sleep(seconds)
        self._stack.agency.stall = 0.0

    def _kill_worker(self) -> None:
        workers = self._stack.processes.workers_of("serve")
        assert workers, "gunicorn has no workers"
        os.kill(workers[0], 9)

    def _kill_relay_mid_batch(self) -> None:
        self._stack.broker_link.down()
        time.sleep(3.0)
        before = len(self._collector.message_ids)
        self._stack.broker_link.up()
        # The backlog of the cut drains in batches; kill as soon as the relay has published part of one.
        deadline = time.monotonic() + 20
        while len(self._collector.message_ids) - before < 5 and time.monotonic() < deadline:
            time.sleep(0.005)
        self._stack.processes.kill("relay")
        self.relay_killed_after_publishing.append(len(self._collector.message_ids) - before)
        time.sleep(0.5)
        self._stack.processes.start("relay", "relay")


class Centre:
    """Appoints lawyers for some accepted notices over REST, as the centre's staff would; retries a lost answer
    with the same Idempotency-Key."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self.todo: queue.Queue[Outcome | None] = queue.Queue()
        self.appointed: set[str] = set()
        # A lawyer per notice: the notices share a case number, and one lawyer may not defend two co-defendants.
        self._licences = itertools.count(13702201810000000)

    def run(self) -> None:
        while (outcome := self.todo.get()) is not None:
            self._appoint(outcome)

    def _appoint(self, outcome: Outcome) -> None:
        assert outcome.request_id is not None and outcome.centre is not None
        now = datetime.now(UTC).replace(microsecond=0)
        lawyer = LAWYER | {"licence_number": str(next(self._licences))}
        body: dict[str, object] = {"lawyer": lawyer, "appointed_at": now.isoformat()}
        if "duty" in outcome.template.target.lower():
            body |= {"duty_place": "看守所值班律师工作站", "duty_time": (now + timedelta(days=1)).isoformat()}
        headers = {
            "Authorization": f"Bearer {self._stack.keys[outcome.centre]}",
            "Idempotency-Key": f"appoint-{outcome.request_id}",
        }
        url = f"{self._stack.processes.base}/api/v1/requests/{outcome.request_id}/appointment"
        for _ in range(200):
            try:
                response = requests.post(url, json=body, headers=headers, timeout=30)
            except requests.RequestException:
                time.sleep(0.2)
                continue
            if response.status_code == 200:
                self.appointed.add(outcome.request_id)
                return
            assert response.status_code in (429, 500, 502, 503), response.text
            time.sleep(0.2)
        raise AssertionError(f"could not appoint a lawyer for {outcome.request_id}")


def _hears_back(outcome: Outcome) -> bool:
    """Court notices and duty-lawyer requests (SOAP callback) and police duty-lawyer requests (webhook);
    applications need a decision first."""
    target = outcome.template.target.lower()
    if "application" in target:
        return False
    return outcome.template.agency.startswith("court") or (
        outcome.template.agency.startswith("police") and "duty" in target
    )


def _settled(stack: Stack, collector: Collector, accepted: set[str], appointed: set[str]) -> bool:
    with stack.engine.connect() as conn:
        unsent = conn.scalar(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))
        undelivered = conn.scalar(
            sa.select(sa.func.count()).select_from(deliveries).where(deliveries.c.state != "delivered")
        )
        delivered = conn.scalar(sa.select(sa.func.count()).select_from(deliveries))
    return unsent == 0 and undelivered == 0 and delivered == len(appointed) and accepted <= set(collector.message_ids)


def test_no_accepted_notice_is_lost_or_duplicated_under_faults(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    collector = Collector(stack.amqp_url)
    threading.Thread(target=collector.run, daemon=True).start()
    centre = Centre(stack)
    centre_thread = threading.Thread(target=centre.run, daemon=True)
    centre_thread.start()
    gateway_died = threading.Event()
    client = AgencyClient(stack.processes.base, stack.keys, gateway_died)
    load_running = threading.Event()
    load_running.set()
    faults = FaultPlan(stack, collector, gateway_died)
    fault_thread = threading.Thread(target=faults.run, args=(load_running,), daemon=True)

    outcomes: list[Outcome] = []
    started = time.monotonic()

    def send(outcome: Outcome) -> Outcome:
        client.send(outcome)
        number = int(outcome.reference.rsplit("-", 1)[1])
        if outcome.request_id is not None and _hears_back(outcome) and number % APPOINT_EVERY == 0:
            centre.todo.put(outcome)
        return outcome

    fault_thread.start()
    source = notices(f"F{int(time.time())}")
    with ThreadPoolExecutor(CLIENTS) as pool:
        # At least NOTICES, and on until every kind of fault has struck once while the load runs.
        while (len(outcomes) < NOTICES or not faults.first_round_done.is_set()) and not gateway_died.is_set():
            outcomes.extend(pool.map(send, itertools.islice(source, 100)))
    load_seconds = time.monotonic() - started
    load_running.clear()
    fault_thread.join(timeout=120)
    centre.todo.put(None)
    centre_thread.join(timeout=300)

    accepted = {o.request_id for o in outcomes if o.request_id is not None}
    deadline = time.monotonic() + 240
    while not _settled(stack, collector, accepted, centre.appointed) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(1.0)  # anything the relay still republished arrives and is counted
    collector.stop.set()

    counts = Counter(collector.message_ids)
    lost = accepted - set(counts)
    duplicates = sum(n - 1 for n in counts.values())
    strays = set(counts) - accepted
    unanswered = [o for o in outcomes if o.request_id is None]
    retried = [o for o in outcomes if o.attempts > 1]
    stored_on_lost_answer = [o for o in retried if o.created is False]
    received = stack.agency.received
    told = Counter(key.split(".")[0] for key in received)
    repeat_calls = sum(entry["calls"] - 1 for entry in received.values())

    report = [
        f"\nfault suite: {len(faults.done)} faults injected during {load_seconds:.0f} s of load "
        f"({len(outcomes) / load_seconds:.0f} notices/s)",
        *(f"  {count} × {name}" for name, count in Counter(name for name, _ in faults.done).items()),
        f"  relay killed after publishing {faults.relay_killed_after_publishing} message(s) of its batch",
        f"notices sent {len(outcomes)} (attempts {sum(o.attempts for o in outcomes)}), accepted {len(accepted)}, "
        f"delivered {len(set(counts) & accepted)}, duplicates {duplicates} (same message_id), lost {len(lost)}",
        f"  retried after no answer or a refusal to wait: {len(retried)}, of which already stored and answered "
        f"as a resend: {len(stored_on_lost_answer)}; never answered: {len(unanswered)}",
        f"appointments {len(centre.appointed)}, agencies told {len(told)} (each once by idempotency key), "
        f"repeat calls with the same key after a timeout or reset {repeat_calls}",
    ]
    with capsys.disabled():  # the figures show in every run, not only when the test fails
        print("\n".join(report))

    assert not lost, f"{len(lost)} accepted notices never reached {ASSIGNMENT_QUEUE}"
    assert not strays, f"messages for notices no agency was told were accepted: {sorted(strays)[:5]}"
    assert not collector.mismatched, "a message's message_id differs from the request id it carries"
    by_reference = {o.reference: o.request_id for o in outcomes}
    assert all(by_reference[collector.references[mid]] == mid for mid in counts), "a message carries another notice"
    assert len(accepted) == len([o for o in outcomes if o.request_id]), "two notices got the same gateway id"
    assert not gateway_died.is_set(), f"the gateway died:\n{stack.processes.log_tail('serve')}"
    assert not unanswered, f"{len(unanswered)} notices were never answered: {unanswered[0].errors[-5:]}"
    assert set(told) == centre.appointed, "an appointment did not reach its agency, or one reached it unasked"
    assert all(count == 1 for count in told.values()), "an agency was told of one appointment under two keys"
    assert {name for name, at in faults.done if at <= started + load_seconds} == {name for name, _ in faults.done}, (
        "a kind of fault was not injected while the load ran"
    )
