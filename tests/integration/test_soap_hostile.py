"""Hostile and wrong SOAP input: each refused with a Fault a program can act on, and nothing left behind."""

import base64
import json
import logging
import os
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from lxml import etree

from gateway.web.soap.envelope import SOAP11, SOAP12, SoapVersion
from gateway.web.soap.security import PASSWORD_DIGEST, WSSE, WSU, password_digest
from tests.support.gateway import LiveGateway
from tests.support.soap import fault_of, post_envelope, sample_envelope

pytestmark = pytest.mark.integration

COURT = "court-370202"


def _court_sample(gateway: LiveGateway, version: SoapVersion = SOAP11) -> bytes:
    return sample_envelope("court", "NotifyDefense", version, COURT, gateway.keys[COURT])


def _with_doctype(doctype: str) -> Callable[[LiveGateway], bytes]:
    def build(gateway: LiveGateway) -> bytes:
        body = _court_sample(gateway).split(b"?>", 1)[1]
        return b'<?xml version="1.0" encoding="UTF-8"?>' + doctype.encode() + body

    return build


BILLION_LAUGHS = (
    '<!DOCTYPE S:Envelope [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)


def _replace(old: bytes, new: bytes, count: int = 1) -> Callable[[LiveGateway], bytes]:
    def build(gateway: LiveGateway) -> bytes:
        body = _court_sample(gateway)
        assert old in body
        return body.replace(old, new, count)

    return build


def _deep(gateway: LiveGateway) -> bytes:
    body = _court_sample(gateway)
    assert b"<ag:Judge>" in body
    return body.replace(b"<ag:Judge>", b"<x>" * 10_000 + b"</x>" * 10_000 + b"<ag:Judge>", 1)


def _invalid_utf8(gateway: LiveGateway) -> bytes:
    return _court_sample(gateway).replace("王小明".encode(), b"\xff\xfe\xfd", 1)


def _foreign_envelope(gateway: LiveGateway) -> bytes:
    return _court_sample(gateway).replace(SOAP11.namespace.encode(), b"http://example.org/not-soap", 1)


def _token_for(other: str) -> Callable[[LiveGateway], bytes]:
    def build(gateway: LiveGateway) -> bytes:
        body = _court_sample(gateway)
        return body.replace(COURT.encode(), other.encode()).replace(
            gateway.keys[COURT].encode(), gateway.keys[other].encode()
        )

    return build


def _namespaces(count: int) -> Callable[[LiveGateway], bytes]:
    declarations = " ".join(f'xmlns:n{i}="urn:n:{i}"' for i in range(count)).encode()
    return _replace(b"<ag:Judge>", b"<ag:Judge " + declarations + b">")


def _attributes(count: int) -> Callable[[LiveGateway], bytes]:
    attributes = " ".join(f'a{i}="1"' for i in range(count)).encode()
    return _replace(b"<ag:Judge>", b"<ag:Judge " + attributes + b">")


def _second(element: bytes) -> Callable[[LiveGateway], bytes]:
    """The sample with a second copy of `element` (the Security header, or the token) right after it."""

    def build(gateway: LiveGateway) -> bytes:
        body = _court_sample(gateway)
        start, end = body.index(b"<" + element), body.index(b"</" + element + b">") + len(element) + 3
        return body[:end] + body[start:end] + body[end:]

    return build


# (case, how to build the body, content type or None for SOAP 1.1, SOAP fault code, gateway code)
CASES: list[tuple[str, Callable[[LiveGateway], bytes], str | None, str, str]] = [
    ("billion laughs", _with_doctype(BILLION_LAUGHS), None, "Client", "forbidden-xml"),
    (
        "external entity reading a local file",
        _with_doctype('<!DOCTYPE S:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
        None,
        "Client",
        "forbidden-xml",
    ),
    (
        "external DTD",
        _with_doctype('<!DOCTYPE S:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">'),
        None,
        "Client",
        "forbidden-xml",
    ),
    ("bare DOCTYPE", _with_doctype("<!DOCTYPE S:Envelope>"), None, "Client", "forbidden-xml"),
    ("10,000-deep nesting", _deep, None, "Client", "malformed-body"),
    ("invalid UTF-8", _invalid_utf8, None, "Client", "malformed-body"),
    ("not XML", lambda gw: b"NotifyDefense please", None, "Client", "malformed-body"),
    ("unknown envelope namespace", _foreign_envelope, None, "VersionMismatch", "version-mismatch"),
    ("SOAP 1.1 envelope sent as SOAP 1.2", _court_sample, SOAP12.media_type, "VersionMismatch", "version-mismatch"),
    ("wrong media type", _court_sample, "application/json", "Client", "unsupported-media-type"),
    (
        "a body element no operation has",
        _replace(b"ag:NotifyDefense", b"ag:NotifyEveryone", -1),
        None,
        "Client",
        "unknown-operation",
    ),
    (
        "an XSD violation",
        _replace(b"<ag:TrialStage>first_instance<", b"<ag:TrialStage>third_instance<"),
        None,
        "Client",
        "validation-failed",
    ),
    ("a wrong key", _replace(b"lagw_", b"lagw_x"), None, "Client", "unauthenticated"),
    ("no security header", _replace(b"wsse:Security", b"wsse:Insecurity", -1), None, "Client", "unauthenticated"),
    ("another agency type's service", _token_for("police-370203"), None, "Client", "kind-not-allowed"),
    (
        "a mandatory header nobody processes",
        _replace(b"<S:Header>", b'<S:Header><t:Trace xmlns:t="urn:x" S:mustUnderstand="1">1</t:Trace>'),
        None,
        "MustUnderstand",
        "must-understand",
    ),
    ("20,000 namespace declarations on one element", _namespaces(20_000), None, "Client", "forbidden-xml"),
    ("101 namespace declarations", _namespaces(101), None, "Client", "forbidden-xml"),
    ("51 attributes on one element", _attributes(51), None, "Client", "forbidden-xml"),
    ("two Security headers", _second(b"wsse:Security"), None, "Client", "unauthenticated"),
    ("two UsernameTokens", _second(b"wsse:UsernameToken"), None, "Client", "unauthenticated"),
    (
        "an ID number failing GB 11643",
        _replace(b"370202201003150310", b"370202201003150311"),
        None,
        "Client",
        "invalid-id-number",
    ),
]


@pytest.mark.parametrize(("case", "build", "content_type", "fault", "code"), CASES, ids=[c[0] for c in CASES])
def test_hostile_or_wrong_input_is_a_fault_and_changes_nothing(
    gateway: LiveGateway,
    case: str,
    build: Callable[[LiveGateway], bytes],
    content_type: str | None,
    fault: str,
    code: str,
) -> None:
    before = gateway.row_counts()

    response = post_envelope(gateway.base, "court", build(gateway), content_type=content_type)

    found = fault_of(response)
    assert (found["status"], found["fault"], found["code"]) == (500, fault, code), found
    assert gateway.row_counts() == before


def test_an_xsd_violation_names_the_element(gateway: LiveGateway) -> None:
    body = _court_sample(gateway).replace(b"<ag:TrialStage>first_instance<", b"<ag:TrialStage>third_instance<")

    found = fault_of(post_envelope(gateway.base, "court", body))

    assert found["paths"] == ["/NotifyDefense/TrialStage"]


def test_a_rule_violation_names_the_element_in_the_agencys_dialect(gateway: LiveGateway) -> None:
    body = _court_sample(gateway).replace(b"370202201003150310", b"370202201003150311")

    found = fault_of(post_envelope(gateway.base, "court", body))

    assert found["paths"] == ["/NotifyDefense/Defendant/IdNumber"]


def test_a_soap12_fault_is_soap12_with_a_subcode_and_an_upgrade_header(gateway: LiveGateway) -> None:
    body = _court_sample(gateway, SOAP12).replace(SOAP12.namespace.encode(), b"http://example.org/soap/3", 1)

    response = post_envelope(gateway.base, "court", body, SOAP12)

    root = etree.fromstring(response.content)
    assert response.headers["Content-Type"].startswith(SOAP12.media_type)
    assert root.findtext(f".//{{{SOAP12.namespace}}}Code/{{{SOAP12.namespace}}}Value") == "env:VersionMismatch"
    assert root.find(f"{{{SOAP12.namespace}}}Header/{{{SOAP12.namespace}}}Upgrade") is not None
    assert root.findtext(".//{*}Subcode/{*}Value").endswith(":version-mismatch")


def test_a_body_over_the_limit_is_refused_before_it_is_read(gateway: LiveGateway) -> None:
    before = gateway.row_counts()
    twenty_mb = b"<S:Envelope>" + b" " * (20 * 1024 * 1024)

    found = fault_of(post_envelope(gateway.base, "court", twenty_mb))

    assert (found["status"], found["fault"], found["code"]) == (500, "Client", "payload-too-large")
    assert gateway.row_counts() == before


def test_a_chunked_body_over_the_limit_is_refused(gateway: LiveGateway) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"<S:Envelope>"
        for _ in range(20):
            yield b" " * (1024 * 1024)

    response = requests.post(
        f"{gateway.base}/soap/court", data=chunks(), headers={"Content-Type": "text/xml"}, timeout=30
    )

    assert fault_of(response)["code"] == "payload-too-large"


def _digest_envelope(gateway: LiveGateway, created: datetime, nonce: bytes) -> bytes:
    """The court sample with its PasswordText token replaced by a PasswordDigest one."""
    root = etree.fromstring(_court_sample(gateway))
    token = root.find(f".//{{{WSSE}}}UsernameToken")
    password = token.find(f"{{{WSSE}}}Password")
    created_text = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    password.set("Type", PASSWORD_DIGEST)
    password.text = password_digest(nonce, created_text, gateway.keys[COURT])
    etree.SubElement(token, f"{{{WSSE}}}Nonce").text = base64.b64encode(nonce).decode()
    etree.SubElement(token, f"{{{WSU}}}Created").text = created_text
    return bytes(etree.tostring(root))


def test_a_replayed_digest_token_is_refused_and_stores_nothing_more(gateway: LiveGateway) -> None:
    envelope = _digest_envelope(gateway, datetime.now(UTC), os.urandom(16))
    first = post_envelope(gateway.base, "court", envelope)
    after_first = gateway.row_counts()

    replay = fault_of(post_envelope(gateway.base, "court", envelope))

    assert first.status_code == 200, first.text
    assert replay["code"] == "replayed-security-token"
    assert gateway.row_counts() == after_first


@pytest.mark.parametrize("skew", [timedelta(minutes=-10), timedelta(minutes=10)], ids=["old", "future"])
def test_a_token_created_outside_the_window_is_refused(gateway: LiveGateway, skew: timedelta) -> None:
    before = gateway.row_counts()
    envelope = _digest_envelope(gateway, datetime.now(UTC) + skew, os.urandom(16))

    found = fault_of(post_envelope(gateway.base, "court", envelope))

    assert found["code"] == "stale-security-token"
    assert gateway.row_counts() == before


def test_a_digest_with_a_wrong_key_is_refused(gateway: LiveGateway) -> None:
    root = etree.fromstring(_digest_envelope(gateway, datetime.now(UTC), os.urandom(16)))
    root.find(f".//{{{WSSE}}}Password").text = base64.b64encode(b"x" * 20).decode()

    found = fault_of(post_envelope(gateway.base, "court", etree.tostring(root)))

    assert found["code"] == "unauthenticated"


def test_a_comment_or_cdata_inside_a_value_does_not_cut_it_short(gateway: LiveGateway) -> None:
    body = _court_sample(gateway).replace("王小明".encode(), "王<!-- x -->小<![CDATA[明]]>".encode(), 1)

    response = post_envelope(gateway.base, "court", body)

    request_id = etree.fromstring(response.content).findtext(".//{*}Id")
    canonical = json.loads(gateway.services.requests.canonical_body(request_id) or "{}")
    assert canonical["person"]["name"] == "王小明"


def test_the_stored_envelope_keeps_neither_the_key_nor_the_nonce(gateway: LiveGateway) -> None:
    nonce = os.urandom(16)
    for number, envelope in enumerate((_court_sample(gateway), _digest_envelope(gateway, datetime.now(UTC), nonce))):
        renumbered = envelope.replace("号-通知辩护".encode(), f"号-{number}".encode(), 1)
        response = post_envelope(gateway.base, "court", renumbered)
        assert etree.fromstring(response.content).findtext(".//{*}Created") == "true", response.text
        request_id = etree.fromstring(response.content).findtext(".//{*}Id")
        stored = gateway.services.requests.raw_payload(request_id)

        assert stored is not None and stored.content_type == "text/xml"
        assert gateway.keys[COURT].encode() not in stored.body
        assert base64.b64encode(nonce) not in stored.body
        assert b"[redacted]" in stored.body


def _with_timestamp(gateway: LiveGateway, created: datetime, expires: datetime | None) -> bytes:
    """The sample with a wsu:Timestamp in its Security header, as WCF and CXF clients send by default."""
    root = etree.fromstring(_court_sample(gateway))
    security = root.find(f".//{{{WSSE}}}Security")
    stamp = etree.Element(f"{{{WSU}}}Timestamp")
    etree.SubElement(stamp, f"{{{WSU}}}Created").text = created.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if expires is not None:
        etree.SubElement(stamp, f"{{{WSU}}}Expires").text = expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    security.insert(0, stamp)
    security.set(f"{{{SOAP11.namespace}}}mustUnderstand", "1")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def test_a_timestamp_as_wcf_and_cxf_send_it_is_accepted(gateway: LiveGateway) -> None:
    now = datetime.now(UTC)

    response = post_envelope(gateway.base, "court", _with_timestamp(gateway, now, now + timedelta(minutes=5)))

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("created", "expires", "code"),
    [
        (timedelta(minutes=-3), timedelta(seconds=-1), "stale-security-token"),  # expired
        (timedelta(minutes=10), None, "stale-security-token"),  # made in the future
        (timedelta(minutes=-10), timedelta(minutes=5), "stale-security-token"),  # made too long ago
        (timedelta(0), timedelta(minutes=-1), "unauthenticated"),  # expires before it was made
    ],
    ids=["expired", "future", "old", "expires before created"],
)
def test_a_timestamp_out_of_time_is_refused_and_stores_nothing(
    gateway: LiveGateway, created: timedelta, expires: timedelta | None, code: str
) -> None:
    now, before = datetime.now(UTC), gateway.row_counts()
    envelope = _with_timestamp(gateway, now + created, None if expires is None else now + expires)

    found = fault_of(post_envelope(gateway.base, "court", envelope))

    assert (found["fault"], found["code"]) == ("Client", code), found
    assert gateway.row_counts() == before


def _send_cut(gateway: LiveGateway, head: bytes, sent: bytes) -> bytes:
    """Send `head` and part of a body, close the sending side, and read the whole answer."""
    host, port = gateway.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + sent)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def _head(gateway: LiveGateway, framing: str) -> bytes:
    return (
        f"POST /soap/court HTTP/1.1\r\nHost: {gateway.base.removeprefix('http://')}\r\n"
        f'Content-Type: text/xml; charset=utf-8\r\nSOAPAction: ""\r\n{framing}\r\nConnection: close\r\n\r\n'
    ).encode()


def test_a_body_cut_short_of_its_declared_length_is_a_client_fault_and_stores_nothing(
    gateway: LiveGateway, caplog: pytest.LogCaptureFixture
) -> None:
    body, before = _court_sample(gateway), gateway.row_counts()

    with caplog.at_level(logging.ERROR):
        answer = _send_cut(gateway, _head(gateway, f"Content-Length: {len(body) + 500}"), body)

    assert b"Client" in answer and b"malformed-body" in answer, answer[:600]
    assert gateway.row_counts() == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a traceback was logged"


def test_a_chunked_body_cut_short_is_a_client_fault_and_stores_nothing(
    gateway: LiveGateway, caplog: pytest.LogCaptureFixture
) -> None:
    body, before = _court_sample(gateway), gateway.row_counts()
    first_chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n"  # the terminating chunk never comes

    with caplog.at_level(logging.ERROR):
        answer = _send_cut(gateway, _head(gateway, "Transfer-Encoding: chunked"), first_chunk)

    assert b"Client" in answer and b"malformed-body" in answer, answer[:600]
    assert gateway.row_counts() == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a traceback was logged"
