"""Real-RabbitMQ helpers for tests: a throw-away vhost per test, and reading queues."""

import atexit
import contextlib
import json
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pika

AMQP_HOST = "127.0.0.1"
AMQP_PORT = 5672


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "--quiet", *args], check=True, capture_output=True, timeout=120)


class VhostPool:
    """Brand-new vhosts for tests, made ahead and deleted afterwards in batches, one `rabbitmqctl` call each.

    Each call starts an Erlang VM (about a second of CPU); three per test (add, permit, delete) were most of the
    integration suite's time. A batch is made on a thread while tests run, used vhosts are deleted a batch at a
    time, and what is left when the session ends. A broker whose CLI cannot `eval` gets a call per step.
    """

    BATCH = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready: list[str] = []
        self._used: list[str] = []
        self._making: threading.Thread | None = None
        self._deleting: list[threading.Thread] = []
        self._batched = True
        atexit.register(self.close)

    def take(self) -> str:
        """A vhost no test has used, with every permission for guest."""
        with self._lock:
            making = self._making
        if making is not None:
            making.join()
        with self._lock:
            if not self._ready:
                self._make()
            name = self._ready.pop()
            if len(self._ready) < self.BATCH // 2 and self._making is None:
                self._making = threading.Thread(target=self._make_ahead, daemon=True)
                self._making.start()
            return name

    def done(self, name: str) -> None:
        """The test is over: the vhost goes, with the next batch."""
        with self._lock:
            self._used.append(name)
            if len(self._used) < self.BATCH:
                return
            batch, self._used = self._used, []
            deleting = threading.Thread(target=self._delete, args=(batch,), daemon=True)
            self._deleting = [thread for thread in self._deleting if thread.is_alive()] + [deleting]
        deleting.start()

    def close(self) -> None:
        """Delete every vhost the pool made."""
        with self._lock:
            making = self._making
        if making is not None:
            making.join()
        with self._lock:
            batch, self._used, self._ready = self._used + self._ready, [], []
            deleting, self._deleting = self._deleting, []
        if batch:
            self._delete(batch)
        for thread in deleting:
            thread.join()

    def _make_ahead(self) -> None:
        try:
            made = self._made(self.BATCH)
            with self._lock:
                self._ready.extend(made)
        finally:
            with self._lock:
                self._making = None

    def _make(self) -> None:  # holding the lock
        self._ready.extend(self._made(self.BATCH))

    def _made(self, count: int) -> list[str]:
        names = [f"lagw-test-{uuid.uuid4().hex[:12]}" for _ in range(count)]
        if self._batched:
            try:
                _ctl("eval", _erlang_each(names, _ADD))
                return names
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                self._batched = False  # made one by one from now on
                self._delete(names)
        for name in names:
            _ctl("add_vhost", name)
            _ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        return names

    def _delete(self, names: list[str]) -> None:
        # A vhost left behind is named lagw-test-*, and holds nothing of value.
        if self._batched:
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                _ctl("eval", _erlang_each(names, _DELETE))
            return
        for name in names:
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                _ctl("delete_vhost", name)


_ADD = (
    'ok = rabbit_vhost:add(V, <<"lagw-tests">>), '
    'ok = rabbit_auth_backend_internal:set_permissions(<<"guest">>, V, <<".*">>, <<".*">>, <<".*">>, <<"lagw-tests">>)'
)
_DELETE = 'rabbit_vhost:delete(V, <<"lagw-tests">>)'


def _erlang_each(names: list[str], body: str) -> str:
    vhosts = ", ".join(f'<<"{name}">>' for name in names)
    return f"lists:foreach(fun(V) -> {body} end, [{vhosts}])."


_POOL = VhostPool()


@contextmanager
def fresh_vhost() -> Iterator[str]:
    """An AMQP URL on a new, empty vhost, deleted afterwards, so tests never see each other's messages."""
    if shutil.which("rabbitmqctl") is None:
        raise RuntimeError("rabbitmqctl is needed to give each test its own vhost")
    name = _POOL.take()
    try:
        yield f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/{name}"
    finally:
        _POOL.done(name)


def url_via(url: str, port: int) -> str:
    """The same URL reaching the broker through another local port (a proxy)."""
    return url.replace(f":{AMQP_PORT}/", f":{port}/")


def drain_queue(url: str, queue: str) -> list[tuple[Any, Any, bytes]]:
    """Take every message now in the queue (acknowledging them)."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        messages = []
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return messages
            messages.append((method, properties, body))
    finally:
        connection.close()


def queue_depth(url: str, queue: str) -> int:
    """Messages ready in the queue."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def bodies(messages: list[tuple[Any, Any, bytes]]) -> list[dict[str, Any]]:
    """The JSON bodies of drained messages."""
    return [json.loads(body) for _, _, body in messages]
