"""Slow or stalled clients cannot take the gateway's threads, kept-alive connections are reused, and a burst of
new connections is shared between the workers.

`lagw serve` runs as an operator runs it (2 workers × 8 threads); 32 connections send their headers and a
part of their body, then wait, as a slow-loris attacker does without any credentials.
"""

import http.client
import json
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.demo import DEMO_AGENCIES
from gateway.bootstrap import build_services
from gateway.config import Settings
from tests.support.broker import fresh_vhost
from tests.support.gateway import example
from tests.support.processes import LagwProcesses

pytestmark = [pytest.mark.faults, pytest.mark.integration]  # quick: part of every make test

HALF_SENT = 32  # twice the application threads of the server under test
CLIENT_TIMEOUT = 2  # `lagw serve --client-timeout`: seconds of silence before a connection is closed
NOTICES = "/api/v1/court/defense-notices"


@dataclass
class Served:
    """A running `lagw serve` and the court's key."""

    host: str
    port: int
    court_key: str


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with fresh_vhost() as amqp_url:
        env = {
            "LAGW_DATABASE_URL": f"sqlite:///{tmp_path}/gateway.sqlite3",
            "LAGW_AMQP_URL": amqp_url,
            "LAGW_ID_HASH_KEY": "slow-client-id-hash-key",
            "LAGW_CREDENTIAL_KEY": "slow-client-credential-key",
        }
        services = build_services(Settings.from_env(env))
        court = DEMO_AGENCIES[0].agency
        key = services.agencies.add(court)
        services.engine.dispose()
        processes = LagwProcesses(env, tmp_path)
        try:
            base = processes.serve(2, 8, "http", True, "--client-timeout", str(CLIENT_TIMEOUT))
            host, port = base.removeprefix("http://").split(":")
            yield Served(host, int(port), key)
        finally:
            processes.stop_all()


def _notice(n: int) -> bytes:
    body = example("court", "defense-notices.json")
    body["notice_number"] = f"{body['notice_number']}-slow-{n}"
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _half_sent(served: Served, n: int) -> socket.socket:
    """A connection that sent its headers and the first bytes of a notice, then went quiet."""
    body = _notice(n)
    sock = socket.create_connection((served.host, served.port), timeout=10)
    head = (
        f"POST {NOTICES} HTTP/1.1\r\nHost: {served.host}\r\nAuthorization: Bearer {served.court_key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("ascii")
    sock.sendall(head + body[:20])
    return sock


def _timed(served: Served, method: str, path: str, body: bytes | None = None) -> tuple[int, float]:
    """One request on a new connection: its status and how long it took."""
    connection = http.client.HTTPConnection(served.host, served.port, timeout=5)
    headers = {"Authorization": f"Bearer {served.court_key}", "Content-Type": "application/json"}
    started = time.monotonic()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed (or answered and closed) this connection, without waiting."""
    sock.setblocking(False)
    try:
        data = sock.recv(65536)
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)
    return data == b"" or data.startswith(b"HTTP/")


def test_half_sent_requests_neither_stall_the_gateway_nor_stay_open(served: Served) -> None:
    stalled = [_half_sent(served, n) for n in range(HALF_SENT)]
    try:
        time.sleep(0.5)  # every stalled connection has reached a worker by now
        health, health_took = _timed(served, "GET", "/healthz")
        notice, notice_took = _timed(served, "POST", NOTICES, _notice(1000))

        assert (health, notice) == (200, 202)
        assert health_took < 1.0, f"/healthz took {health_took:.2f}s behind {HALF_SENT} stalled clients"
        assert notice_took < 1.0, f"a notice took {notice_took:.2f}s behind {HALF_SENT} stalled clients"

        # Silent for `CLIENT_TIMEOUT` s, each is closed (checked every CLIENT_TIMEOUT / 2 s); none is left open.
        deadline = time.monotonic() + 3 * CLIENT_TIMEOUT + 2
        open_ = list(stalled)
        while open_ and time.monotonic() < deadline:
            time.sleep(0.25)
            open_ = [sock for sock in open_ if not _closed_by_server(sock)]
        assert open_ == [], f"{len(open_)} half-sent request(s) still open after {3 * CLIENT_TIMEOUT + 2} s"
    finally:
        for sock in stalled:
            sock.close()


def test_one_connection_carries_several_requests(served: Served) -> None:
    connection = http.client.HTTPConnection(served.host, served.port, timeout=5)
    headers = {"Authorization": f"Bearer {served.court_key}", "Content-Type": "application/json"}
    try:
        connection.request("GET", "/healthz")
        first = connection.getresponse()
        first.read()
        sock = connection.sock
        connection.request("POST", NOTICES, body=_notice(2000), headers=headers)
        second = connection.getresponse()
        second.read()

        assert (first.status, second.status) == (200, 202)
        assert first.getheader("Connection", "").lower() != "close"
        assert sock is not None and connection.sock is sock  # the same socket: no new connection was opened
    finally:
        connection.close()


def _connections_per_process(port: int) -> dict[int, int]:
    """The established connections to `port` each process holds, from `ss`."""
    listing = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True, check=True
    ).stdout
    pids = [int(pid) for pid in re.findall(r"pid=(\d+)", listing)]
    return {pid: pids.count(pid) for pid in set(pids)}


def _wait_until_both_workers_answer(served: Served) -> None:
    """The server answers once one worker is up; the other may still be loading the app."""
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    while len(seen) < 2 and time.monotonic() < deadline:
        with socket.create_connection((served.host, served.port), timeout=5) as sock:
            sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {served.host}\r\n\r\n".encode("ascii"))
            sock.recv(65536)
            seen |= set(_connections_per_process(served.port))
        time.sleep(0.05)
    assert len(seen) == 2, "the second worker did not answer within 30 s"


def test_a_burst_of_new_connections_is_shared_between_the_workers(served: Served) -> None:
    """Both workers wait on one listening socket: without pacing, the one awake first took all 16 of wrk's
    connections in about half the runs and served them on one core (bench/RESULTS.md, 2026-12-03)."""
    _wait_until_both_workers_answer(served)
    burst = [socket.create_connection((served.host, served.port), timeout=5) for _ in range(16)]
    try:
        for sock in burst:
            sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {served.host}\r\n\r\n".encode("ascii"))
        for sock in burst:
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")  # answered, and kept alive
        held = _connections_per_process(served.port)
    finally:
        for sock in burst:
            sock.close()

    assert sum(held.values()) == 16
    assert len(held) == 2 and max(held.values()) <= 10, f"connections per worker: {sorted(held.values())}"
