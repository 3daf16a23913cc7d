"""Serving benchmark: wrk against the gateway and its baselines, in one run, on this machine.

Run with `make bench`. Prints, each beside what it is compared with in the same run:
- serving candidates on a bare Flask endpoint (rate, latency, and whether 32 half-sent requests stall it);
- REST intake on SQLite and on PostgreSQL, and SOAP with a digest token, against a bare Flask endpoint and a
  Flask + pika gateway with one confirm per request under the same server settings;
- server CPU per notice (gateway and relay processes, from /proc) and memory per worker;
- 202 → queue p50/p99 at half the maximum rate, with the relay running;
- a relay draining a backlog beside a bare publisher that keeps a pass's confirms outstanding together;
- where a REST notice on PostgreSQL spends the machine's CPU (the gateway, PostgreSQL, the relay, RabbitMQ, wrk)
  and, from that, the CPU a gateway could spend a notice if it were to reach the ratio targets on this machine.
"""

import base64
import contextlib
import copy
import importlib.util
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pika
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import CLOCK_TICKS, Load, process_tree, rss_mb, run_wrk, write_script  # noqa: E402
from bench.pipeline import (  # noqa: E402
    NOTICE,
    PATH,
    PEOPLE,
    Fleet,
    cpu_ticks,
    free_port,
    fresh_database,
    fresh_vhost,
    machine_ticks,
    migrate_store,
    process_env,
    processes_named,
    register_agencies,
    resident_id,
)
from devtools.demo import DEMO_AGENCIES  # noqa: E402
from gateway.bootstrap import build_services  # noqa: E402
from gateway.config import Settings  # noqa: E402
from gateway.messaging.publisher import ConfirmedPublisher  # noqa: E402
from gateway.messaging.topology import ASSIGNMENT_QUEUE, declare_topology  # noqa: E402
from gateway.service.messages import REQUESTS_EXCHANGE  # noqa: E402
from gateway.service.ports import OutboxMessage  # noqa: E402
from gateway.store.audit_sequencer import read_backlog  # noqa: E402
from gateway.store.engine import READ_ONLY, make_engine  # noqa: E402
from gateway.store.tables import outbox, requests  # noqa: E402
from gateway.web.soap.samples import SAMPLE_PASSWORD, SAMPLE_USERNAME  # noqa: E402
from gateway.web.soap.security import PASSWORD_DIGEST, PASSWORD_TEXT, WSU, password_digest  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", 8))  # each flat-out wrk run
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 16))
HALF_SENT = 32
SOAP_PATH = "/soap/court"
SOAP_SAMPLE = (ROOT / "adapters/court/examples/NotifyDefense.soap11.xml").read_text(encoding="utf-8")
JSON_HEADERS = {"Content-Type": "application/json"}
SOAP_HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
RELAY_BATCH = Settings().relay_batch_size

GRANIAN = "granian"
# Serving candidates for the bare endpoint: (label, worker class, connections per worker). gunicorn's gthread
# with as many connections as threads is how the gateway was served before.
CANDIDATES = [
    ("gunicorn + waitress (lagw serve)", "gateway.cli.buffered_worker.BufferedWorker", 1000),
    ("gunicorn gthread, connections = threads", "gthread", 8),
    ("gunicorn gthread, 1000 connections", "gthread", 1000),
]
if importlib.util.find_spec("granian") is not None:  # not a dependency: measured when installed
    CANDIDATES.append(("granian (Rust HTTP, 2 workers × 8 threads)", GRANIAN, 0))


def main() -> None:
    """Run every measurement and print the figures."""
    print(_machine())
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lagw-bench-")))
        amqp_url = stack.enter_context(fresh_vhost())
        sqlite_env = process_env(f"sqlite:///{workdir}/bench.sqlite3", amqp_url)
        pg_url, _ = stack.enter_context(fresh_database())
        pg_env = process_env(pg_url, amqp_url)
        for env in (sqlite_env, pg_env):
            migrate_store(env)
        keys = {"sqlite": register_agencies(sqlite_env), "postgresql": register_agencies(pg_env)}
        rest = _rest_script(keys)

        print("\n## Serving candidates: a bare Flask endpoint (parse the JSON, answer 202)")
        bare: dict[str, Load] = {}
        for label, worker, connections in CANDIDATES:
            with _app_server("bench.baseline_app:app", sqlite_env, worker, connections) as (url, server):
                run_wrk(url + PATH, rest["sqlite"], 1, CONNECTIONS)  # warm-up
                bare[label], spent = _spending(
                    server, partial(run_wrk, url + PATH, rest["sqlite"], SECONDS, CONNECTIONS)
                )
                stall = _half_sent_stall(url)
            cpu = spent.ours / bare[label].answered_ok * 1000
            print(f"{label:<42} {_figures(bare[label])}   CPU {cpu:.2f} ms/req   behind {HALF_SENT} half-sent: {stall}")
            if label == CANDIDATES[0][0]:
                flask, flask_spent = bare[label], spent

        with _app_server("bench.pika_baseline_app:app", sqlite_env, CANDIDATES[0][1], 1000) as (url, _):
            run_wrk(url + PATH, rest["sqlite"], 1, CONNECTIONS)  # warm-up: a connection per thread
            pika_gateway = run_wrk(url + PATH, rest["sqlite"], SECONDS, CONNECTIONS)

        print("\n## Intake (lagw serve, 2 workers × 8 threads), the relay, and the way to the queue")
        print(f"{'bare Flask endpoint':<42} {_figures(flask)}")
        print(f"{'Flask + pika, one confirm per request':<42} {_figures(pika_gateway)}")
        results = {}
        for store, env in (("sqlite", sqlite_env), ("postgresql", pg_env)):
            results[store] = _gateway_runs(store, env, keys[store], rest[store], amqp_url, workdir)
        _ratios(flask, pika_gateway, results)
        _budget(flask, flask_spent, pika_gateway, results["postgresql"])


@dataclass(frozen=True)
class Spent:
    """CPU seconds each part of the machine used over one measurement, and the share of its cores kept busy."""

    ours: float  # the processes measured: a server and its workers, or the relay
    store: float  # PostgreSQL: every session's process, its writers (SQLite lives inside the gateway)
    broker: float  # RabbitMQ
    client: float  # the load generator (wrk; counted once it has ended)
    busy: float


@dataclass(frozen=True)
class _Counters:
    """CPU counters read at one moment: ticks per process of each part, this script's ended children, the
    machine's (busy, total) ticks."""

    ours: dict[int, int]
    store: dict[int, int]
    broker: dict[int, int]
    children: float
    machine: tuple[int, int]

    @classmethod
    def read(cls, ours: Callable[[], list[int]]) -> "_Counters":
        times = os.times()
        return cls(
            cpu_ticks(ours()),
            cpu_ticks(processes_named("postgres")),
            cpu_ticks(processes_named("beam.smp")),
            times.children_user + times.children_system,
            machine_ticks(),
        )

    def spent_until(self, later: "_Counters") -> Spent:
        """What each part used from this reading to `later` (a process started meanwhile counts from zero)."""

        def used(before: dict[int, int], after: dict[int, int]) -> float:
            return sum(ticks - before.get(pid, 0) for pid, ticks in after.items()) / CLOCK_TICKS

        busy = (later.machine[0] - self.machine[0]) / max(1, later.machine[1] - self.machine[1])
        return Spent(
            used(self.ours, later.ours),
            used(self.store, later.store),
            used(self.broker, later.broker),
            later.children - self.children,
            busy,
        )


def _spending(pids: Callable[[], list[int]], run: Callable[[], Load]) -> tuple[Load, Spent]:
    """The load `run` produced, and the CPU the processes `pids` names and the rest of the machine used meanwhile."""
    before = _Counters.read(pids)
    load = run()
    return load, before.spent_until(_Counters.read(pids))


@dataclass
class GatewayRun:
    """What the gateway did on one store."""

    rest: Load
    rest_cpu_ms: float  # gateway processes, per notice accepted
    rest_spent: Spent  # the machine over the flat-out REST run (the relay stopped)
    relay_cpu_ms: float  # the relay, per message it published from the backlog
    drain_spent: Spent  # the machine while the relay drained (the gateway idle)
    drained_messages: int  # the backlog it drained
    drained: float  # messages per second, the relay draining the backlog the load left
    bare: float  # a bare publisher with a pass's confirms outstanding together, the same count, same broker
    soap: Load | None
    soap_cpu_ms: float | None  # gateway processes, per SOAP notice accepted
    paced: float
    queue_p50_ms: float
    queue_p99_ms: float
    worker_rss_mb: list[float]


def _gateway_runs(store: str, env: dict[str, str], key: str, rest: Path, amqp_url: str, workdir: Path) -> GatewayRun:
    """Flat out with no relay (the backlog), the relay draining it, then paced with the relay running."""
    fleet = Fleet(env, workdir)
    gateway, relay = f"gateway-{store}", f"relay-{store}"
    try:
        url = _lagw_serve(fleet, gateway)
        run_wrk(url + PATH, rest, 1, CONNECTIONS, run=f"{store}-warm")  # workers warmed up; joins the backlog
        load, rest_spent = _spending(
            lambda: fleet.pids(gateway), lambda: run_wrk(url + PATH, rest, SECONDS, CONNECTIONS, run=f"{store}-max")
        )
        cpu = rest_spent.ours
        rss = [rss_mb(pid) for pid in fleet.pids(gateway)[1:]]
        _purge(amqp_url)
        backlog, drained, relay_cpu, drain_spent = _drain(fleet, relay, env)
        bare = _bare_publisher(amqp_url, _queued_body(amqp_url), backlog)
        print(f"{'REST, ' + store:<42} {_figures(load)}   CPU {cpu / load.answered_ok * 1000:.2f} ms/notice")
        print(
            f"{'lagw relay draining ' + str(backlog):<42} {drained:8.0f} msg/s   CPU {relay_cpu * 1000:.2f} ms/msg"
            " (its records linked too)"
        )
        print(f"{'bare publisher, same count (median of 3)':<42} {bare:8.0f} msg/s")
        soap, soap_cpu = None, None
        if store == "postgresql":
            # As REST was: the gateway alone flat out (the relay stopped), the relay's cost per message from its
            # drain added in the targets; so the two rates are measured alike.
            fleet.stop(relay)
            script = _soap_script(key, int(load.rate * SECONDS * 1.5) + 500)
            soap, soap_spent = _spending(
                lambda: fleet.pids(gateway), lambda: run_wrk(url + SOAP_PATH, script, SECONDS, CONNECTIONS)
            )
            soap_cpu = soap_spent.ours / soap.answered_ok * 1000
            print(f"{'SOAP 1.1 digest token, ' + store:<42} {_figures(soap)}   CPU {soap_cpu:.2f} ms/notice")
            fleet.start(relay, "relay")  # for the way to the queue
        _wait_outbox_empty(env)
        paced, p50, p99 = _queue_latency(url, key, amqp_url, load.rate / 2, store, env)
        print(f"{'202 → queue at half that rate':<42} {paced:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
        print(f"{'memory per worker (RSS)':<42} " + ", ".join(f"{mb:.0f} MB" for mb in rss))
        return GatewayRun(
            load,
            cpu / load.answered_ok * 1000,
            rest_spent,
            relay_cpu * 1000,
            drain_spent,
            backlog,
            drained,
            bare,
            soap,
            soap_cpu,
            paced,
            p50,
            p99,
            rss,
        )
    finally:
        fleet.stop_all()


def _ratios(flask: Load, pika_gateway: Load, results: dict[str, GatewayRun]) -> None:
    pg = results["postgresql"]
    print("\n## Against the targets (ratios in this run)")
    print(f"REST on PostgreSQL / bare Flask                  {pg.rest.rate / flask.rate:6.2f}   (≥ 0.25)")
    print(f"REST on PostgreSQL / Flask + pika one-confirm    {pg.rest.rate / pika_gateway.rate:6.2f}   (≥ 1.0)")
    if pg.soap is not None and pg.soap_cpu_ms is not None:
        print(f"SOAP / REST on PostgreSQL                        {pg.soap.rate / pg.rest.rate:6.2f}   (≥ 0.7)")
        print(f"CPU per SOAP notice, gateway + relay             {pg.soap_cpu_ms + pg.relay_cpu_ms:6.2f} ms   (≤ 2.5)")
    for store, run in results.items():
        print(
            f"CPU per REST notice, gateway + relay, {store:<10} {run.rest_cpu_ms + run.relay_cpu_ms:6.2f} ms   (≤ 1.5)"
        )
        print(f"relay drain / bare publisher, {store:<10}         {run.drained / run.bare:6.2f}   (≥ 0.5)")
        print(f"202 → queue p99 at half rate, {store:<10}         {run.queue_p99_ms:6.1f} ms   (< 100)")
        print(f"largest worker RSS, {store:<10}                   {max(run.worker_rss_mb):6.0f} MB   (< 120)")


def _budget(flask: Load, flask_spent: Spent, pika_gateway: Load, pg: GatewayRun) -> None:
    """Where a REST notice on PostgreSQL spends the machine's CPU in this run, and what the ratio targets would
    leave the gateway: at a rate R the machine's cores give each notice cores / R of CPU, for all of its work."""
    cores = os.cpu_count() or 1
    notices, messages = pg.rest.answered_ok, max(1, pg.drained_messages)  # a court notice is one message
    parts = {
        "gateway (lagw serve)": pg.rest_spent.ours / notices,
        "PostgreSQL, the notice's writes": pg.rest_spent.store / notices,
        "wrk, sending it": pg.rest_spent.client / notices,
        "lagw relay, its message": pg.drain_spent.ours / messages,
        "PostgreSQL, the relay's claim and marks": pg.drain_spent.store / messages,
        "RabbitMQ, taking the message": (pg.rest_spent.broker / notices) + pg.drain_spent.broker / messages,
    }
    total = sum(parts.values())
    rest = total - parts["gateway (lagw serve)"]
    print("\n## The machine's CPU for one REST notice on PostgreSQL (this run)")
    for part, seconds in parts.items():
        print(f"{part:<42} {seconds * 1000:6.3f} ms")
    print(f"{'all of it':<42} {total * 1000:6.3f} ms   ({cores} cores serve at most {cores / total:.0f} notices/s;"
          f" {pg.rest_spent.busy:.0%} of them busy in the flat-out run)")  # fmt: skip
    print(f"{'bare Flask endpoint, one request served':<42} {flask_spent.ours / flask.answered_ok * 1000:6.3f} ms")
    for target, rate in (("0.25 × bare Flask", 0.25 * flask.rate), ("1.0 × one-confirm", pika_gateway.rate)):
        left = cores / rate - rest
        print(
            f"REST at {target} ({rate:.0f}/s): {cores / rate * 1000:.3f} ms a notice for all of it;"
            f" the gateway's share at most {left * 1000:.3f} ms"
        )


def _drain(fleet: Fleet, relay: str, env: dict[str, str]) -> tuple[int, float, float, Spent]:
    """Start the relay on the backlog; (backlog, messages per second from its connection to the broker on until
    the outbox is empty, relay CPU per message until then and until the audit sequencer beside it has linked every
    record: the intake's and the relay's, linked after the drain; the machine's CPU over the same time)."""
    services = build_services(Settings.from_env(env))
    backlog = services.outbox.pending_count()
    fleet.start(relay, "relay")
    deadline = time.monotonic() + 60
    # Start-up (imports, the store, the topology) is not counted: the clock starts when it has connected.
    while "relay connected to the broker" not in fleet.log_tail(relay, 200):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the relay did not connect:\n{fleet.log_tail(relay)}")
        time.sleep(0.005)
    before = _Counters.read(lambda: fleet.pids(relay))
    started = time.monotonic()
    while _any_unsent(services.engine):
        time.sleep(0.005)
    took = time.monotonic() - started
    deadline = time.monotonic() + 60
    while _unlinked(services.engine) > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    spent = before.spent_until(_Counters.read(lambda: fleet.pids(relay)))
    services.engine.dispose()
    return backlog, backlog / took, spent.ours / max(backlog, 1), spent


# Whether a row is left, in one probe of the unsent index: counting them, 200 times a second, cost the run's own
# process 0.03 ms of CPU per message drained (a fifth of the relay's own on SQLite), taken from the two cores the
# relay shares with the store and the broker, where the bare publisher beside it runs unwatched.
_ANY_UNSENT = sa.select(outbox.c.id).where(outbox.c.sent_at.is_(None)).limit(1)


def _any_unsent(engine: sa.Engine) -> bool:
    with engine.connect().execution_options(**READ_ONLY) as conn:  # SQLite: no write lock taken from the relay
        return conn.execute(_ANY_UNSENT).first() is not None


def _unlinked(engine: sa.Engine) -> int:
    with engine.connect().execution_options(**READ_ONLY) as conn:
        return read_backlog(conn).unlinked


ROUTING_KEY = "notify_defense.lac370202"  # the demo centre's queue binding


def _bare_publisher(amqp_url: str, body: bytes, count: int, runs: int = 3) -> float:
    """Messages per second from one connection publishing passes of RELAY_BATCH, their confirms awaited together:
    the median of `runs` runs of `count` messages (a run of a few thousand lasts a few tenths of a second, and one
    alone varied by a third from run to run)."""
    rates = []
    for run in range(runs):
        publisher = ConfirmedPublisher(amqp_url)
        publisher.connect()
        try:
            messages = [
                OutboxMessage(f"bare-{run}-{n}", REQUESTS_EXCHANGE, ROUTING_KEY, body, {"schema": "bench"})
                for n in range(count)
            ]
            started = time.monotonic()
            for start in range(0, count, RELAY_BATCH):
                said = publisher.publish_all(messages[start : start + RELAY_BATCH])
                if said.interrupted or said.refused:
                    raise RuntimeError(f"the bare publisher was refused or cut: {said}")
            rates.append(count / (time.monotonic() - started))
        finally:
            publisher.close()
            _purge(amqp_url)
    return statistics.median(rates)


def _queue_latency(
    url: str, key: str, amqp_url: str, rate: float, store: str, env: dict[str, str]
) -> tuple[float, float, float]:
    """Send at `rate` for a while; the achieved rate and the p50/p99 from receipt to the assignment queue.

    Receipt is the request's `received_at` as the store keeps it (to the microsecond; the message carries it to
    the second only), arrival the consumer's clock when the message comes in (message id = request id).
    """
    _purge(amqp_url)
    arrived: dict[str, float] = {}
    stop = threading.Event()
    ready = threading.Event()

    def consume() -> None:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        channel = connection.channel()
        ready.set()
        for method, properties, _body in channel.consume(ASSIGNMENT_QUEUE, auto_ack=True, inactivity_timeout=0.1):
            if method is not None:
                arrived[properties.message_id] = time.time()
            if stop.is_set():
                break
        connection.close()

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    ready.wait(10)
    connections = 4
    pace_ms = max(1, round(connections * 1000 / max(rate, 1)))
    paced = write_script(PATH, _rest_headers(key), template=_template(), ids=_ids(), pace_ms=pace_ms)
    load = run_wrk(url + PATH, paced, SECONDS, connections, threads=2, run=f"{store}-paced")
    deadline = time.monotonic() + 30
    while len(arrived) < load.answered_ok and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    received = _received_at(env, list(arrived))
    ms = sorted((arrived[rid] - received[rid]) * 1000 for rid in arrived if rid in received)
    if not ms:
        raise RuntimeError("no message reached the assignment queue")
    return load.rate, statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.99))]


def _received_at(env: dict[str, str], request_ids: list[str]) -> dict[str, float]:
    """When the gateway received each request, from the store (POSIX seconds)."""
    engine = make_engine(Settings.from_env(env).database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(requests.c.id, requests.c.received_at).where(requests.c.id.in_(request_ids))
            ).all()
    finally:
        engine.dispose()
    return {row.id: row.received_at.timestamp() for row in rows}


# --- servers ---------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _app_server(
    target: str, env: dict[str, str], worker: str, connections: int
) -> Iterator[tuple[str, Callable[[], list[int]]]]:
    """An app object under `lagw serve`'s settings, with another worker class or connection count: its URL, and
    its processes (the server and its workers)."""
    port = free_port()
    command = [sys.executable, str(ROOT / "bench/serve_app.py"), target, f"127.0.0.1:{port}", worker, str(connections)]
    if worker == GRANIAN:
        workers = ["--workers", str(os.cpu_count() or 2), "--blocking-threads", "8", "--log-level", "error"]
        command = [sys.executable, "-m", "granian", "--interface", "wsgi", "--port", str(port), *workers, target]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, process)
        yield f"http://127.0.0.1:{port}", lambda: process_tree(process.pid)
    finally:
        process.terminate()
        process.wait(20)


def _lagw_serve(fleet: Fleet, name: str) -> str:
    port = free_port()
    fleet.start(name, "serve", "--bind", f"127.0.0.1:{port}")
    base = f"http://127.0.0.1:{port}"
    fleet.wait_healthy(name, base)
    return base


def _wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            time.sleep(1.0)  # the workers boot after the master listens
            return
        time.sleep(0.1)
    raise RuntimeError("the server did not listen in time")


def _half_sent_stall(url: str) -> str:
    """Open HALF_SENT requests that stop mid-body, then time one whole request."""
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps({"notice_number": "x" * 64}).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    stalled = []
    try:
        for _ in range(HALF_SENT):
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(head.encode() + body[:10])
            stalled.append(sock)
        time.sleep(0.5)
        started = time.monotonic()
        with socket.create_connection((host, int(port)), timeout=3) as sock:
            sock.sendall(head.encode() + body)
            try:
                answered = sock.recv(64).startswith(b"HTTP/1.1 202")
            except TimeoutError:
                answered = False
        took = time.monotonic() - started
        return f"answered in {took * 1000:.0f} ms" if answered else f"STALLED (no answer in {took:.0f} s)"
    finally:
        for sock in stalled:
            sock.close()


# --- what wrk sends ------------------------------------------------------------------------------------------


def _template() -> str:
    body = copy.deepcopy(NOTICE)
    body["notice_number"] = "bench-__N__"
    body["defendant"]["id_number"] = "__ID__"
    return json.dumps(body, ensure_ascii=False)


def _ids() -> list[str]:
    return [resident_id(n) for n in range(PEOPLE)]


def _rest_headers(key: str) -> dict[str, str]:
    return {**JSON_HEADERS, "Authorization": f"Bearer {key}"}


def _rest_script(keys: dict[str, str]) -> dict[str, Path]:
    return {store: write_script(PATH, _rest_headers(key), _template(), _ids()) for store, key in keys.items()}


def _soap_script(key: str, count: int) -> Path:
    """`count` SOAP notices, each with its own number and a fresh PasswordDigest token (nonces are single-use)."""
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    bodies = [soap_notice(key, f"bench-soap-{n}", resident_id(n % PEOPLE), created) for n in range(count)]
    return write_script(SOAP_PATH, SOAP_HEADERS, bodies=bodies, per_thread=count // 2)


def soap_notice(key: str, number: str, id_number: str, created: str) -> str:
    """The court's sample envelope as notice `number` for defendant `id_number`, with a fresh PasswordDigest token
    made at `created` from the court's API key."""
    nonce = os.urandom(16)
    token = (
        f"{password_digest(nonce, created, key)}</wsse:Password><wsse:Nonce>{base64.b64encode(nonce).decode()}"
        f'</wsse:Nonce><wsu:Created xmlns:wsu="{WSU}">{created}</wsu:Created>'
    )
    return (
        SOAP_SAMPLE.replace(SAMPLE_USERNAME, DEMO_AGENCIES[0].agency.code)
        .replace(NOTICE["notice_number"], number)
        .replace(NOTICE["defendant"]["id_number"], id_number)
        .replace(PASSWORD_TEXT, PASSWORD_DIGEST)
        .replace(SAMPLE_PASSWORD + "</wsse:Password>", token, 1)
    )


# --- helpers ---------------------------------------------------------------------------------------------------


def _wait_outbox_empty(env: dict[str, str], timeout: float = 120) -> None:
    outbox = build_services(Settings.from_env(env)).outbox
    deadline = time.monotonic() + timeout
    while outbox.pending_count() and time.monotonic() < deadline:
        time.sleep(0.1)


def _purge(amqp_url: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        declare_topology(channel)
        channel.queue_purge(ASSIGNMENT_QUEUE)
    finally:
        connection.close()


def _queued_body(amqp_url: str) -> bytes:
    """A real request message's body as the relay published it (the bare publisher sends the same size)."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        method, _, body = connection.channel().basic_get(ASSIGNMENT_QUEUE, auto_ack=False)
        if method is None:
            raise RuntimeError("the relay left nothing in the assignment queue")
        return bytes(body)
    finally:
        connection.close()


def _figures(load: Load) -> str:
    errors = f"   errors {load.status_errors + load.socket_errors}" if load.status_errors or load.socket_errors else ""
    return f"{load.rate:8.0f} req/s   p50 {load.p50_ms:6.1f} ms   p99 {load.p99_ms:6.1f} ms{errors}"


def _machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return (
        f"# Serving benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
        f"{os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, {wrk}; "
        f"wrk {CONNECTIONS} connections, 2 threads, {SECONDS:.0f} s a run"
    )


if __name__ == "__main__":
    main()
