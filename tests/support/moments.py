"""Moments for answers sent to a gateway on the real clock: an answer is never dated before its request."""

from datetime import datetime

from gateway.rules.deadlines import CHINA_TZ


def china_now() -> str:
    """Now in China time, to the second, as an agency or a centre writes it (ISO 8601 with +08:00)."""
    return datetime.now(CHINA_TZ).replace(microsecond=0).isoformat()


def china_now_local() -> str:
    """Now in China time to the minute, as the console's date-time inputs hold it."""
    return datetime.now(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")
