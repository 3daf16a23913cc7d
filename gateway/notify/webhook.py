"""REST webhooks: JSON signed with HMAC-SHA256 over the timestamp and the body."""

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime

import requests

from gateway.logs import REQUEST_ID_HEADER
from gateway.service.ports import DELIVERED, FAILED, Attempt, Callback, Delivery

SIGNATURE_HEADER = "X-LAGW-Signature"
TIMESTAMP_HEADER = "X-LAGW-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=` + hex HMAC-SHA256(secret, "<timestamp>.<body>"): what the receiver recomputes to verify."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


class WebhookNotifier:
    """POSTs the notice; any 2xx is delivered, anything else (or no answer) a failed attempt."""

    def __init__(self, now: Callable[[], datetime], timeout: float = 10.0) -> None:
        self._now = now
        self._timeout = timeout
        self._session = requests.Session()

    def send(self, callback: Callback, delivery: Delivery) -> Attempt:
        """One attempt at one notice."""
        body = json.dumps(delivery.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        timestamp = str(int(self._now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(callback.secret, timestamp, body),
            IDEMPOTENCY_HEADER: delivery.idempotency_key,
        } | ({REQUEST_ID_HEADER: delivery.http_request_id} if delivery.http_request_id else {})
        try:
            # A redirect is not followed: the agency's answer must not steer a signed notice elsewhere.
            response = self._session.post(
                callback.url, data=body, headers=headers, timeout=self._timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            return Attempt(self._now(), FAILED, error=f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= response.status_code < 300:
            return Attempt(self._now(), DELIVERED, http_status=response.status_code)
        # The status and its reason phrase only: the remote body is neither kept nor shown to staff.
        reason = "".join(ch for ch in (response.reason or "") if ch.isprintable())[:100]
        return Attempt(
            self._now(), FAILED, http_status=response.status_code, error=f"HTTP {response.status_code} {reason}"
        )
