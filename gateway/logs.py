"""Logging rules every gateway process applies: JSON lines (or text) carrying the request id, and no library
writing a message body to the log."""

import logging
import re
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

# zeep logs every envelope it sends or receives at DEBUG (names, ID numbers, WS-Security tokens).
BODY_LOGGERS = ("zeep.transports",)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
REQUEST_ID_HEADER = "X-Request-Id"  # on the agency's call, the answer and the callback to the agency
# The id of the agency's call (X-Request-Id) that the current work serves; "-" outside one.
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def keep_bodies_out_of_logs() -> None:
    """Hold the loggers that would write whole messages at INFO, whatever the root level."""
    for name in BODY_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-Id when it is a plain token of at most 64 characters, else a new one."""
    if header and _ACCEPTED_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def configure_logging(log_format: str = "json", level: int = logging.INFO, force: bool = False) -> None:
    """One handler on the root logger: JSON lines (Chinese kept readable, not escaped) or text.

    As logging.basicConfig, a root logger that already has handlers (a test runner's) is left alone unless forced.
    """
    logging.getLogger("pika").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    keep_bodies_out_of_logs()
    root = logging.getLogger()
    if root.handlers and not force:
        return
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if log_format == "text":
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    else:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                json_ensure_ascii=False,
            )
        )
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
