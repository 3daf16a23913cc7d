"""A gunicorn worker that serves with waitress: a request reaches an application thread only once it is whole.

gunicorn keeps what it does well (the master, forking, restarts, graceful stops, the worker heartbeat); inside
each worker waitress's I/O loop reads every connection's request line, headers and body without a thread, so a
client that sends half a request and waits holds a socket, never an application thread, and is dropped after
gunicorn's `keepalive` seconds of silence. Open connections, idle or not, are capped at `worker_connections`.

The workers share the master's listening socket, and the one whose I/O loop is awake first would take a whole
burst of new connections and keep them (keep-alive), serving on one core while the other idles. A worker that
holds its share (as many connections as it has threads) therefore takes at most one more every
`ACCEPT_PAUSE_SECONDS`, leaving the burst to a worker with room; when every worker holds its share, new
connections are still taken, only paced.
"""

import logging
import os
import threading
import time
from typing import Any

from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

HEARTBEAT_SECONDS = 1.0  # how often the worker tells the master it is alive (well inside gunicorn's `timeout`)
DEFAULT_BODY_LIMIT = 1024 * 1024
ACCEPT_PAUSE_SECONDS = 0.02  # well over the time another worker's I/O loop takes to wake and accept
IDLE_POLL_SECONDS = 1.0  # the I/O loop's longest sleep (waitress's own), shorter while accepts are paused


class BufferedWorker(Worker):  # type: ignore[misc]
    """waitress's I/O loop and thread pool on the sockets gunicorn's master opened."""

    def run(self) -> None:
        """Serve until the master asks us to stop, then let answers in progress finish."""
        silence = max(1, int(self.cfg.keepalive))
        server = create_server(
            self.wsgi,
            sockets=[listener.sock for listener in self.sockets],
            threads=self.cfg.threads,
            connection_limit=self.cfg.worker_connections,
            # A connection silent this long is closed: idle between requests, or stalled inside one.
            channel_timeout=silence,
            cleanup_interval=max(1, silence // 2),  # checked this often: gone within 1.5 × the silence
            # A body is read whole up to the app's own limit (a little over, so the app answers its 413).
            max_request_body_size=body_limit(self.wsgi),
            asyncore_use_poll=True,  # select() stops at 1024 descriptors
            ident="legal-aid-gateway",
            expose_tracebacks=False,
        )
        # waitress warns at each request queued behind busy threads; under load that is every request.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        pacing = AcceptPacing(_listeners(server), share=self.cfg.threads)
        loop = threading.Thread(target=_serve, args=(server, pacing), name="waitress-io", daemon=True)
        loop.start()
        while self.alive and loop.is_alive():
            self.notify()
            if self.ppid != os.getppid():
                self.log.info("parent changed, shutting down: %s", self)
                break
            time.sleep(HEARTBEAT_SECONDS)
        self._stop(server)

    def _stop(self, server: Any) -> None:
        """Stop accepting, give requests already read `graceful_timeout` to be answered, then leave."""
        # No new connections: a listener that is not `accepting` is left out of the I/O loop's poll (closing it
        # from this thread would race the loop); the master keeps the socket for the other workers.
        for listener in _listeners(server):
            listener.accepting = False
        dispatcher = server.task_dispatcher
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while time.monotonic() < deadline and (dispatcher.active_count or dispatcher.queue):
            self.notify()
            time.sleep(0.05)
        time.sleep(0.2)  # let the I/O loop write the last answers out
        dispatcher.shutdown(cancel_pending=True, timeout=1)


class AcceptPacing:
    """Paces a worker's accepts once it holds `share` open connections: one every `pause` seconds at most."""

    def __init__(self, listeners: list[BaseWSGIServer], share: int, pause: float = ACCEPT_PAUSE_SECONDS) -> None:
        self._listeners = listeners
        self._share = share
        self._pause = pause
        self._paused_until = 0.0
        for listener in listeners:  # waitress's own checks (the connection limit, the cleanup) still run first
            listener.readable = self._readable(listener.readable)
            listener.handle_accept = self._accepting(listener.handle_accept)

    def open_connections(self) -> int:
        """Connections this worker holds, on all its listeners."""
        return sum(len(listener.active_channels) for listener in self._listeners)

    def poll_timeout(self) -> float:
        """How long the I/O loop may sleep: until the pause ends, so a paced accept is not left waiting."""
        left = self._paused_until - time.monotonic()
        return IDLE_POLL_SECONDS if left <= 0 else min(IDLE_POLL_SECONDS, max(0.001, left))

    def _readable(self, readable: Any) -> Any:
        def paced() -> bool:
            return bool(readable()) and (
                self.open_connections() < self._share or time.monotonic() >= self._paused_until
            )

        return paced

    def _accepting(self, handle_accept: Any) -> Any:
        def paced() -> None:
            handle_accept()
            if self.open_connections() >= self._share:
                self._paused_until = time.monotonic() + self._pause

        return paced


def _listeners(server: Any) -> list[BaseWSGIServer]:
    sockets = server.map.values() if isinstance(server, MultiSocketServer) else [server]
    return [listener for listener in sockets if isinstance(listener, BaseWSGIServer)]


def _serve(server: Any, pacing: AcceptPacing) -> None:
    """waitress's I/O loop (`server.run`), one poll at a time, each no longer than the pacing allows."""
    channels = server.map if isinstance(server, MultiSocketServer) else server._map
    try:
        while channels:
            wasyncore.loop(timeout=pacing.poll_timeout(), map=channels, use_poll=True, count=1)
    except (SystemExit, KeyboardInterrupt):
        server.task_dispatcher.shutdown()


def body_limit(app: Any) -> int:
    """How much body waitress buffers: a little over the Flask app's MAX_CONTENT_LENGTH (default 1 MiB)."""
    config = getattr(app, "config", None)
    limit = config.get("MAX_CONTENT_LENGTH") if config is not None else None
    return int(limit or DEFAULT_BODY_LIMIT) + 64 * 1024
