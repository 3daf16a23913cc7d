"""A gunicorn worker that serves with waitress: a request reaches an application thread only once it is whole.

gunicorn keeps what it does well (the master, forking, restarts, graceful stops, the worker heartbeat); inside
each worker waitress's I/O loop reads every connection's request line, headers and body without a thread, so a
client that sends half a request and waits holds a socket, never an application thread, and is dropped after
gunicorn's `keepalive` seconds of silence. Open connections, idle or not, are capped at `worker_connections`.
"""

import logging
import os
import threading
import time
from typing import Any

from gunicorn.workers.base import Worker
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

HEARTBEAT_SECONDS = 1.0  # how often the worker tells the master it is alive (well inside gunicorn's `timeout`)
DEFAULT_BODY_LIMIT = 1024 * 1024


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
        loop = threading.Thread(target=server.run, name="waitress-io", daemon=True)
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
        listeners = server.map.values() if isinstance(server, MultiSocketServer) else [server]
        for listener in listeners:
            if isinstance(listener, BaseWSGIServer):
                listener.accepting = False
        dispatcher = server.task_dispatcher
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while time.monotonic() < deadline and (dispatcher.active_count or dispatcher.queue):
            self.notify()
            time.sleep(0.05)
        time.sleep(0.2)  # let the I/O loop write the last answers out
        dispatcher.shutdown(cancel_pending=True, timeout=1)


def body_limit(app: Any) -> int:
    """How much body waitress buffers: a little over the Flask app's MAX_CONTENT_LENGTH (default 1 MiB)."""
    config = getattr(app, "config", None)
    limit = config.get("MAX_CONTENT_LENGTH") if config is not None else None
    return int(limit or DEFAULT_BODY_LIMIT) + 64 * 1024
