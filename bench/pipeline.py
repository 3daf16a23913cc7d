"""Pipeline benchmark: REST notice → PostgreSQL (request + outbox) → two relays → quorum queue.

Run with `make bench-pipeline`. Two gateways (`lagw serve`) and two relays (`lagw relay`) run as an operator
runs them, on a throw-away PostgreSQL database and RabbitMQ vhost; a consumer on legalaid.assignment stamps
each message's arrival. The same run measures a bare confirmed publisher on the same broker (the relays'
ceiling) and the relays draining a backlog. The figures that matter are the ratios.
"""

import base64
import contextlib
import copy
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pika
import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES  # noqa: E402
from gateway.bootstrap import build_services  # noqa: E402
from gateway.config import Settings  # noqa: E402
from gateway.domain.resident_id import check_character  # noqa: E402
from gateway.messaging.publisher import connection_parameters  # noqa: E402
from gateway.messaging.topology import ASSIGNMENT_QUEUE, declare_topology  # noqa: E402
from gateway.service.messages import REQUESTS_EXCHANGE  # noqa: E402

NOTICES = int(os.environ.get("BENCH_PIPELINE_NOTICES", 3000))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 16))
BACKLOG = int(os.environ.get("BENCH_BACKLOG", 2000))
CEILING_MESSAGES = int(os.environ.get("BENCH_CEILING_MESSAGES", 2000))
ARRIVAL_TIMEOUT = float(os.environ.get("BENCH_ARRIVAL_TIMEOUT", 60))
ADMIN_URL = os.environ.get("LAGW_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
JSON_PATH = os.environ.get("BENCH_PIPELINE_JSON")

PATH = "/api/v1/court/defense-notices"
NOTICE = json.loads((ROOT / "adapters/court/examples/defense-notices.json").read_text(encoding="utf-8"))
PEOPLE = 500  # distinct defendants: a court's day has many, some of them again at a later stage
WARM_UP = 20  # notices per gateway before measuring, excluded from the figures
STOP_GRACE = 15.0  # seconds a process gets after SIGTERM before SIGKILL
SAMPLE_INTERVAL = 0.025  # seconds between two looks at pg_stat_activity
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STOPPING = threading.Event()  # set by SIGTERM: every loop ends at its next look, and the run cleans up


def main() -> int:
    """Run the three phases on a fresh store and vhost; 1 when an accepted notice never reached the queue."""
    signal.signal(signal.SIGTERM, on_sigterm)
    with (
        tempfile.TemporaryDirectory(prefix="lagw-pipeline-") as workdir,
        fresh_database() as (db_url, db_name),
        fresh_vhost() as amqp_url,
    ):
        env = process_env(db_url, amqp_url)
        migrate_store(env)
        key = register_agencies(env)
        fleet = Fleet(env, Path(workdir))
        try:
            figures = run_phases(fleet, key, amqp_url, db_name)
        except Exception:  # a failure, not a stop: show what the processes said
            for name in fleet.names():
                print(f"--- end of {name}.log ---\n{fleet.log_tail(name)}", file=sys.stderr)
            raise
        finally:
            fleet.stop_all()
    print_report(figures)
    if JSON_PATH:
        Path(JSON_PATH).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, separators=(",", ":")))
    return 1 if figures["pipeline"]["lost"] or figures["backlog"]["lost"] else 0


def on_sigterm(_signum: int, _frame: object) -> None:
    """Stop the run, once: a second signal must not interrupt the clean-up."""
    if not STOPPING.is_set():
        STOPPING.set()
        raise SystemExit(143)  # may be swallowed (raised inside a callback); the loops look at STOPPING too


def check_stopping() -> None:
    """End the run here if it was told to stop."""
    if STOPPING.is_set():
        raise SystemExit(143)


# --- the run's store, broker and processes --------------------------------------------------------------


@contextlib.contextmanager
def fresh_database() -> Iterator[tuple[str, str]]:
    """A new empty database on the local server, dropped afterwards: (SQLAlchemy URL, name)."""
    name = f"lagw_bench_{uuid.uuid4().hex[:10]}"
    run_admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name, "postgresql+psycopg"), name
    finally:
        run_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(name: str, scheme: str = "postgresql") -> str:
    """The admin URL pointed at another database of the same server."""
    return scheme + ADMIN_URL.removeprefix("postgresql").rsplit("/", 1)[0] + "/" + name


def run_admin_sql(statement: str) -> None:
    """One statement outside a transaction (CREATE/DROP DATABASE) on the admin database."""
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(statement)  # built from our own uuid, never from input


@contextlib.contextmanager
def fresh_vhost() -> Iterator[str]:
    """An AMQP URL on a new vhost of the local broker, deleted afterwards."""
    name = f"lagw-bench-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        rabbitmqctl("delete_vhost", name)


def rabbitmqctl(*args: str) -> None:
    """Run a rabbitmqctl command, failing loudly."""
    subprocess.run(["rabbitmqctl", "--quiet", *args], check=True, capture_output=True, timeout=60)


def process_env(db_url: str, amqp_url: str) -> dict[str, str]:
    """The environment every `lagw` process of the run shares: fresh keys, no rate limit."""
    return {
        **os.environ,
        "LAGW_DATABASE_URL": db_url,
        "LAGW_AMQP_URL": amqp_url,
        "LAGW_ID_HASH_KEY": secrets.token_hex(32),
        "LAGW_CREDENTIAL_KEY": secrets.token_hex(32),
        "LAGW_CONSOLE_SECRET": secrets.token_hex(32),
        "LAGW_DATA_KEYS": "bench:" + base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        "LAGW_RATE_LIMIT": "",  # the load is one agency: nothing may be refused
        "PYTHONPATH": str(ROOT),
    }


def migrate_store(env: dict[str, str]) -> None:
    """`lagw db upgrade` on the fresh database."""
    command = [sys.executable, "-m", "gateway.cli.main", "db", "upgrade"]
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)


def register_agencies(env: dict[str, str]) -> str:
    """Register the demo agencies and centres; the court's API key."""
    services = build_services(Settings.from_env(env))
    try:
        keys = {demo.agency.code: services.agencies.add(demo.agency) for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)}
    finally:
        services.engine.dispose()
    return keys[DEMO_AGENCIES[0].agency.code]


class Fleet:
    """The run's `lagw` processes, each logging to `<name>.log`; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self._log_dir = log_dir
        self._processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *command: str) -> None:
        """Start `lagw <command>`; its PostgreSQL sessions carry `lagw-<name>` as application name."""
        with (self._log_dir / f"{name}.log").open("ab") as log:
            self._processes[name] = subprocess.Popen(
                [sys.executable, "-m", "gateway.cli.main", *command],
                env={**self.env, "PGAPPNAME": f"lagw-{name}"},
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def serve(self, name: str) -> str:
        """Start a gateway (1 worker, 8 threads) on a free port; its base URL (`wait_healthy` waits for it)."""
        port = free_port()
        self.start(name, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8")
        return f"http://127.0.0.1:{port}"

    def wait_healthy(self, name: str, base: str, timeout: float = 60.0) -> None:
        """Wait until the gateway answers /healthz."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check_stopping()
            self._check_alive(name)
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or the worker still booting
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not answer /healthz within {timeout:.0f} s")

    def wait_log(self, name: str, text: str, timeout: float = 60.0) -> None:
        """Wait until the process has written `text` to its log (a relay's connection, say)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check_stopping()
            self._check_alive(name)
            if text in self.log_tail(name, lines=200):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not log {text!r} within {timeout:.0f} s")

    def stop(self, *names: str) -> None:
        """SIGTERM the named processes, then SIGKILL (with their children) what has not ended in time."""
        running = [(name, self._processes[name]) for name in names if self._processes[name].poll() is None]
        for _, process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for name, process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{name} ignored SIGTERM for {STOP_GRACE:.0f} s: killed", file=sys.stderr)
                for pid in children_of(process.pid):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                process.kill()
                process.wait(10)

    def stop_all(self) -> None:
        """Stop every process of the run."""
        self.stop(*self._processes)

    def names(self) -> list[str]:
        """The names of the processes started so far."""
        return list(self._processes)

    def pids(self, prefix: str) -> list[int]:
        """The live processes whose name starts with `prefix`, with their children (gunicorn's workers)."""
        found: list[int] = []
        for name, process in self._processes.items():
            if name.startswith(prefix) and process.poll() is None:
                found += [process.pid, *children_of(process.pid)]
        return found

    def log_tail(self, name: str, lines: int = 30) -> str:
        """The end of a process's log."""
        path = self._log_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def _check_alive(self, name: str) -> None:
        if self._processes[name].poll() is not None:
            raise RuntimeError(f"{name} exited with status {self._processes[name].returncode}")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def children_of(pid: int) -> list[int]:
    """A process's direct children."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# --- load, arrivals and the bare publisher ----------------------------------------------------------------


@dataclass
class Load:
    """One load's outcome: for each accepted notice (by gateway id) when it was sent and answered."""

    sent: dict[str, float] = field(default_factory=dict)
    answered: dict[str, float] = field(default_factory=dict)
    refused: Counter[str] = field(default_factory=Counter)  # status or error -> count
    started: float = 0.0
    ended: float = 0.0

    @property
    def rate(self) -> float:
        """Accepted notices per second over the load's wall time."""
        return len(self.sent) / max(self.ended - self.started, 1e-6)


def resident_id(n: int) -> str:
    """A valid ID number for the sample defendant (male, born 2010-03-15), one of PEOPLE people."""
    first17 = f"37020220100315{1 + 2 * (n % PEOPLE):03d}"  # an odd sequence digit: male
    return first17 + check_character(first17)


def notice_body(tag: str, n: int) -> bytes:
    """The court's sample notice under its own notice number, for one of PEOPLE defendants."""
    notice = copy.deepcopy(NOTICE)
    notice["notice_number"] = f"{NOTICE['notice_number']}-{tag}-{n}"
    notice["defendant"]["id_number"] = resident_id(n)
    return json.dumps(notice, ensure_ascii=False).encode("utf-8")


def post_notices(bases: list[str], key: str, tag: str, count: int) -> Load:
    """POST `count` distinct notices, CONCURRENCY at a time, round-robin over the gateways."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    local = threading.local()
    load, lock = Load(), threading.Lock()

    def post_one(n: int) -> None:
        """Send notice `n` and record its answer."""
        if STOPPING.is_set():
            return
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        body = notice_body(tag, n)
        sent = time.perf_counter()
        try:
            response = session.post(bases[n % len(bases)] + PATH, data=body, headers=headers, timeout=30)
        except requests.RequestException as exc:
            with lock:
                load.refused[type(exc).__name__] += 1
            return
        answered = time.perf_counter()
        with lock:
            if response.status_code == 202:
                gateway_id = response.json()["id"]
                load.sent[gateway_id], load.answered[gateway_id] = sent, answered
            else:
                load.refused[str(response.status_code)] += 1

    load.started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(post_one, range(count)))
    load.ended = time.perf_counter()
    check_stopping()
    return load


class Arrivals:
    """A consumer of the assignment queue in its own thread and connection: when each message_id arrived."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._times: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._ready, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._consume, name="arrivals", daemon=True)
        self.error: BaseException | None = None
        self.sample: tuple[str, bytes, pika.BasicProperties] | None = None  # a real message, to imitate

    def __enter__(self) -> "Arrivals":
        self._thread.start()
        if not self._ready.wait(30) or self.error is not None:
            raise RuntimeError(f"the consumer did not start: {self.error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def wait_for(self, ids: list[str], timeout: float, at_least: int | None = None) -> dict[str, float]:
        """Wait until every id (or `at_least` of them) arrived, or `timeout` passed; their first arrivals."""
        wanted = len(ids) if at_least is None else at_least
        deadline = time.monotonic() + timeout
        while True:
            check_stopping()
            first = self.first_arrivals(ids)
            if len(first) >= wanted or time.monotonic() > deadline or self.error is not None:
                return first
            time.sleep(0.02)

    def first_arrivals(self, ids: list[str]) -> dict[str, float]:
        """When each of the ids that arrived did so first."""
        with self._lock:
            return {i: self._times[i][0] for i in ids if i in self._times}

    def duplicates(self, ids: list[str]) -> int:
        """Deliveries of these message ids beyond the first of each."""
        with self._lock:
            return sum(len(self._times[i]) - 1 for i in ids if i in self._times)

    def unexpected(self, known: set[str]) -> int:
        """Message ids that arrived but are neither in `known` nor the bare publisher's."""
        with self._lock:
            return sum(1 for i in self._times if i not in known and not i.startswith("ceiling-"))

    def _consume(self) -> None:
        try:
            connection = pika.BlockingConnection(connection_parameters(self._url))
            channel = connection.channel()
            declare_topology(channel)
            channel.basic_consume(ASSIGNMENT_QUEUE, self._on_message, auto_ack=True)
            self._ready.set()
            while not self._stop.is_set():
                connection.process_data_events(time_limit=0.1)
            connection.close()
        except Exception as exc:  # reported by __enter__ or wait_for
            self.error = exc
            self._ready.set()

    def _on_message(self, _channel: Any, method: Any, properties: pika.BasicProperties, body: bytes) -> None:
        now = time.perf_counter()
        with self._lock:
            self._times.setdefault(str(properties.message_id), []).append(now)
        if self.sample is None:
            self.sample = (method.routing_key, body, properties)


def publish_bare(
    url: str, sample: tuple[str, bytes, pika.BasicProperties], ids: list[str], start: threading.Barrier
) -> tuple[float, float]:
    """Publish a real message's body under each id as the relay does, without the outbox: persistent,
    mandatory, one at a time, each waiting for its confirm. (start, end) of the publishing."""
    routing_key, body, model = sample
    connection = pika.BlockingConnection(connection_parameters(url))
    try:
        channel = connection.channel()
        declare_topology(channel)
        channel.confirm_delivery()
        start.wait(30)
        started = time.perf_counter()
        for message_id in ids:
            if STOPPING.is_set():
                break
            properties = pika.BasicProperties(
                content_type=model.content_type,
                delivery_mode=pika.DeliveryMode.Persistent,
                message_id=message_id,
                correlation_id=message_id,
                headers=model.headers,
                timestamp=int(time.time()),
                app_id=model.app_id,
            )
            channel.basic_publish(REQUESTS_EXCHANGE, routing_key, body, properties, mandatory=True)
        return started, time.perf_counter()
    finally:
        connection.close()


def measure_ceiling(url: str, arrivals: Arrivals, publishers: int) -> dict[str, Any]:
    """CEILING_MESSAGES bare confirmed publishes shared by `publishers` connections, started together."""
    sample = arrivals.sample
    if sample is None:
        raise RuntimeError("no message of the gateway's arrived to imitate")
    ids = [f"ceiling-{publishers}-{i}" for i in range(CEILING_MESSAGES)]
    barrier = threading.Barrier(publishers)
    with ThreadPoolExecutor(publishers) as pool:
        spans = list(pool.map(lambda n: publish_bare(url, sample, ids[n::publishers], barrier), range(publishers)))
    wall = max(end for _, end in spans) - min(start for start, _ in spans)
    lost = len(ids) - len(arrivals.wait_for(ids, ARRIVAL_TIMEOUT))
    return {"messages": len(ids), "seconds": round(wall, 3), "rate": round(len(ids) / wall, 1), "lost": lost}


# --- where the time goes: CPU per process group, and what the store's sessions wait on ------------------


class StoreSampler:
    """Looks at pg_stat_activity of the run's database every SAMPLE_INTERVAL, by session (`lagw-<name>`)."""

    def __init__(self, db_name: str) -> None:
        self._db_name = db_name
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="store-sampler", daemon=True)
        self.phase: str | None = None  # samples are counted for the phase set here; None: not counted
        self.states: Counter[tuple[str, str, str]] = Counter()  # (phase, role, what the session does)
        self.looks: Counter[str] = Counter()  # phase -> samples taken
        self.backends: dict[str, set[int]] = {"gateway": set(), "relay": set()}  # role -> backend pids

    def __enter__(self) -> "StoreSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def summary(self, phase: str) -> dict[str, dict[str, Any]]:
        """Per role: sessions busy on average, and the share of busy session-samples in each state."""
        looks = max(1, self.looks[phase])
        result: dict[str, dict[str, Any]] = {}
        for role in self.backends:
            states = {what: n for (p, r, what), n in dict(self.states).items() if p == phase and r == role}
            busy = sum(states.values())
            shares = {what: round(n / busy, 3) for what, n in sorted(states.items(), key=lambda kv: -kv[1])}
            result[role] = {"busy_sessions": round(busy / looks, 2), "states": shares}
        return result

    def lock_waits(self, phase: str) -> dict[str, float]:
        """The share of busy store sessions waiting on a lock (a row's, a transaction's), and how many waited."""
        looks = max(1, self.looks[phase])
        counts = [(what, n) for (p, _, what), n in dict(self.states).items() if p == phase]
        busy = max(1, sum(n for _, n in counts))
        waiting = sum(n for what, n in counts if what.startswith("waiting Lock:"))
        return {"waiting_share": round(waiting / busy, 3), "sessions_waiting": round(waiting / looks, 2)}

    def _sample(self) -> None:
        query = (
            "SELECT pid, application_name, state, wait_event_type, wait_event, query FROM pg_stat_activity"
            " WHERE datname = %s AND backend_type = 'client backend' AND application_name LIKE 'lagw-%%'"
        )
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
            while not self._stop.wait(SAMPLE_INTERVAL):
                rows = conn.execute(query, (self._db_name,)).fetchall()
                self._count(self.phase, rows)

    def _count(self, phase: str | None, rows: list[tuple[Any, ...]]) -> None:
        for pid, name, state, wait_type, wait_event, query in rows:
            role = "gateway" if name.startswith("lagw-gateway") else "relay"
            self.backends[role].add(pid)
            if phase is not None and state not in (None, "idle"):
                self.states[(phase, role, session_state(state, wait_type, wait_event, query))] += 1
        if phase is not None:
            self.looks[phase] += 1


def session_state(state: str, wait_type: str | None, wait_event: str | None, query: str) -> str:
    """A busy session's state in a few words, with the statement it runs (or, between statements, ran last)."""
    statement = statement_name(query)
    if state.startswith("idle in transaction"):
        return f"in transaction, waiting for its client after {statement}"
    if wait_type is None:
        return f"running {statement} (or waiting for a core)"
    return f"waiting {wait_type}:{wait_event} in {statement}"


def statement_name(query: str) -> str:
    """A statement as its verb and the first table it names; the audit chain's statements are named as such."""
    if "audit_chain" in query:
        return "the audit sequencer's head"
    verb = (query.split() or ["?"])[0].upper()
    table = re.search(r"\b(?:INTO|UPDATE|FROM)\s+(\w+)", query, re.IGNORECASE)
    claim = " … FOR UPDATE SKIP LOCKED" if "SKIP LOCKED" in query else ""
    return f"{verb} {table.group(1) if table else ''}".strip() + claim


def cpu_ticks(pids: list[int] | set[int]) -> dict[int, int]:
    """User and system clock ticks each live process has used."""
    ticks: dict[int, int] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def processes_named(command: str) -> set[int]:
    """The pids of the machine's processes running `command`."""
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        with contextlib.suppress(OSError):
            if entry.isdigit() and Path(f"/proc/{entry}/comm").read_text().strip() == command:
                found.add(int(entry))
    return found


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


@dataclass
class CpuMark:
    """CPU used so far by each group of processes of the run, and by the whole machine."""

    groups: dict[str, dict[int, int]]
    bench: float
    machine: tuple[int, int]


def mark_cpu(fleet: Fleet, sampler: StoreSampler) -> CpuMark:
    """Read the CPU counters of the gateways, relays, their PostgreSQL sessions and this script."""
    gateway_sessions, relay_sessions = set(sampler.backends["gateway"]), set(sampler.backends["relay"])
    groups = {
        "gateways": cpu_ticks(fleet.pids("gateway")),
        "relays": cpu_ticks(fleet.pids("relay")),
        "store sessions of the gateways": cpu_ticks(gateway_sessions),
        "store sessions of the relays": cpu_ticks(relay_sessions),
        "RabbitMQ (all vhosts)": cpu_ticks(processes_named("beam.smp")),
        "PostgreSQL's other processes": cpu_ticks(processes_named("postgres") - gateway_sessions - relay_sessions),
    }
    times = os.times()
    return CpuMark(groups, times.user + times.system, machine_ticks())


def cpu_between(before: CpuMark, after: CpuMark) -> dict[str, float]:
    """CPU seconds each group used between two marks; `everything else` is whatever else runs on the machine."""
    used = {
        group: sum(t - before.groups[group].get(pid, 0) for pid, t in ticks.items()) / CLOCK_TICKS
        for group, ticks in after.groups.items()
    }
    used["this script (clients, consumer)"] = after.bench - before.bench
    busy = (after.machine[0] - before.machine[0]) / CLOCK_TICKS
    used["everything else"] = max(0.0, busy - sum(used.values()))
    used["machine busy share"] = (after.machine[0] - before.machine[0]) / max(1, after.machine[1] - before.machine[1])
    return {name: round(value, 3) for name, value in used.items()}


# --- the phases -----------------------------------------------------------------------------------------


def run_phases(fleet: Fleet, key: str, amqp_url: str, db_name: str) -> dict[str, Any]:
    """The pipeline under load, the bare publisher's ceiling, then the relays draining a backlog."""
    load_before = os.getloadavg()[0]  # other work on the machine, before the run adds its own
    bases = [fleet.serve(f"gateway-{i}") for i in (1, 2)]
    with Arrivals(amqp_url) as arrivals, StoreSampler(db_name) as sampler:
        start_relays(fleet, "relay-1", "relay-2", wait=True)
        for i, base in enumerate(bases, 1):
            fleet.wait_healthy(f"gateway-{i}", base)
        warm_up(bases, key, arrivals)
        pipeline = measure_pipeline(fleet, bases, key, arrivals, sampler, db_name)
        fleet.stop("relay-1", "relay-2")
        ceiling = {f"{n}_publisher{'s' if n > 1 else ''}": measure_ceiling(amqp_url, arrivals, n) for n in (1, 2)}
        backlog = measure_backlog(fleet, bases, key, arrivals, sampler, db_name)
        pipeline["unexpected"] = arrivals.unexpected(stored_request_ids(db_name))
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine_facts(load_before),
        "settings": run_settings(fleet, arrivals),
        "pipeline": pipeline,
        "ceiling": ceiling,
        "backlog": backlog,
        "ratios": ratios(pipeline, ceiling, backlog),
    }


def run_settings(fleet: Fleet, arrivals: Arrivals) -> dict[str, Any]:
    """What the run was made with."""
    return {
        "notices": NOTICES,
        "concurrency": CONCURRENCY,
        "backlog": BACKLOG,
        "ceiling_messages": CEILING_MESSAGES,
        "gateways": "2 × lagw serve --workers 1 --threads 8",
        "relays": 2,
        "relay_batch_size": Settings.from_env(fleet.env).relay_batch_size,
        "message_bytes": len(arrivals.sample[1]) if arrivals.sample else None,
    }


def ratios(pipeline: dict[str, Any], ceiling: dict[str, Any], backlog: dict[str, Any]) -> dict[str, float | None]:
    """The figures that travel between machines: each rate against the one it should be compared with."""
    relays = backlog["relay_publish_per_s"]

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 3) if b else None

    return {
        "relays_per_one_bare_publisher": ratio(relays, ceiling["1_publisher"]["rate"]),
        "relays_per_two_bare_publishers": ratio(relays, ceiling["2_publishers"]["rate"]),
        "pipeline_delivered_per_relay_drain": ratio(pipeline["delivered_per_s"], relays),
        "intake_with_relays_per_without": ratio(pipeline["accepted_per_s"], backlog["accepted_per_s"]),
    }


def start_relays(fleet: Fleet, *names: str, wait: bool) -> None:
    """Start relays; with `wait`, until each has connected to the broker."""
    for name in names:
        fleet.start(name, "relay")
    for name in names if wait else ():
        fleet.wait_log(name, "relay connected to the broker")


def warm_up(bases: list[str], key: str, arrivals: Arrivals) -> None:
    """A few notices through both gateways and the relays, so that every process has done the work once."""
    load = post_notices(bases, key, "warm-up", WARM_UP * len(bases))
    if load.refused or len(arrivals.wait_for(list(load.sent), ARRIVAL_TIMEOUT)) < len(load.sent):
        raise RuntimeError(f"the warm-up did not go through: refused {dict(load.refused)}")


def measure_pipeline(
    fleet: Fleet, bases: list[str], key: str, arrivals: Arrivals, sampler: StoreSampler, db_name: str
) -> dict[str, Any]:
    """NOTICES notices with both relays running: accepted and delivered rates, send-to-queue latency."""
    sampler.phase = "pipeline"
    before = mark_cpu(fleet, sampler)
    load = post_notices(bases, key, "load", NOTICES)
    ids = list(load.sent)
    arrived = arrivals.wait_for(ids, ARRIVAL_TIMEOUT)
    after = mark_cpu(fleet, sampler)
    sampler.phase = None
    last = max(arrived.values(), default=load.ended)
    return {
        "accepted": len(ids),
        "refused": dict(load.refused),
        "load_seconds": round(load.ended - load.started, 2),
        "accepted_per_s": round(load.rate, 1),
        "delivered": len(arrived),
        "delivered_per_s": round(len(arrived) / (last - load.started), 1),
        "send_to_queue_ms": percentiles([arrived[i] - load.sent[i] for i in arrived]),
        "send_to_202_ms": percentiles([load.answered[i] - load.sent[i] for i in ids]),
        "202_to_queue_ms": percentiles([arrived[i] - load.answered[i] for i in arrived]),
        "duplicates": arrivals.duplicates(ids),
        "lost": len(ids) - len(arrived),
        "relay_passes": relay_passes(db_name, "load"),
        "cpu_seconds": cpu_between(before, after),
        "lock_waits": sampler.lock_waits("pipeline"),
        "store_sessions": sampler.summary("pipeline"),
    }


def measure_backlog(
    fleet: Fleet, bases: list[str], key: str, arrivals: Arrivals, sampler: StoreSampler, db_name: str
) -> dict[str, Any]:
    """BACKLOG notices while no relay runs, then two relays started: how fast they empty the outbox."""
    load = post_notices(bases, key, "backlog", BACKLOG)
    ids = list(load.sent)
    pending = pending_outbox(db_name)
    sampler.phase = "backlog"
    started = time.perf_counter()
    start_relays(fleet, "relay-3", "relay-4", wait=False)
    first = arrivals.wait_for(ids, ARRIVAL_TIMEOUT, at_least=1)
    before = mark_cpu(fleet, sampler)
    arrived = arrivals.wait_for(ids, ARRIVAL_TIMEOUT)
    after = mark_cpu(fleet, sampler)
    sampler.phase = None
    began, last = min(first.values(), default=started), max(arrived.values(), default=started)
    return {
        "accepted": len(ids),
        "refused": dict(load.refused),
        "accepted_per_s": round(load.rate, 1),
        "send_to_202_ms": percentiles([load.answered[i] - load.sent[i] for i in ids]),
        "outbox_pending_before": pending,
        "relay_start_to_first_s": round(began - started, 2),
        "relay_first_to_last_s": round(last - began, 2),
        "relay_publish_per_s": round(max(0, len(arrived) - 1) / max(last - began, 1e-6), 1),
        "drain_per_s_with_start": round(len(arrived) / max(last - started, 1e-6), 1),
        "duplicates": arrivals.duplicates(ids),
        "lost": len(ids) - len(arrived),
        "outbox_pending_after": wait_outbox_empty(db_name),
        "relay_passes": relay_passes(db_name, "backlog"),
        "cpu_seconds": cpu_between(before, after),
        "lock_waits": sampler.lock_waits("backlog"),
        "store_sessions": sampler.summary("backlog"),
    }


def pending_outbox(db_name: str) -> int:
    """Outbox rows the broker has not confirmed yet."""
    with psycopg.connect(database_url(db_name), connect_timeout=10) as conn:
        row = conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()
    return int(row[0]) if row else 0


def relay_passes(db_name: str, tag: str) -> dict[str, float]:
    """The relays' passes over the phase's rows: a pass marks its rows sent with one timestamp."""
    query = (
        "SELECT count(*) FROM outbox JOIN requests ON requests.id = outbox.request_id"
        " WHERE requests.reference LIKE %s GROUP BY outbox.sent_at"
    )
    with psycopg.connect(database_url(db_name), connect_timeout=10) as conn:
        sizes = [int(row[0]) for row in conn.execute(query, (f"%-{tag}-%",))]
    mean = statistics.mean(sizes) if sizes else 0.0
    return {"passes": len(sizes), "rows_mean": round(mean, 1), "rows_max": max(sizes, default=0)}


def stored_request_ids(db_name: str) -> set[str]:
    """The gateway ids of every request the run stored."""
    with psycopg.connect(database_url(db_name), connect_timeout=10) as conn:
        return {str(row[0]) for row in conn.execute("SELECT id FROM requests")}


def wait_outbox_empty(db_name: str, timeout: float = 10.0) -> int:
    """Give the relays time to mark their last batch sent; the rows still pending then."""
    deadline = time.monotonic() + timeout
    while (pending := pending_outbox(db_name)) and time.monotonic() < deadline:
        check_stopping()
        time.sleep(0.1)
    return pending


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50, p99 and max in milliseconds (nearest rank)."""
    if not seconds:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    ms = sorted(s * 1000 for s in seconds)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return {"p50": round(statistics.median(ms), 1), "p99": round(p99, 1), "max": round(ms[-1], 1)}


def machine_facts(load_before: float) -> dict[str, Any]:
    """Cores, memory and the versions the figures were taken with."""
    with psycopg.connect(ADMIN_URL, connect_timeout=10) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 2**20, 1),
        "python": sys.version.split()[0],
        "postgresql": row[0] if row else None,
        "load_average_1m_before": round(load_before, 2),
    }


# --- the report -------------------------------------------------------------------------------------------


def print_report(figures: dict[str, Any]) -> None:
    """The figures as a small table."""
    s, p, b, r = figures["settings"], figures["pipeline"], figures["backlog"], figures["ratios"]
    print(
        f"\npipeline benchmark {figures['date']}: {s['notices']} notices, {s['concurrency']} clients, "
        f"{s['gateways']}, {s['relays']} relays (batch {s['relay_batch_size']}), {figures['machine']['cores']} cores"
    )
    print(f"  accepted             {p['accepted']:6d}   {p['accepted_per_s']:7.1f} /s   refused {p['refused'] or 0}")
    print(f"  delivered to queue   {p['delivered']:6d}   {p['delivered_per_s']:7.1f} /s   (first send to last arrival)")
    for label, name in (("send → queue", "send_to_queue_ms"), ("send → 202", "send_to_202_ms")):
        print(f"  {label:<20} {_latency(p[name])}")
    print(f"  {'202 → queue':<20} {_latency(p['202_to_queue_ms'])}")
    print(f"  duplicates {p['duplicates']}   lost {p['lost']}   not sent by the run {p['unexpected']}")
    print(f"\nceiling: bare pika, confirms, persistent, mandatory, one at a time, {s['message_bytes']}-byte body")
    for name, c in figures["ceiling"].items():
        print(f"  {name.replace('_', ' '):<20} {c['messages']:6d}   {c['rate']:7.1f} /s   lost {c['lost']}")
    print(f"\nbacklog: {b['accepted']} notices posted with no relay running ({b['accepted_per_s']:.1f} /s accepted)")
    print(
        f"  start → first message {b['relay_start_to_first_s']:.2f} s, first → last {b['relay_first_to_last_s']:.2f} s"
    )
    rate, with_start = b["relay_publish_per_s"], b["drain_per_s_with_start"]
    print(f"  2 relays publish     {rate:7.1f} /s   ({with_start:.1f} /s counting their start-up)")
    print(f"  duplicates {b['duplicates']}   lost {b['lost']}   outbox pending after {b['outbox_pending_after']}")
    one, two = r["relays_per_one_bare_publisher"], r["relays_per_two_bare_publishers"]
    print(f"  ratio relays/ceiling {one} (one bare publisher), {two} (two)")
    for phase in ("pipeline", "backlog"):
        _print_where_time_goes(phase, figures[phase])


def _latency(figures: dict[str, float]) -> str:
    return f"p50 {figures['p50']:7.1f} ms   p99 {figures['p99']:7.1f} ms   max {figures['max']:7.1f} ms"


def _print_where_time_goes(phase: str, figures: dict[str, Any]) -> None:
    cpu = dict(figures["cpu_seconds"])
    busy = cpu.pop("machine busy share")
    passes, locks = figures["relay_passes"], figures["lock_waits"]
    print(f"\nwhere the time goes, {phase} (machine busy {busy:.0%}); CPU seconds:")
    print("  " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items()))
    print(f"  relay passes {passes['passes']}, rows per pass {passes['rows_mean']:.1f} (max {passes['rows_max']})")
    print(
        f"  store sessions waiting on a lock {locks['waiting_share']:.1%} of their busy time "
        f"({locks['sessions_waiting']:.2f} on average; target < 5%)"
    )
    for role, sessions in figures["store_sessions"].items():
        states = ", ".join(f"{what} {share:.0%}" for what, share in list(sessions["states"].items())[:4])
        print(f"  store sessions of the {role}s: {sessions['busy_sessions']:.1f} busy on average; {states}")


if __name__ == "__main__":
    sys.exit(main())
