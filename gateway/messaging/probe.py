"""Whether the broker takes our credentials: one AMQP connection, opened and closed."""

import time
from typing import Any

import pika
import pika.exceptions

from gateway.messaging.publisher import connection_parameters


def broker_identity(url: str, timeout: float = 5.0) -> str:
    """The broker's product and version, after logging in; ConnectionError saying why it could not."""
    params = connection_parameters(url)
    params.socket_timeout = timeout
    params.stack_timeout = 2 * timeout
    try:
        connection = pika.BlockingConnection(params)
    except pika.exceptions.ProbableAuthenticationError as exc:
        raise ConnectionError("the broker refused the user name or password") from exc
    except pika.exceptions.ProbableAccessDeniedError as exc:
        raise ConnectionError("the user may not open this virtual host") from exc
    except (pika.exceptions.AMQPError, OSError) as exc:
        raise ConnectionError(f"cannot reach the broker ({type(exc).__name__})") from exc
    try:
        properties = connection._impl.server_properties  # what Connection.Start announced
        return f"{_text(properties.get('product'))} {_text(properties.get('version'))}".strip()
    finally:
        connection.close()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


def broker_login(url: str, timeout: float = 2.0) -> dict[str, Any]:
    """The readiness probe's check: `{"ok": True, "ms": …}` once the broker took the gateway's credentials and
    opened its virtual host, as the relay will need; else `{"ok": False, "error": …}` saying which failed."""
    started = time.perf_counter()
    try:
        broker_identity(url, timeout)
    except ConnectionError as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
