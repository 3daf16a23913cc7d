"""WS-Security UsernameToken: the agency code and its key, as text over TLS or as a nonce-salted digest."""

import base64
import binascii
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from lxml import etree

from gateway.domain.model import Agency
from gateway.errors import MustUnderstand, ReplayedSecurityToken, StaleSecurityToken, Unauthenticated
from gateway.web.soap.envelope import SoapVersion, is_for_us, must_understand

log = logging.getLogger(__name__)

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = _PROFILE + "#PasswordText"
PASSWORD_DIGEST = _PROFILE + "#PasswordDigest"
SECURITY_HEADER = f"{{{WSSE}}}Security"
TIMESTAMP = f"{{{WSU}}}Timestamp"
MIN_NONCE_BYTES, MAX_NONCE_BYTES = 16, 64


@dataclass(frozen=True)
class Timestamp:
    """A wsu:Timestamp beside the token (WCF and CXF clients send one by default): when the message was made
    and when it stops being valid, as sent."""

    created: str | None
    expires: str | None


@dataclass(frozen=True)
class UsernameToken:
    """The token as sent; `created` is the literal text, which the digest covers."""

    username: str
    password: str
    digest: bool
    nonce: bytes | None
    created: str | None
    timestamp: Timestamp | None = None


class Credentials(Protocol):
    """The part of the agency registry that checks SOAP credentials."""

    def by_code(self, code: str) -> Agency | None: ...

    def keys_of(self, code: str) -> list[str]: ...

    def by_api_key(self, api_key: str) -> Agency | None: ...


class Nonces(Protocol):
    """Nonces seen inside the replay window."""

    def remember(self, agency_code: str, nonce: str, at: datetime) -> bool: ...


def read_username_token(header: etree._Element | None, version: SoapVersion) -> UsernameToken:
    """The UsernameToken in the one wsse:Security header aimed at us, or Unauthenticated.

    One Security header, one token and at most one wsu:Timestamp: a second one would go unchecked. A Security
    header marked mustUnderstand may hold nothing else: a signature the gateway does not check must not pass
    as checked.
    """
    blocks = [] if header is None else [b for b in header.findall(SECURITY_HEADER) if is_for_us(b, version)]
    if len(blocks) > 1:
        raise Unauthenticated(f"send one wsse:Security header, not {len(blocks)}")
    security = blocks[0] if blocks else None
    tokens = [] if security is None else security.findall(f"{{{WSSE}}}UsernameToken")
    stamps = [] if security is None else security.findall(TIMESTAMP)
    if len(tokens) > 1 or len(stamps) > 1:
        raise Unauthenticated("the Security header holds one UsernameToken and at most one wsu:Timestamp")
    token = tokens[0] if tokens else None
    stamp = stamps[0] if stamps else None
    if security is not None and must_understand(security, version):
        known = (token, stamp)
        others = sorted({str(child.tag) for child in security if isinstance(child.tag, str) and child not in known})
        if others:
            raise MustUnderstand(
                f"the Security header holds {', '.join(others)}; only a UsernameToken and a Timestamp are processed"
            )
    if token is None:
        raise Unauthenticated("send a WS-Security UsernameToken (agency code and key) in the SOAP Header")
    username = token.findtext(f"{{{WSSE}}}Username")
    password = token.find(f"{{{WSSE}}}Password")
    if not username or password is None or not password.text:
        raise Unauthenticated("the UsernameToken needs a Username (the agency code) and a Password")
    kind = password.get("Type", PASSWORD_TEXT)
    if kind not in (PASSWORD_TEXT, PASSWORD_DIGEST):
        raise Unauthenticated(f"unsupported password type {kind}; use PasswordText or PasswordDigest")
    created = token.findtext(f"{{{WSU}}}Created")
    timestamp = None
    if stamp is not None:
        timestamp = Timestamp(stamp.findtext(f"{{{WSU}}}Created"), stamp.findtext(f"{{{WSU}}}Expires"))
    return UsernameToken(
        username.strip(), password.text.strip(), kind == PASSWORD_DIGEST, _nonce(token), created, timestamp
    )


def _instant(text: str, name: str) -> datetime:
    """An xs:dateTime with its time zone, or Unauthenticated naming the element."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise Unauthenticated(f"the {name} time is not an xs:dateTime") from exc
    if moment.tzinfo is None:
        raise Unauthenticated(f"the {name} time must carry a time zone (e.g. Z)")
    return moment


def _nonce(token: etree._Element) -> bytes | None:
    text = token.findtext(f"{{{WSSE}}}Nonce")
    if text is None:
        return None
    try:
        nonce = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as exc:
        raise Unauthenticated("the Nonce is not base64") from exc
    if not MIN_NONCE_BYTES <= len(nonce) <= MAX_NONCE_BYTES:
        raise Unauthenticated(f"the Nonce must be {MIN_NONCE_BYTES} to {MAX_NONCE_BYTES} random bytes")
    return nonce


class TokenVerifier:
    """Checks a token against the registry: freshness, replay, then the key."""

    def __init__(
        self, credentials: Credentials, nonces: Nonces, now: Callable[[], datetime], window: timedelta
    ) -> None:
        self._credentials = credentials
        self._nonces = nonces
        self._now = now
        self._window = window

    def verify(self, token: UsernameToken) -> Agency:
        """The agency the token proves, or an Unauthenticated error saying what to fix."""
        if token.digest and (token.nonce is None or token.created is None):
            raise Unauthenticated("a PasswordDigest token needs a Nonce and a Created time")
        if token.created is not None:
            self._check_fresh(token.created)
        if token.timestamp is not None:
            self._check_timestamp(token.timestamp)
        agency = self._check_key(token)
        if token.nonce is not None and not self._nonces.remember(agency.code, token.nonce.hex(), self._now()):
            raise ReplayedSecurityToken("this UsernameToken nonce was already used; send a new nonce")
        return agency

    def _check_timestamp(self, timestamp: Timestamp) -> None:
        """WS-Security 1.1 §10: Created within the window, and the message not past its Expires."""
        if timestamp.created is None:
            raise Unauthenticated("the wsu:Timestamp needs a Created time")
        created = self._check_fresh(timestamp.created)
        if timestamp.expires is None:
            return
        expires = _instant(timestamp.expires, "Expires")
        if expires <= created:
            raise Unauthenticated("the wsu:Timestamp expires before it was created")
        if expires < self._now():
            raise StaleSecurityToken(
                f"the message expired at {timestamp.expires} by its wsu:Timestamp; send it again with a new one"
            )

    def _check_fresh(self, created_text: str) -> datetime:
        created = _instant(created_text, "Created")
        age = self._now() - created
        if age > self._window or age < -self._window:
            raise StaleSecurityToken(
                f"the token was created {created_text}, outside ±{int(self._window.total_seconds())} s of "
                "the gateway's clock; check the sender's clock and send a fresh token"
            )
        return created

    def _check_key(self, token: UsernameToken) -> Agency:
        refused = Unauthenticated("the UsernameToken matches no registered agency and key")
        agency = self._credentials.by_code(token.username)
        if agency is None:
            raise refused
        if not token.digest:
            holder = self._credentials.by_api_key(token.password)
            if holder is None or holder.code != agency.code:
                raise refused
            return agency
        keys = self._credentials.keys_of(agency.code)  # the current key, and the previous one in its grace
        if not keys:
            log.warning("agency %s sent a PasswordDigest but has no sealed key; rotate its key", agency.code)
            raise refused
        sent = token.password.encode("utf-8")
        digests = (password_digest(token.nonce or b"", token.created or "", key).encode("ascii") for key in keys)
        if not any(hmac.compare_digest(expected, sent) for expected in digests):
            raise refused
        return agency


def username_token_header(username: str, password: str) -> etree._Element:
    """A wsse:Security header block with a PasswordText UsernameToken (for samples and tests)."""
    security = etree.Element(SECURITY_HEADER, nsmap={"wsse": WSSE})
    token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(token, f"{{{WSSE}}}Username").text = username
    etree.SubElement(token, f"{{{WSSE}}}Password", Type=PASSWORD_TEXT).text = password
    return security


def password_digest(nonce: bytes, created: str, key: str) -> str:
    """UsernameToken Profile 1.0 §3.1: Base64(SHA-1(nonce + created + password))."""
    return base64.b64encode(hashlib.sha1(nonce + created.encode("utf-8") + key.encode("utf-8")).digest()).decode()
