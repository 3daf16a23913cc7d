"""WS-Security UsernameToken checks: key, digest, freshness and replay."""

import base64
import os
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from gateway.domain.enums import AgencyType, Kind, Level
from gateway.domain.model import Agency
from gateway.errors import MustUnderstand, ReplayedSecurityToken, StaleSecurityToken, Unauthenticated
from gateway.web.soap.envelope import SOAP11
from gateway.web.soap.security import (
    PASSWORD_DIGEST,
    WSSE,
    WSU,
    TokenVerifier,
    UsernameToken,
    password_digest,
    read_username_token,
    username_token_header,
)

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
COURT = Agency("court-1", "法院", AgencyType.COURT, Level.DISTRICT, "370202", frozenset(Kind))
KEY = "lagw_court-key"


class FakeCredentials:
    def __init__(self, key: str | None = KEY) -> None:
        self.key = key

    def by_code(self, code: str) -> Agency | None:
        return COURT if code == COURT.code else None

    def keys_of(self, code: str) -> list[str]:
        return [self.key] if code == COURT.code and self.key else []

    def by_api_key(self, api_key: str) -> Agency | None:
        return COURT if api_key == KEY else None


class FakeNonces:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def remember(self, agency_code: str, nonce: str, at: datetime) -> bool:
        if (agency_code, nonce) in self.seen:
            return False
        self.seen.add((agency_code, nonce))
        return True


def _verifier(credentials: FakeCredentials | None = None) -> TokenVerifier:
    return TokenVerifier(credentials or FakeCredentials(), FakeNonces(), lambda: NOW, timedelta(minutes=5))


def _digest_token(created: datetime = NOW, key: str = KEY, nonce: bytes | None = None) -> UsernameToken:
    nonce = nonce or os.urandom(16)
    text = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return UsernameToken(COURT.code, password_digest(nonce, text, key), True, nonce, text)


def test_a_password_text_token_with_the_key_proves_the_agency() -> None:
    header = etree.Element("Header")
    header.append(username_token_header(COURT.code, KEY))

    assert _verifier().verify(read_username_token(header, SOAP11)) == COURT


def test_a_digest_token_proves_the_agency_once() -> None:
    verifier = _verifier()
    token = _digest_token()

    assert verifier.verify(token) == COURT
    with pytest.raises(ReplayedSecurityToken):
        verifier.verify(token)


@pytest.mark.parametrize("skew", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_token_created_outside_the_window_is_stale(skew: timedelta) -> None:
    with pytest.raises(StaleSecurityToken):
        _verifier().verify(_digest_token(NOW + skew))


@pytest.mark.parametrize(
    "token",
    [
        UsernameToken(COURT.code, "lagw_wrong", False, None, None),
        UsernameToken("court-9", KEY, False, None, None),
        _digest_token(key="lagw_wrong"),
        UsernameToken(COURT.code, "x", True, None, None),
        UsernameToken(COURT.code, "x", True, b"n", "yesterday"),
    ],
    ids=["wrong key", "unknown agency", "wrong digest", "digest without nonce", "created not a date"],
)
def test_a_token_that_proves_nothing_is_refused(token: UsernameToken) -> None:
    with pytest.raises(Unauthenticated):
        _verifier().verify(token)


def test_a_digest_needs_the_key_on_record() -> None:
    with pytest.raises(Unauthenticated, match="matches no registered agency"):
        _verifier(FakeCredentials(key=None)).verify(_digest_token())


def test_the_token_is_read_from_the_security_header() -> None:
    nonce = os.urandom(16)
    security = etree.Element(f"{{{WSSE}}}Security")
    token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(token, f"{{{WSSE}}}Username").text = " court-1 "
    etree.SubElement(token, f"{{{WSSE}}}Password", Type=PASSWORD_DIGEST).text = "abc"
    etree.SubElement(token, f"{{{WSSE}}}Nonce").text = base64.b64encode(nonce).decode()
    etree.SubElement(token, f"{{{WSU}}}Created").text = "2026-11-25T08:00:00Z"
    header = etree.Element("Header")
    header.append(security)

    read = read_username_token(header, SOAP11)

    assert read == UsernameToken("court-1", "abc", True, nonce, "2026-11-25T08:00:00Z")


def test_a_mandatory_security_header_with_a_signature_is_not_passed_as_checked() -> None:
    header = etree.Element("Header")
    security = username_token_header(COURT.code, KEY)
    security.set(SOAP11.qname("mustUnderstand"), "1")
    etree.SubElement(security, "{http://www.w3.org/2000/09/xmldsig#}Signature")
    header.append(security)

    with pytest.raises(MustUnderstand):
        read_username_token(header, SOAP11)


def test_a_security_header_for_another_actor_is_not_ours() -> None:
    header = etree.Element("Header")
    security = username_token_header(COURT.code, KEY)
    security.set(SOAP11.qname("actor"), "urn:some-intermediary")
    header.append(security)

    with pytest.raises(Unauthenticated):
        read_username_token(header, SOAP11)


@pytest.mark.parametrize("nonce", [b"", b"short", b"x" * 65], ids=["empty", "short", "long"])
def test_a_nonce_of_the_wrong_size_is_refused(nonce: bytes) -> None:
    header = etree.Element("Header")
    security = username_token_header(COURT.code, KEY)
    etree.SubElement(security[0], f"{{{WSSE}}}Nonce").text = base64.b64encode(nonce).decode()
    header.append(security)

    with pytest.raises(Unauthenticated):
        read_username_token(header, SOAP11)


def test_a_non_ascii_digest_is_refused_not_an_error() -> None:
    token = _digest_token()
    with pytest.raises(Unauthenticated):
        _verifier().verify(UsernameToken(token.username, "密码", True, token.nonce, token.created))


def test_no_header_means_no_token() -> None:
    with pytest.raises(Unauthenticated):
        read_username_token(None, SOAP11)


def test_a_sealed_key_opens_only_for_its_owner_and_with_the_same_secret() -> None:
    from gateway.security.sealing import KeySealer, UnsealError

    sealed = KeySealer("secret").seal(KEY, COURT.code)

    assert KeySealer("secret").unseal(sealed, COURT.code) == KEY
    with pytest.raises(UnsealError):
        KeySealer("secret").unseal(sealed, "court-2")
    with pytest.raises(UnsealError):
        KeySealer("another secret").unseal(sealed, COURT.code)
