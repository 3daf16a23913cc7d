"""Helpers for the console's tests: staff accounts, and a signed-in test client that carries CSRF tokens."""

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from gateway.bootstrap import Services
from gateway.domain.staff import Role, StaffMember

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')


def add_staff(
    services: Services,
    username: str,
    role: Role,
    centre: str | None = None,
    personal_data: bool = False,
    name: str | None = None,
) -> StaffMember:
    """Create an account with the shared test password (named 测试<username> unless `name` is given)."""
    member = StaffMember(username, name or f"测试{username}", role, centre, personal_data)
    services.staff_auth.create(member, PASSWORD)
    return member


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _TOKEN.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class ConsoleUser:
    """A test client signed in as one staff member (or not yet)."""

    app: Flask
    client: FlaskClient = field(init=False)
    last_page: str = ""

    def __post_init__(self) -> None:
        self.client = self.app.test_client()

    def sign_in(self, username: str, password: str = PASSWORD) -> TestResponse:
        """Fill in the sign-in form."""
        page = self.client.get("/console/login").get_data(as_text=True)
        return self.client.post(
            "/console/login", data={"username": username, "password": password, "csrf_token": csrf_token(page)}
        )

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        """A page; remembered so the next form post can carry its token."""
        response = self.client.get(path, **kwargs)
        self.last_page = response.get_data(as_text=True)
        return response

    def submit(self, path: str, data: dict[str, str], with_token: bool = True) -> TestResponse:
        """Post a form as the last page would (its CSRF token and form key), or without a token."""
        form = dict(data)
        if with_token:
            form["csrf_token"] = csrf_token(self.last_page)
        key = _FORM_KEY.search(self.last_page)
        if key and "form_key" not in form:
            form["form_key"] = key.group(1)
        response = self.client.post(path, data=form)
        self.last_page = response.get_data(as_text=True)
        return response
