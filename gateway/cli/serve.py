"""Run the web app under gunicorn (gthread), with the app built after the fork in each worker."""

import os
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from gateway.config import Settings

METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's multiprocess mode
BUFFERED_WORKER = "gateway.cli.buffered_worker.BufferedWorker"
GTHREAD_WORKER = "gthread"
CONNECTIONS_PER_WORKER = 1000
CLIENT_SILENCE_SECONDS = 10
# Settings newer gunicorn releases have; skipped on older ones.
OPTIONAL_SETTINGS = frozenset({"control_socket_disable"})


class GunicornApp(BaseApplication):  # type: ignore[misc]
    """gunicorn with our options; `loader` builds the WSGI app in every worker, after the fork."""

    def __init__(self, loader: Callable[[], Any], options: dict[str, Any]) -> None:
        self._loader = loader
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in OPTIONAL_SETTINGS and key not in self.cfg.settings:
                continue  # an older gunicorn without that feature
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._loader()


def _gateway_app() -> Flask:
    from gateway.app import create_app

    return create_app()


def server_options(
    bind: str,
    workers: int | None = None,
    threads: int = 8,
    *,
    tls: bool = False,
    client_timeout: int = CLIENT_SILENCE_SECONDS,
) -> dict[str, Any]:
    """The gunicorn settings `lagw serve` uses (and the benchmark's baseline shares).

    Plain HTTP is served by `BufferedWorker` (waitress inside each gunicorn worker): a request reaches an
    application thread only once it is whole, so slow or stalled clients hold sockets, not threads. gunicorn's
    own TLS needs its gthread worker, which reads a body from the application thread: with TLS served here,
    a slow client can hold a thread, so production terminates TLS at nginx (docs/serving.md).
    """
    return {
        "bind": bind,
        "workers": workers or os.cpu_count() or 2,
        "worker_class": GTHREAD_WORKER if tls else BUFFERED_WORKER,
        "threads": threads,
        # Open connections per worker (kept-alive and in progress); well above the threads, so keep-alive works.
        "worker_connections": CONNECTIONS_PER_WORKER,
        "timeout": 30,
        "graceful_timeout": 10,
        # Seconds a kept-alive connection may idle; BufferedWorker also closes a request stalled this long.
        "keepalive": client_timeout,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        # The runtime control socket (gunicorn 24+) is one per user by default, so two servers would
        # fight over it; the gateway does not use it.
        "control_socket_disable": True,
    }


@dataclass(frozen=True)
class Tls:
    """TLS for gunicorn: the server's certificate and key; with `client_ca`, agencies may present certificates."""

    certfile: Path
    keyfile: Path
    client_ca: Path | None = None

    def options(self) -> dict[str, Any]:
        """gunicorn's TLS settings. Client certificates are optional at the handshake (agencies without one
        sign their requests or send a bearer key); a certificate that is presented must chain to `client_ca`."""
        options: dict[str, Any] = {"certfile": str(self.certfile), "keyfile": str(self.keyfile)}
        if self.client_ca is not None:
            options |= {"ca_certs": str(self.client_ca), "cert_reqs": ssl.CERT_OPTIONAL}
        return options


def unshared_limits_note(settings: Settings, workers: int) -> str | None:
    """A warning when several workers would each count the rate limits in their own memory."""
    if workers < 2 or not settings.rate_limit_storage.startswith("memory://"):
        return None
    return (
        f"note: each of the {workers} workers counts rate limits in its own memory, so an agency may send up to "
        f"{workers} × LAGW_RATE_LIMIT; set LAGW_RATE_LIMIT_STORAGE (e.g. redis://host:6379) to share the counts"
    )


def serve(
    bind: str,
    workers: int | None = None,
    threads: int = 8,
    tls: Tls | None = None,
    client_timeout: int = CLIENT_SILENCE_SECONDS,
) -> None:
    """Serve until stopped by a signal; the workers count metrics into one directory, read by every scrape."""
    prepare_metrics_dir()
    options = server_options(bind, workers, threads, tls=tls is not None, client_timeout=client_timeout)
    options |= (tls.options() if tls else {}) | {"child_exit": worker_gone}
    GunicornApp(_gateway_app, options).run()


def prepare_metrics_dir() -> None:
    """One directory every worker counts into, set in the master before any worker imports prometheus-client;
    a fresh one unless the operator chose it, so no old counts are added in."""
    if not os.environ.get(METRICS_DIR_VARIABLE):
        os.environ[METRICS_DIR_VARIABLE] = tempfile.mkdtemp(prefix="lagw-metrics-")


def worker_gone(_server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook: a worker that is gone no longer counts in the live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
