"""Access to the composition root from a request."""

from flask import current_app

from gateway.bootstrap import Services

EXTENSION = "lagw"


def services() -> Services:
    """The services the app was built with."""
    found: Services = current_app.extensions[EXTENSION]
    return found
