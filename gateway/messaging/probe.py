"""Whether the broker takes our credentials: one AMQP connection, opened and closed."""

import pika
import pika.exceptions

from gateway.messaging.publisher import connection_parameters


def broker_identity(url: str) -> str:
    """The broker's product and version, after logging in; ConnectionError saying why it could not."""
    try:
        connection = pika.BlockingConnection(connection_parameters(url))
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
