"""A TCP proxy the test controls: forward to a target, or refuse and cut every connection."""

import contextlib
import socket
import threading


class TcpProxy:
    """Listens on a free loopback port; `down()` cuts live links and refuses new ones until `up()`."""

    def __init__(self, target: tuple[str, int], *, up: bool = True) -> None:
        self._target = target
        self._up = threading.Event()
        if up:
            self._up.set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def up(self) -> None:
        """Forward new connections."""
        self._up.set()

    def down(self) -> None:
        """Cut every live connection and refuse new ones."""
        self._up.clear()
        with self._lock:
            links, self._links = self._links, []
        for sock in links:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        """Stop listening and cut everything."""
        self._closed = True
        self.down()
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            for sock in (client, upstream):
                # Small frames (AMQP confirms) must not wait for Nagle and delayed ACKs: 40 ms a round trip.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._links += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
