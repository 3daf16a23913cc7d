"""Behind a TLS-terminating proxy (deploy/nginx): the client certificate it verified, passed URL-escaped in a
header, identifies the agency; the header is believed only from the proxy's address."""

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.support.certificates import TestAuthority
from tests.support.gateway import LiveGateway, example, running_gateway

pytestmark = pytest.mark.integration

COURT = "court-370202"
PATH = "/api/v1/court/defense-notices"
HEADER = "X-SSL-Client-Cert"


def _post(gateway: LiveGateway, n: int, pem: str | None) -> requests.Response:
    body = example("court", "defense-notices.json")
    body["notice_number"] = f"{body['notice_number']}-proxy-{n}"
    headers = {"Content-Type": "application/json"} | ({HEADER: quote(pem)} if pem is not None else {})
    return requests.post(gateway.base + PATH, data=json.dumps(body).encode(), headers=headers, timeout=10)


@pytest.fixture
def certificate(tmp_path: Path) -> str:
    return TestAuthority(tmp_path).client("court-behind-nginx").cert.read_text()


def _gateway(tmp_path: Path, amqp_url: str, proxies: tuple[str, ...]) -> Iterator[LiveGateway]:
    settings = {"client_cert_header": HEADER, "trusted_proxies": proxies}
    with running_gateway(tmp_path, amqp_url, settings=settings) as gateway:
        yield gateway


def test_a_certificate_forwarded_by_the_trusted_proxy_identifies_the_agency(
    tmp_path: Path, amqp_url: str, certificate: str
) -> None:
    for gateway in _gateway(tmp_path, amqp_url, ("127.0.0.0/8",)):
        gateway.services.certificates.add(COURT, certificate.encode())

        by_certificate = _post(gateway, 1, certificate)
        garbled = _post(gateway, 2, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----")
        none = _post(gateway, 3, None)

        assert by_certificate.status_code == 202, by_certificate.text
        assert [garbled.status_code, none.status_code] == [401, 401]
        assert "holds no PEM certificate" in garbled.json()["detail"]


def test_the_header_from_any_other_address_is_ignored(tmp_path: Path, amqp_url: str, certificate: str) -> None:
    for gateway in _gateway(tmp_path, amqp_url, ("10.20.30.40",)):
        gateway.services.certificates.add(COURT, certificate.encode())

        forged = _post(gateway, 4, certificate)

        assert forged.status_code == 401
        assert gateway.row_counts()["requests"] == 0
