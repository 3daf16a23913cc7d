"""Serve an app object under exactly the gunicorn settings `lagw serve` uses."""

import importlib
import sys

from gunicorn.app.base import BaseApplication

from gateway.serve import server_options


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, target: str, options: dict[str, object]) -> None:
        self._target = target
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> object:
        module, _, name = self._target.partition(":")
        return getattr(importlib.import_module(module), name)


if __name__ == "__main__":
    _Server(sys.argv[1], {**server_options(sys.argv[2]), "loglevel": "warning"}).run()
