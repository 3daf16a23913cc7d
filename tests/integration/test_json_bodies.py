"""Bodies that parse as no UTF-8 JSON text are the caller's mistake: 400 malformed-body, nothing stored,
no traceback, sent as real bytes to a live gateway (each was a 500 before)."""

import json
import logging

import pytest

from tests.support.gateway import LiveGateway, example

pytestmark = pytest.mark.integration

COURT = "court-370202"
NOTICES = "/api/v1/court/defense-notices"


def _notice_with(extra: str) -> bytes:
    """The court's sample notice with a raw JSON member appended."""
    text = json.dumps(example("court", "defense-notices.json"), ensure_ascii=False)
    return (text[:-1] + ", " + extra + "}").encode("utf-8")


def _name(escaped: str) -> bytes:
    body = example("court", "defense-notices.json")
    body["defendant"]["name"] = "__NAME__"
    return json.dumps(body, ensure_ascii=False).replace("__NAME__", escaped).encode("utf-8")


CASES = {
    "an integer of 5,000 digits": (_notice_with('"x": ' + "9" * 5000), "integer of more than 4,300 digits"),
    "objects nested 6,000 deep": (b'{"a":' * 6000 + b"1" + b"}" * 6000, "nests"),
    "arrays nested 6,000 deep": (b"[" * 6000 + b"]" * 6000, "nests"),
    "a lone high surrogate in a name": (_name("王\\ud800"), "lone UTF-16 surrogate"),
    "a lone low surrogate, upper case": (_name("\\uDC00明"), "lone UTF-16 surrogate"),
    "bytes that are not UTF-8": (_name("王").replace("王".encode(), b"\xff\xfe"), "not UTF-8"),
    "not JSON at all": (b"{notice_number: 1}", "not valid JSON"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_body_that_is_no_json_text_is_a_400_and_stores_nothing(
    gateway: LiveGateway, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    raw, reason = CASES[case]
    before = gateway.row_counts()

    with caplog.at_level(logging.ERROR):
        response = gateway.post(NOTICES, COURT, data=raw, headers={"Content-Type": "application/json"})

    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/problems/malformed-body")
    assert reason in response.json()["detail"]
    assert gateway.row_counts() == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a traceback was logged"


def test_a_surrogate_pair_escaped_in_json_is_one_character_and_accepted(gateway: LiveGateway) -> None:
    response = gateway.post(
        NOTICES, COURT, data=_name("\\ud840\\udc00明"), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 202, response.text  # 𠀀明: a name with a character outside the BMP


@pytest.mark.parametrize("charset", ["gbk", "GB18030", "gb2312", "iso-8859-1"])
def test_a_body_declared_in_another_charset_is_a_415_naming_utf8(gateway: LiveGateway, charset: str) -> None:
    text = json.dumps(example("court", "defense-notices.json"), ensure_ascii=False)
    encoding = "gb18030" if charset.lower().startswith("gb") else "utf-8"
    before = gateway.row_counts()

    response = gateway.post(
        NOTICES, COURT, data=text.encode(encoding), headers={"Content-Type": f"application/json; charset={charset}"}
    )

    assert response.status_code == 415, response.text
    assert response.json()["code"] == "unsupported-media-type"
    assert "UTF-8" in response.json()["detail"] and charset.lower() in response.json()["detail"]
    assert gateway.row_counts() == before


def test_utf8_declared_in_any_spelling_is_taken(gateway: LiveGateway) -> None:
    body = example("court", "defense-notices.json")
    body["notice_number"] += "-utf8"

    response = gateway.post(
        NOTICES,
        COURT,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=UTF-8"},
    )

    assert response.status_code == 202, response.text
