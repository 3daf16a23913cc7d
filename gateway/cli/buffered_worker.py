"""A gunicorn worker that serves with waitress: a request reaches an application thread only once it is whole.

gunicorn keeps what it does well (the master, forking, restarts, graceful stops, the worker heartbeat); inside
each worker waitress's I/O loop reads every connection's request line, headers and body without a thread, so a
client that sends half a request and waits holds a socket, never an application thread, and is dropped after
gunicorn's `keepalive` seconds of silence. Open connections, idle or not, are capped at `worker_connections`.
Each worker also listens on a TCP socket of its own (SO_REUSEPORT), so new connections spread over the workers.
"""

import logging
import os
import socket
import threading
import time
from functools import partial
from typing import Any

from gunicorn.workers.base import Worker
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

HEARTBEAT_SECONDS = 1.0  # how often the worker tells the master it is alive (well inside gunicorn's `timeout`)
DEFAULT_BODY_LIMIT = 1024 * 1024
QUEUED_AT_STOP_MAX = 1024  # connections a stopping worker still takes off its own socket's queue


class BufferedWorker(Worker):  # type: ignore[misc]
    """waitress's I/O loop and thread pool on the sockets gunicorn's master opened."""

    def run(self) -> None:
        """Serve until the master asks us to stop, then let answers in progress finish."""
        silence = max(1, int(self.cfg.keepalive))
        shared = [listener.sock for listener in self.sockets]
        self._own = [own for sock in shared if (own := own_listener(sock, self.cfg.backlog)) is not None]
        server = create_server(
            self.wsgi,
            sockets=shared + self._own,
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
        stop_accepting(server, self._own)
        dispatcher = server.task_dispatcher
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while time.monotonic() < deadline and (dispatcher.active_count or dispatcher.queue):
            self.notify()
            time.sleep(0.05)
        time.sleep(0.2)  # let the I/O loop write the last answers out
        dispatcher.shutdown(cancel_pending=True, timeout=1)


def stop_accepting(server: Any, own: list[socket.socket]) -> None:
    """No new connections: a listener that is not `accepting` is left out of the I/O loop's poll (closing it from
    another thread would race the loop); the master keeps the shared socket for the other workers. The kernel
    keeps routing connections to the worker's `own` socket until it is closed: those already queued there are
    taken and the socket closed at once, in the I/O loop, rather than reset when the worker exits."""
    listeners = server.map.values() if isinstance(server, MultiSocketServer) else [server]
    listeners = [listener for listener in listeners if isinstance(listener, BaseWSGIServer)]
    own_fds = {sock.fileno() for sock in own}
    for listener in listeners:
        listener.accepting = False
    shared = [listener for listener in listeners if listener.socket.fileno() not in own_fds]
    for listener in listeners:
        if listener.socket.fileno() in own_fds and shared:
            shared[0].trigger.pull_trigger(partial(_leave_port_group, listener))


def _leave_port_group(listener: BaseWSGIServer) -> None:
    """Accept the connections queued on the worker's own socket (they are served as the others), then close it."""
    for _ in range(QUEUED_AT_STOP_MAX):
        before = len(listener._map)
        listener.handle_accept()
        if len(listener._map) == before:
            break  # nothing more queued
    listener.close()


def own_listener(shared: socket.socket, backlog: int) -> socket.socket | None:
    """A listening socket of this worker's own on the shared socket's TCP address (SO_REUSEPORT), or None.

    Workers all waiting on the one socket the master opened take a burst of new connections as fast as each
    wakes: a keep-alive client's connections can all land on one worker, which then serves them on one core
    while the others idle. With a socket of its own in the port's group, the kernel spreads new connections
    over the workers by their addresses; the shared socket stays served too (it is in the group).
    """
    if shared.family not in (socket.AF_INET, socket.AF_INET6) or not hasattr(socket, "SO_REUSEPORT"):
        return None
    if not shared.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT):
        return None  # the master's socket must be in a reuse-port group for another to join it
    own = socket.socket(shared.family, socket.SOCK_STREAM)
    try:
        own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        own.bind(shared.getsockname()[:2] if shared.family == socket.AF_INET else shared.getsockname())
        own.listen(backlog)
        own.setblocking(False)
    except OSError:
        own.close()
        return None
    return own


def body_limit(app: Any) -> int:
    """How much body waitress buffers: a little over the Flask app's MAX_CONTENT_LENGTH (default 1 MiB)."""
    config = getattr(app, "config", None)
    limit = config.get("MAX_CONTENT_LENGTH") if config is not None else None
    return int(limit or DEFAULT_BODY_LIMIT) + 64 * 1024
