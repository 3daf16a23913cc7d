"""The gateway's own CPU per notice, in one process: no server, no load generator, no socket to the caller.

Run with `make bench-inprocess`. Under `make bench` the load generator, the server, the store and the broker
share two cores, and the CPU per notice it reads from /proc moves by a fifth from run to run on the same code.
Here Flask's test client calls the app in the benchmark's own process, and the CPU the process spends is the
application's own work: the request's way through Flask and its hooks, validation, the intake, the store's
statements (on a real SQLite file or PostgreSQL database, so their round trips too). The figures a change to
the write path should move; `make bench` says what a server adds.

Printed beside a bare Flask endpoint in the same process that parses the same body and answers 202: REST court
notices on SQLite and on PostgreSQL, SOAP court notices with a digest token on PostgreSQL; rounds alternate, and
each figure is the median and the least of its rounds.
"""

import contextlib
import copy
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pipeline import NOTICE, PATH, PEOPLE, fresh_database, migrate_store, process_env, register_agencies  # noqa: E402
from bench.serving import SOAP_HEADERS, SOAP_PATH, resident_id, soap_notice  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.bootstrap import build_services  # noqa: E402
from gateway.config import Settings  # noqa: E402

NOTICES = int(os.environ.get("BENCH_INPROCESS_NOTICES", 1000))  # per round and kind
ROUNDS = int(os.environ.get("BENCH_INPROCESS_ROUNDS", 3))
WARM_UP = 50  # calls before each kind's first round: statements prepared, caches filled
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"  # named in the settings; the intake never publishes

Call = Callable[[], int]  # one request; its status


def main() -> None:
    """Measure every kind in alternating rounds and print the figures."""
    print(_machine())
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lagw-bench-")))
        pg_url, _ = stack.enter_context(fresh_database())
        sqlite = _Gateway(process_env(f"sqlite:///{workdir}/bench.sqlite3", AMQP_URL))
        postgresql = _Gateway(process_env(pg_url, AMQP_URL))
        kinds: dict[str, Callable[[int, str], Iterator[Call]]] = {
            "bare Flask endpoint (parse, answer 202)": _bare_calls(),
            "REST court notice, SQLite": sqlite.rest_calls,
            "REST court notice, PostgreSQL": postgresql.rest_calls,
            "SOAP court notice, digest token, PostgreSQL": postgresql.soap_calls,
        }
        figures: dict[str, list[float]] = {kind: [] for kind in kinds}
        for calls in kinds.values():
            _run(calls(WARM_UP, "warm"))
        for round_no in range(ROUNDS):
            for kind, calls in kinds.items():
                figures[kind].append(_run(calls(NOTICES, f"r{round_no}")))
    bare = statistics.median(figures[next(iter(kinds))])
    print(f"\n{'':<46} {'median':>9} {'least':>9}   median / bare")
    for kind, values in figures.items():
        median = statistics.median(values)
        print(f"{kind:<46} {median * 1000:6.3f} ms {min(values) * 1000:6.3f} ms   {median / bare:6.1f} ×")


def _run(calls: Iterator[Call]) -> float:
    """CPU seconds per call, the calls made one after another; every one must succeed."""
    prepared = list(calls)  # bodies and tokens made before the clock starts
    started = time.process_time()
    for call in prepared:
        status = call()
        if status not in (200, 202):
            raise SystemExit(f"a call answered {status}")
    return (time.process_time() - started) / len(prepared)


class _Gateway:
    """The gateway app on one store, its demo agencies registered, called through Flask's test client."""

    def __init__(self, env: dict[str, str]) -> None:
        migrate_store(env)
        self._key = register_agencies(env)
        self._client: FlaskClient = create_app(services=build_services(Settings.from_env(env))).test_client()
        self._headers = {"Authorization": f"Bearer {self._key}", "Content-Type": "application/json"}

    def rest_calls(self, count: int, run: str) -> Iterator[Call]:
        """`count` court notices, each its own number, for one of PEOPLE defendants."""
        for n in range(count):
            notice = copy.deepcopy(NOTICE)
            notice["notice_number"] = f"bench-{run}-{n}"
            notice["defendant"]["id_number"] = resident_id(n % PEOPLE)
            body = json.dumps(notice, ensure_ascii=False).encode("utf-8")
            yield self._post(PATH, body, self._headers)

    def soap_calls(self, count: int, run: str) -> Iterator[Call]:
        """`count` SOAP court notices, each with a fresh PasswordDigest token (nonces are single-use)."""
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for n in range(count):
            body = soap_notice(self._key, f"bench-soap-{run}-{n}", resident_id(n % PEOPLE), created)
            yield self._post(SOAP_PATH, body.encode("utf-8"), SOAP_HEADERS)

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> Call:
        return lambda: self._client.post(path, data=body, headers=headers).status_code


def _bare_calls() -> Callable[[int, str], Iterator[Call]]:
    """The same body to a Flask endpoint that parses it and answers 202, through the same test client."""
    app = Flask("bare")

    @app.post(PATH)
    def accept() -> tuple[dict[str, Any], int]:
        return {"received": request.get_json() is not None}, 202

    client = app.test_client()
    body = json.dumps(NOTICE, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json"}

    def calls(count: int, _run: str) -> Iterator[Call]:
        for _ in range(count):
            yield lambda: client.post(PATH, data=body, headers=headers).status_code

    return calls


def _machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"# In-process benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
        f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; {NOTICES} calls a round, {ROUNDS} rounds, CPU of this process"
    )


if __name__ == "__main__":
    main()
