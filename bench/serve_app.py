"""Serve an app object (`module:name`) under exactly the gunicorn settings `lagw serve` uses; optionally with
another worker class and connection count (the benchmark's serving candidates)."""

import importlib
import sys
from typing import Any

from gateway.cli.serve import GunicornApp, server_options


def _loader(target: str) -> Any:
    module, _, name = target.partition(":")
    return lambda: getattr(importlib.import_module(module), name)


if __name__ == "__main__":
    options = {**server_options(sys.argv[2]), "loglevel": "warning"}
    if len(sys.argv) > 4:
        options |= {"worker_class": sys.argv[3], "worker_connections": int(sys.argv[4])}
    GunicornApp(_loader(sys.argv[1]), options).run()
