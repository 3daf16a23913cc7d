"""Real-RabbitMQ helpers for tests: a throw-away vhost per test, and reading queues."""

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pika

AMQP_HOST = "127.0.0.1"
AMQP_PORT = 5672


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "--quiet", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def fresh_vhost() -> Iterator[str]:
    """An AMQP URL on a new, empty vhost, deleted afterwards, so tests never see each other's messages."""
    if shutil.which("rabbitmqctl") is None:
        raise RuntimeError("rabbitmqctl is needed to give each test its own vhost")
    name = f"lagw-test-{uuid.uuid4().hex[:12]}"
    _ctl("add_vhost", name)
    try:
        _ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/{name}"
    finally:
        _ctl("delete_vhost", name)


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
