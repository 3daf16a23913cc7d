"""The buffered worker's own listening socket: it joins the shared socket's port, and a stopping worker serves
what was queued on it instead of leaving it to be reset."""

import select
import socket
import threading
import time
from collections.abc import Iterable, Iterator

import pytest
from waitress.server import BaseWSGIServer, create_server

from gateway.cli.buffered_worker import own_listener, stop_accepting

CONNECTIONS = 24


def _app(environ: dict[str, object], start_response: object) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])  # type: ignore[operator]
    return [b"ok"]


@pytest.fixture
def shared() -> Iterator[socket.socket]:
    """The master's socket: in a reuse-port group, as gunicorn opens it with `reuse_port`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.setblocking(False)
    yield sock
    sock.close()


def _answered(clients: list[socket.socket], within: float) -> int:
    """How many of the clients got an HTTP answer within `within` seconds."""
    waiting, answered = list(clients), 0
    deadline = time.monotonic() + within
    while waiting and (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select(waiting, [], [], left)
        for client in readable:
            waiting.remove(client)
            answered += client.recv(64).startswith(b"HTTP/")
    return answered


def test_a_worker_listens_on_its_own_socket_in_the_shared_sockets_port(shared: socket.socket) -> None:
    own = own_listener(shared, 64)
    assert own is not None
    try:
        assert own.getsockname() == shared.getsockname()
        assert own.fileno() != shared.fileno()
    finally:
        own.close()


def test_a_socket_outside_a_reuse_port_group_gets_no_companion() -> None:
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        plain.bind(("127.0.0.1", 0))
        plain.listen(8)
        assert own_listener(plain, 8) is None  # the kernel would refuse to bind a second socket there
    finally:
        plain.close()


def test_a_stopping_worker_serves_the_connections_queued_on_its_own_socket_and_closes_it(
    shared: socket.socket,
) -> None:
    own = own_listener(shared, 64)
    assert own is not None
    server = create_server(_app, sockets=[shared, own], threads=2, asyncore_use_poll=True, channel_timeout=5)
    loop = threading.Thread(target=server.run, daemon=True)
    loop.start()
    listeners = [listener for listener in server.map.values() if isinstance(listener, BaseWSGIServer)]
    for listener in listeners:
        listener.accepting = False  # the worker is told to stop: from here it accepts nothing new
    clients = [socket.create_connection(shared.getsockname(), timeout=5) for _ in range(CONNECTIONS)]
    try:
        for client in clients:
            client.sendall(b"GET / HTTP/1.0\r\n\r\n")  # queued: on the shared socket or on the worker's own
        assert _answered(clients, 0.3) == 0  # nothing is accepted yet

        stop_accepting(server, [own])

        # Each connection went to one of the two sockets by its address: about half to the worker's own, which it
        # now serves (all of them on the shared socket, or none answered, happens once in 2**24 runs). Those on
        # the shared socket are for the other workers.
        answered = _answered(clients, 3.0)
        assert 0 < answered < CONNECTIONS
        deadline = time.monotonic() + 2
        while own.fileno() != -1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert own.fileno() == -1  # closed: the kernel routes nothing more to this worker
    finally:
        for client in clients:
            client.close()
        server.close()
