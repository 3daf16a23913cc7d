"""Logging rules every gateway process applies: no library writes a message body to the log."""

import logging

# zeep logs every envelope it sends or receives at DEBUG (names, ID numbers, WS-Security tokens).
BODY_LOGGERS = ("zeep.transports",)


def keep_bodies_out_of_logs() -> None:
    """Hold the loggers that would write whole messages at INFO, whatever the root level."""
    for name in BODY_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
