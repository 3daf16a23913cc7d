"""Access to the composition root from a request."""

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:  # the type only: the web layer reaches the services through the app, not by import
    from gateway.bootstrap import Services

EXTENSION = "lagw"


def services() -> "Services":
    """The services the app was built with."""
    found: Services = current_app.extensions[EXTENSION]
    return found
