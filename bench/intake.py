"""Intake benchmark: the gateway's REST intake beside a bare Flask ceiling, and 202-to-queue latency.

Run with `make bench`. Both servers run under the same gunicorn settings (`gateway.serve.server_options`),
on this machine, in the same run; the figures that matter are the ratios.
"""

import base64
import copy
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pika
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.bootstrap import build_services  # noqa: E402
from gateway.config import Settings  # noqa: E402
from gateway.demo import DEMO_AGENCIES  # noqa: E402
from gateway.domain.resident_id import check_character  # noqa: E402
from gateway.messaging.topology import ASSIGNMENT_QUEUE, declare_topology  # noqa: E402
from gateway.web.soap.samples import SAMPLE_PASSWORD, SAMPLE_USERNAME  # noqa: E402
from gateway.web.soap.security import PASSWORD_DIGEST, PASSWORD_TEXT, WSU, password_digest  # noqa: E402

PATH = "/api/v1/court/defense-notices"
NOTICE = json.loads((ROOT / "examples/court/defense-notices.json").read_text(encoding="utf-8"))
SOAP_PATH = "/soap/court"
SOAP_SAMPLE = (ROOT / "examples/court/NotifyDefense.soap11.xml").read_text(encoding="utf-8")
SOAP_HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 2000))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 16))
LATENCY_REQUESTS = int(os.environ.get("BENCH_LATENCY_REQUESTS", 300))
# An empty PostgreSQL database to measure on instead of a fresh SQLite file (the schema is created in it).
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL")


def main() -> None:
    """Run both servers, print the figures."""
    with tempfile.TemporaryDirectory(prefix="lagw-bench-") as workdir, _vhost() as amqp_url:
        env = {
            **os.environ,
            "LAGW_DATABASE_URL": DATABASE_URL or f"sqlite:///{workdir}/bench.sqlite3",
            "LAGW_AMQP_URL": amqp_url,
            "LAGW_ID_HASH_KEY": uuid.uuid4().hex,
            "LAGW_CREDENTIAL_KEY": uuid.uuid4().hex,
            # The benchmark floods as one agency: the limiter is counted, but never refuses.
            "LAGW_RATE_LIMIT": "1000000/second",
        }
        services = build_services(Settings.from_env(env))
        court = DEMO_AGENCIES[0].agency
        key = services.agencies.add(court)
        services.engine.dispose()
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        print(f"intake benchmark: {REQUESTS} notices, {CONCURRENCY} concurrent clients, {os.cpu_count()} cores\n")

        with _server("bench.baseline_app:app", env) as base:
            ceiling = _load(base, headers, REQUESTS, "ceil")
        with _server("gateway.serve_entry:app", env) as base:
            gateway = _load(base, headers, REQUESTS, "gw")
            soap_text = _load(base, SOAP_HEADERS, REQUESTS, "st", body=_soap_notice(court.code, key, digest=False))
            soap_digest = _load(base, SOAP_HEADERS, REQUESTS, "sd", body=_soap_notice(court.code, key, digest=True))
            _print("bare Flask (ceiling)", ceiling)
            _print("gateway intake, REST", gateway)
            _print("SOAP 1.1, PasswordText", soap_text)
            _print("SOAP 1.1, PasswordDigest", soap_digest)
            print(
                f"  ratio gateway/ceiling: throughput {gateway['rps'] / ceiling['rps']:.2f}, "
                f"p50 latency {gateway['p50'] / ceiling['p50']:.2f}x"
            )
            for label, figures in (("PasswordText", soap_text), ("PasswordDigest", soap_digest)):
                print(
                    f"  ratio SOAP ({label})/REST: throughput {figures['rps'] / gateway['rps']:.2f}, "
                    f"p50 latency {figures['p50'] / gateway['p50']:.2f}x"
                )
            print()
            with _relay(env):
                backlog = _drain_backlog(env)
                queue = _queue_latency(base, headers, amqp_url, LATENCY_REQUESTS)
            print(f"relay publish rate draining the {backlog['count']} notices above: {backlog['rate']:.0f} msg/s")
            print(
                f"202 → message in {ASSIGNMENT_QUEUE} with the relay running ({LATENCY_REQUESTS} notices, sequential):"
            )
            print(f"  p50 {queue['p50']:.1f} ms   p99 {queue['p99']:.1f} ms   max {queue['max']:.1f} ms")


def _drain_backlog(env: dict[str, str]) -> dict[str, float]:
    """Wait for the relay to publish what the load runs stored; return its rate."""
    outbox = build_services(Settings.from_env(env)).outbox
    count = outbox.pending_count()
    started = time.perf_counter()
    while outbox.pending_count():
        time.sleep(0.05)
    return {"count": count, "rate": count / (time.perf_counter() - started)}


def _id_number(n: int) -> str:
    """A valid resident ID for the sample defendant (born 2010-03-15, male), one of 500 people."""
    first17 = f"37020220100315{(2 * (n % 500) + 1):03d}"
    return first17 + check_character(first17)


def _notice(tag: str, n: int) -> bytes:
    body = copy.deepcopy(NOTICE)
    body["notice_number"] = f"bench-{tag}-{n}-{uuid.uuid4().hex[:6]}"
    body["defendant"]["id_number"] = _id_number(n)  # many people, as a court's day would have
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _soap_notice(code: str, key: str, digest: bool) -> Callable[[str, int], bytes]:
    """The court's SOAP sample under a fresh notice number, with a PasswordText or a fresh PasswordDigest token."""

    def build(tag: str, n: int) -> bytes:
        envelope = (
            SOAP_SAMPLE.replace(SAMPLE_USERNAME, code)
            .replace(NOTICE["notice_number"], f"bench-{tag}-{n}-{uuid.uuid4().hex[:6]}")
            .replace(NOTICE["defendant"]["id_number"], _id_number(n))
        )
        if not digest:
            return envelope.replace(SAMPLE_PASSWORD, key).encode("utf-8")
        nonce, created = os.urandom(16), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        token = (
            f"{password_digest(nonce, created, key)}</wsse:Password><wsse:Nonce>{base64.b64encode(nonce).decode()}"
            f'</wsse:Nonce><wsu:Created xmlns:wsu="{WSU}">{created}</wsu:Created>'
        )
        return (
            envelope.replace(PASSWORD_TEXT, PASSWORD_DIGEST)
            .replace(SAMPLE_PASSWORD + "</wsse:Password>", token, 1)
            .encode("utf-8")
        )

    return build


def _load(
    base: str, headers: dict[str, str], count: int, tag: str, body: Callable[[str, int], bytes] = _notice
) -> dict[str, float]:
    local = threading.local()
    soap = body is not _notice
    path, expected = (SOAP_PATH, 200) if soap else (PATH, 202)

    def one(n: int) -> float:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        data = body(tag, n)  # built here: a digest token's Created must be fresh when it is sent
        started = time.perf_counter()
        response = session.post(base + path, data=data, headers=headers, timeout=30)
        elapsed = time.perf_counter() - started
        if response.status_code != expected:
            raise RuntimeError(f"unexpected {response.status_code}: {response.text[:300]}")
        return elapsed

    for n in range(50):  # warm up
        one(-n - 1)
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        latencies = sorted(pool.map(one, range(count)))
    wall = time.perf_counter() - started
    return {"rps": count / wall, **_percentiles(latencies)}


def _percentiles(latencies_s: list[float]) -> dict[str, float]:
    ms = sorted(x * 1000 for x in latencies_s)
    return {
        "p50": statistics.median(ms),
        "p99": ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        "max": ms[-1],
    }


def _print(label: str, figures: dict[str, float]) -> None:
    print(f"{label:<26} {figures['rps']:8.0f} req/s   p50 {figures['p50']:6.1f} ms   p99 {figures['p99']:6.1f} ms")


def _queue_latency(base: str, headers: dict[str, str], amqp_url: str, count: int) -> dict[str, float]:
    arrived: dict[str, float] = {}
    ready = threading.Event()
    stop = threading.Event()

    def consume() -> None:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        channel = connection.channel()
        declare_topology(channel)
        channel.queue_purge(ASSIGNMENT_QUEUE)
        ready.set()
        for method, properties, _ in channel.consume(ASSIGNMENT_QUEUE, auto_ack=True, inactivity_timeout=0.2):
            if method is not None:
                arrived[properties.message_id] = time.perf_counter()
            if stop.is_set():
                break
        connection.close()

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    ready.wait(10)
    accepted: dict[str, float] = {}
    session = requests.Session()
    for n in range(count):
        response = session.post(base + PATH, data=_notice("q", n), headers=headers, timeout=30)
        accepted[response.json()["id"]] = time.perf_counter()
        time.sleep(0.005)
    deadline = time.monotonic() + 30
    while len(set(accepted) & set(arrived)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    latencies = [arrived[i] - accepted[i] for i in accepted if i in arrived]
    if len(latencies) < count:
        raise RuntimeError(f"only {len(latencies)} of {count} notices reached the queue")
    return _percentiles(latencies)


class _vhost:
    """A throw-away vhost on the local broker (the default vhost when rabbitmqctl is absent)."""

    def __enter__(self) -> str:
        self.name = f"lagw-bench-{uuid.uuid4().hex[:8]}" if shutil.which("rabbitmqctl") else None
        if self.name is None:
            return "amqp://guest:guest@127.0.0.1:5672/%2F"
        subprocess.run(["rabbitmqctl", "-q", "add_vhost", self.name], check=True, capture_output=True)
        subprocess.run(
            ["rabbitmqctl", "-q", "set_permissions", "-p", self.name, "guest", ".*", ".*", ".*"],
            check=True,
            capture_output=True,
        )
        return f"amqp://guest:guest@127.0.0.1:5672/{self.name}"

    def __exit__(self, *exc: object) -> None:
        if self.name:
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", self.name], capture_output=True)


class _server:
    """A gunicorn server for `target` on a free port."""

    def __init__(self, target: str, env: dict[str, str]) -> None:
        self.target, self.env = target, env

    def __enter__(self) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench/serve_app.py"), self.target, f"127.0.0.1:{port}"],
            env={**self.env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                requests.post(base + PATH, data=b"{}", timeout=1)
                return base
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still starting
                time.sleep(0.05)
        self.__exit__()  # no server left behind
        raise RuntimeError(f"{self.target} did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(20)


class _relay:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __enter__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "relay"], env=self.env, stderr=subprocess.DEVNULL
        )

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(20)


if __name__ == "__main__":
    main()
