"""How a relay hears of new outbox rows: PostgreSQL's LISTEN/NOTIFY, or a short poll on SQLite."""

import logging
import threading
import time
from typing import Protocol

import psycopg
import sqlalchemy as sa

from gateway.store.outbox import OUTBOX_CHANNEL

log = logging.getLogger(__name__)
SQLITE_POLL_SECONDS = 0.02  # SQLite has no notifications: a relay looks this often
STOP_CHECK_SECONDS = 0.25  # a relay waiting for the bell sees a stop this soon


class Doorbell(Protocol):
    """Waits until new outbox rows may be there, or the time is up."""

    def listen(self) -> None:
        """Start hearing the bell; rows added from now on ring it, also while the relay is busy."""

    def wait(self, seconds: float, stop: threading.Event | None = None) -> None:
        """Return when rung, after `seconds`, or soon after `stop` is set."""

    def close(self) -> None:
        """Release what the bell holds."""


class PollingBell:
    """No notifications: wait `interval` (at most `seconds`), then look again."""

    def __init__(self, interval: float = SQLITE_POLL_SECONDS) -> None:
        self._interval = interval

    def listen(self) -> None:
        """Nothing to hear."""

    def wait(self, seconds: float, stop: threading.Event | None = None) -> None:
        """Sleep the poll interval, or `seconds` if shorter."""
        time.sleep(min(self._interval, seconds))

    def close(self) -> None:
        """Nothing to release."""


class ListeningBell:
    """LISTEN on the outbox channel over a connection of its own; every transaction that adds outbox rows
    notifies it at its commit. A lost connection is made again at the next wait; meanwhile it polls."""

    def __init__(self, url: str, connect_timeout: float = 5.0) -> None:
        self._dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._connect_timeout = connect_timeout
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None

    def listen(self) -> None:
        """LISTEN now (before the relay's first pass), so no row committed meanwhile goes unheard."""
        self._listening()

    def wait(self, seconds: float, stop: threading.Event | None = None) -> None:
        """Return at the first notification, after `seconds`, or soon after `stop` is set; at once if it was not
        listening (a pass may have missed rows committed meanwhile)."""
        if self._connection is None:
            if not self._listening():
                time.sleep(min(seconds, 1.0))  # the store is away: poll until it is back
            return  # rows committed while it was not listening went unheard: look now
        deadline = time.monotonic() + seconds
        try:
            # In slices, so a relay told to stop is not kept waiting out a long idle interval.
            while (left := deadline - time.monotonic()) > 0 and not (stop is not None and stop.is_set()):
                for _ in self._connection.notifies(timeout=min(left, STOP_CHECK_SECONDS), stop_after=1):
                    return
        except psycopg.Error as exc:
            log.warning("the relay's store notifications failed (%s); listening again", type(exc).__name__)
            self.close()

    def _listening(self) -> bool:
        """Connect and LISTEN; whether it is now listening. Notifications queue on the connection until read."""
        if self._connection is not None and not self._connection.closed:
            return True
        try:
            connection = psycopg.connect(
                self._dsn, autocommit=True, connect_timeout=max(1, round(self._connect_timeout))
            )
            connection.execute(f"LISTEN {OUTBOX_CHANNEL}")
        except psycopg.Error as exc:
            log.warning("the relay cannot listen for new rows (%s); polling", type(exc).__name__)
            return False
        self._connection = connection
        return True

    def close(self) -> None:
        """Close the listening connection, if open; never raises."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except psycopg.Error:
                pass


def doorbell_for(engine: sa.Engine) -> Doorbell:
    """The bell for the store: LISTEN on PostgreSQL, a short poll elsewhere."""
    if engine.dialect.name == "postgresql":
        return ListeningBell(engine.url.render_as_string(hide_password=False))
    return PollingBell()
