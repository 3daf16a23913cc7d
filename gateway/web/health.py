"""Liveness and readiness probes."""

import socket
import time
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import Blueprint, jsonify

from gateway.store.engine import READ_ONLY
from gateway.web.context import services

blp = Blueprint("health", __name__)

_AMQP_HEADER = b"AMQP\x00\x00\x09\x01"
_FRAME_METHOD = 1


@blp.get("/healthz")
def healthz() -> Any:
    """The process is up."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz() -> Any:
    """The store answers and the broker takes the gateway's login and virtual host; 503 names what fails."""
    checks = {"store": check_store(), "broker": services().broker_check()}
    ready = all(check["ok"] for check in checks.values())
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.status_code = 200 if ready else 503
    return response


def check_store() -> dict[str, Any]:
    """Whether the store answers a trivial query, and how fast."""
    started = time.perf_counter()
    try:
        with services().engine.connect().execution_options(**READ_ONLY) as conn:  # SQLite: no writers' turn
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_broker(url: str) -> dict[str, Any]:
    """Open a TCP connection and read the broker's Connection.Start; the web process has no AMQP client."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5672
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.settimeout(2)
            sock.sendall(_AMQP_HEADER)
            frame = sock.recv(7)
    except OSError as exc:
        return {"ok": False, "error": type(exc).__name__}
    if not frame or frame[0] != _FRAME_METHOD:
        return {"ok": False, "error": "not an AMQP 0-9-1 broker"}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
