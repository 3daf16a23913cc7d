"""The SOAP endpoint in the app, without a socket: its published address and its body limit."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from lxml import etree

from gateway.app import create_app
from gateway.config import Settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/gateway.sqlite3", public_url="https://gw.example.org/")
    yield create_app(settings).test_client()


def test_the_wsdl_names_the_configured_address_not_the_callers_host(client: FlaskClient) -> None:
    response = client.get("/soap/court?wsdl", headers={"Host": "evil.example"})

    locations = {node.get("location") for node in etree.fromstring(response.data).iter("{*}address")}
    assert locations == {"https://gw.example.org/soap/court"}


class _Unreadable:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = readlines = read


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body(client: FlaskClient) -> None:
    response = client.post(
        "/soap/court",
        content_type="text/xml",
        environ_overrides={"wsgi.input": _Unreadable(), "CONTENT_LENGTH": str(20 * 1024 * 1024)},
    )

    assert response.status_code == 500
    assert etree.fromstring(response.data).findtext(".//{*}GatewayFault/{*}Code") == "payload-too-large"
