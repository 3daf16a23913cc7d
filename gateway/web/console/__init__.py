"""The legal aid staff console at /console: inbox, requests, answers, notices, reports, administration."""

from gateway.web.console import access, actions, admin, deliveries, inbox, reports, request_page, signin
from gateway.web.console.blueprint import init_console

__all__ = ["access", "actions", "admin", "deliveries", "inbox", "init_console", "reports", "request_page", "signin"]
