"""Run the web app under gunicorn (gthread), with the app built after the fork in each worker."""

import os
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from gateway.config import Settings


class GunicornApp(BaseApplication):  # type: ignore[misc]
    """gunicorn with our options; `loader` builds the WSGI app in every worker, after the fork."""

    def __init__(self, loader: Callable[[], Any], options: dict[str, Any]) -> None:
        self._loader = loader
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._loader()


def _gateway_app() -> Flask:
    from gateway.app import create_app

    return create_app()


def server_options(bind: str, workers: int | None = None, threads: int = 8) -> dict[str, Any]:
    """The gunicorn settings `lagw serve` uses (and the benchmark's baseline shares)."""
    return {
        "bind": bind,
        "workers": workers or os.cpu_count() or 2,
        "worker_class": "gthread",
        "threads": threads,
        "worker_connections": threads,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
    }


def unshared_limits_note(settings: Settings, workers: int) -> str | None:
    """A warning when several workers would each count the rate limits in their own memory."""
    if workers < 2 or not settings.rate_limit_storage.startswith("memory://"):
        return None
    return (
        f"note: each of the {workers} workers counts rate limits in its own memory, so an agency may send up to "
        f"{workers} × LAGW_RATE_LIMIT; set LAGW_RATE_LIMIT_STORAGE (e.g. redis://host:6379) to share the counts"
    )


def serve(bind: str, workers: int | None = None, threads: int = 8) -> None:
    """Serve until stopped by a signal."""
    GunicornApp(_gateway_app, server_options(bind, workers, threads)).run()
