"""The gateway's outbound webhook follows no redirect, and keeps no remote body: an agency cannot steer a
signed notice to another address, nor have another service's answer stored and shown to staff."""

from datetime import UTC, datetime

import pytest
from flask import Flask, Response, redirect

from gateway.notify.webhook import WebhookNotifier
from gateway.service.ports import Attempt, Callback, Delivery
from tests.support.server import live_server

pytestmark = pytest.mark.integration

INTERNAL_ANSWER = "internal service: secret configuration"


def _agency() -> tuple[Flask, list[str]]:
    app = Flask(__name__)
    reached: list[str] = []

    @app.post("/hook")
    def hook() -> Response:
        return redirect("/internal", code=307)  # type: ignore[return-value]

    @app.post("/internal")
    def internal() -> tuple[str, int]:
        reached.append("internal")
        return INTERNAL_ANSWER, 200

    @app.post("/broken")
    def broken() -> tuple[str, int]:
        return INTERNAL_ANSWER, 500

    return app, reached


def _delivery() -> Delivery:
    now = datetime.now(UTC)
    return Delivery(1, "req-1", "police-370203", "key-1", "request.assigned", {"id": "req-1"}, "pending", 0, now, None)


def _send_to(app: Flask, path: str) -> Attempt:
    """One webhook attempt at `path` of the agency's server."""
    with live_server(app) as base:
        return WebhookNotifier(lambda: datetime.now(UTC)).send(Callback("webhook", base + path, "secret"), _delivery())


def test_a_redirect_is_a_failed_attempt_and_its_target_is_never_called() -> None:
    app, reached = _agency()
    attempt = _send_to(app, "/hook")

    assert (attempt.outcome, attempt.http_status) == ("failed", 307)
    assert reached == []


def test_a_failed_attempt_keeps_the_status_and_reason_not_the_remote_body() -> None:
    app, _ = _agency()
    attempt = _send_to(app, "/broken")

    assert (attempt.outcome, attempt.http_status) == ("failed", 500)
    assert attempt.error == "HTTP 500 INTERNAL SERVER ERROR"
    assert INTERNAL_ANSWER not in (attempt.error or "")
