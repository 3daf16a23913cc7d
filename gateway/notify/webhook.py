"""REST webhooks, signed as the Standard Webhooks specification says (standardwebhooks.com).

`webhook-id` is the notice's idempotency key (the same on every retry), `webhook-timestamp` the Unix time of
the attempt, `webhook-signature` `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`; the key is the
base64 after `whsec_` in the agency's secret (a secret without that prefix is used as its UTF-8 bytes). Any
Standard Webhooks library verifies it with the secret.
"""

import base64
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

import requests
from standardwebhooks.webhooks import Webhook

from gateway.logs import REQUEST_ID_HEADER
from gateway.service.ports import DELIVERED, FAILED, Attempt, Callback, Delivery
from gateway.tracing import TRACEPARENT, current_traceparent

IDEMPOTENCY_HEADER = "Idempotency-Key"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A new webhook secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def signing_key(secret: str) -> bytes:
    """The key a secret names: the base64 after `whsec_` (strictly decoded, not empty), else its UTF-8 bytes.

    ValueError for a `whsec_` secret that is not base64 of at least 16 bytes: `set-callback` refuses it."""
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode("utf-8")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except ValueError as exc:
        raise ValueError("a whsec_ secret must be standard base64 after the prefix") from exc
    if len(key) < 16:
        raise ValueError("a whsec_ secret must hold at least 16 bytes")
    return key


def standard_headers(secret: str, message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: id, timestamp and signature."""
    signature = Webhook(signing_key(secret)).sign(message_id, at.astimezone(UTC), body.decode("utf-8"))
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


class WebhookNotifier:
    """POSTs the notice; any 2xx is delivered, anything else (or no answer) a failed attempt."""

    def __init__(self, now: Callable[[], datetime], timeout: float = 10.0) -> None:
        self._now = now
        self._timeout = timeout
        self._session = requests.Session()

    def send(self, callback: Callback, delivery: Delivery) -> Attempt:
        """One attempt at one notice."""
        body = json.dumps(delivery.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = (
            {
                "Content-Type": "application/json",
                **standard_headers(callback.secret, delivery.idempotency_key, self._now(), body),
                IDEMPOTENCY_HEADER: delivery.idempotency_key,
            }
            | ({REQUEST_ID_HEADER: delivery.http_request_id} if delivery.http_request_id else {})
            | _trace()
        )
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


def _trace() -> dict[str, str]:
    traceparent = current_traceparent()  # the delivery's span, in the notice's trace
    return {TRACEPARENT: traceparent} if traceparent else {}
