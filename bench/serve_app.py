"""Serve an app object (`module:name`) under exactly the gunicorn settings `lagw serve` uses."""

import importlib
import sys
from typing import Any

from gateway.serve import GunicornApp, server_options


def _loader(target: str) -> Any:
    module, _, name = target.partition(":")
    return lambda: getattr(importlib.import_module(module), name)


if __name__ == "__main__":
    GunicornApp(_loader(sys.argv[1]), {**server_options(sys.argv[2]), "loglevel": "warning"}).run()
