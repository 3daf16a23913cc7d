"""Bodies sent with `Content-Encoding: gzip` are decoded within the size limit, over REST and SOAP; any other
encoding, a body that is not gzip and a decompression bomb are refused as the caller's mistake, as real bytes
to a live gateway, with nothing stored."""

import gzip
import json
import logging

import pytest
import requests

from gateway.web.soap.envelope import SOAP11
from tests.support.gateway import LiveGateway, example
from tests.support.soap import fault_of, sample_envelope

pytestmark = pytest.mark.integration

COURT = "court-370202"
NOTICES = "/api/v1/court/defense-notices"


def _notice(number: str) -> bytes:
    body = example("court", "defense-notices.json")
    body["notice_number"] = f"{body['notice_number']}-gzip-{number}"
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _rest(gateway: LiveGateway, data: bytes, encoding: str) -> requests.Response:
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    return gateway.post(NOTICES, COURT, data=data, headers=headers)


def _soap(gateway: LiveGateway, data: bytes, encoding: str) -> requests.Response:
    headers = {"Content-Type": f"{SOAP11.media_type}; charset=utf-8", "SOAPAction": '""', "Content-Encoding": encoding}
    return requests.post(f"{gateway.base}/soap/court", data=data, headers=headers, timeout=30)


def test_a_gzip_rest_notice_is_accepted_and_its_original_stored_uncompressed(gateway: LiveGateway) -> None:
    plain = _notice("rest")

    response = _rest(gateway, gzip.compress(plain), "gzip")

    assert response.status_code == 202, response.text
    stored = gateway.services.requests.raw_payload(response.json()["id"])
    assert stored is not None and stored.body == plain


def test_a_gzip_soap_envelope_is_accepted(gateway: LiveGateway) -> None:
    envelope = sample_envelope("court", "NotifyDefense", SOAP11, COURT, gateway.keys[COURT])

    response = _soap(gateway, gzip.compress(envelope), "gzip")

    assert response.status_code == 200, response.text


BOMB = gzip.compress(b" " * (8 * 1024 * 1024))  # 8 MB of spaces in some 8 KB: over the 1 MB limit once inflated
CASES = {
    "another encoding": (b"\x1b\x00", "br", 415, "unsupported-media-type"),
    "not gzip at all": (b"{not gzip}", "gzip", 400, "malformed-body"),
    "gzip cut short": (gzip.compress(b"x" * 5000)[:-12], "gzip", 400, "malformed-body"),
    "a decompression bomb": (BOMB, "gzip", 413, "payload-too-large"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_body_that_cannot_be_decoded_is_refused_over_rest(
    gateway: LiveGateway, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    data, encoding, status, code = CASES[case]
    before = gateway.row_counts()

    with caplog.at_level(logging.ERROR):
        response = _rest(gateway, data, encoding)

    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert gateway.row_counts() == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a traceback was logged"


@pytest.mark.parametrize("case", list(CASES))
def test_a_body_that_cannot_be_decoded_is_a_client_fault_over_soap(gateway: LiveGateway, case: str) -> None:
    data, encoding, _, code = CASES[case]
    before = gateway.row_counts()

    found = fault_of(_soap(gateway, data, encoding))

    assert (found["fault"], found["code"]) == ("Client", code), found
    assert gateway.row_counts() == before
