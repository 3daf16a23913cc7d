"""Signed requests by RFC 9421 (HTTP Message Signatures), for agencies that cannot use mutual TLS: the key never
travels, a changed body or a replay is refused.

    Content-Digest: sha-256=:<base64 SHA-256 of the body>:                                   (RFC 9530)
    Signature-Input: sig=("@method" "@path" "@query" "content-digest");created=<unix s>;
                     keyid="<agency code>";nonce="<random>";alg="hmac-sha256"
    Signature: sig=:<base64 HMAC-SHA256 of the signature base, under the agency's API key>:

The algorithm is `hmac-sha256` with the agency's API key (its UTF-8 bytes) as the shared secret; the signature
must cover the method, the path, the query and the content digest, and carry `created`, `keyid` and `nonce`.
A maintained library does both sides (`http-message-signatures` here and for an agency in Python; the same
exists for Java, .NET, Go and Node; `docs/security.md` shows an agency's Python client).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import http_sf
from http_message_signatures import (
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException
from requests.structures import CaseInsensitiveDict

COVERED = ("@method", "@path", "@query", "content-digest")  # what every signature must cover
_JUDGED_BY_THE_CALLER = timedelta(days=1)  # the library's own limit on a `created` ahead of the clock
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class BadSignature(ValueError):
    """The request's signature is malformed, covers too little, or does not verify under the agency's keys."""


@dataclass(frozen=True)
class SignedRequest:
    """What a verified signature vouches for: who signed, when, and its nonce."""

    agency_code: str
    created: datetime
    nonce: str


@dataclass
class Message:
    """A request as the library reads it: method, URL (path and query as sent) and header fields."""

    method: str
    url: str
    headers: CaseInsensitiveDict[str]


class _Key(HTTPSignatureKeyResolver):
    def __init__(self, key: str) -> None:
        self._key = key.encode("utf-8")

    def resolve_public_key(self, key_id: str) -> bytes:
        return self._key

    def resolve_private_key(self, key_id: str) -> bytes:
        return self._key


def is_signed(headers: CaseInsensitiveDict[str]) -> bool:
    """Whether the request carries an RFC 9421 signature."""
    return "signature-input" in headers or "signature" in headers


def claimed_signer(headers: CaseInsensitiveDict[str]) -> str:
    """The `keyid` the one signature names (the agency code), before any key is tried; BadSignature if none."""
    try:
        inputs = http_sf.parse(headers.get("signature-input", "").encode("ascii"), tltype="dictionary")
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise BadSignature("Signature-Input is not a structured field dictionary (RFC 9421 §4.1)") from exc
    if not isinstance(inputs, dict) or len(inputs) != 1:
        raise BadSignature("send exactly one signature in Signature-Input")
    [member] = inputs.values()
    parameters = member[1] if isinstance(member, tuple) and len(member) == 2 else None
    key_id = parameters.get("keyid") if isinstance(parameters, dict) else None
    if not isinstance(key_id, str) or not key_id:
        raise BadSignature('the signature has no "keyid" (the agency code)')
    return key_id


def verify(message: Message, body: bytes, keys: list[str]) -> SignedRequest:
    """The signature checked under each of the agency's valid keys (current, or previous in its grace). How far
    `created` may be from the gateway's clock, either way, is the caller's to judge (its replay window)."""
    for key in keys:
        verifier = HTTPMessageVerifier(signature_algorithm=algorithms.HMAC_SHA256, key_resolver=_Key(key))
        verifier.max_clock_skew = _JUDGED_BY_THE_CALLER
        try:
            [result] = verifier.verify(message, max_age=None, require_components=COVERED, body=body)
        except InvalidSignature as exc:
            if "Required component" in str(exc):
                raise BadSignature(f"the signature must cover {', '.join(COVERED)}") from exc
            if "created" in str(exc) or "Malformed" in str(exc) or "metadata" in str(exc):
                raise BadSignature(f"the signature cannot be accepted: {exc}") from exc  # not a question of key
            continue
        except (HTTPMessageSignaturesException, ValueError) as exc:
            raise BadSignature(f"the signature cannot be read: {exc}") from exc
        nonce = result.nonce
        if nonce is None or not _NONCE.fullmatch(nonce):
            raise BadSignature("the signature needs a nonce of 16-64 characters of A-Z, a-z, 0-9, '-' or '_'")
        created = datetime.fromtimestamp(int(result.parameters["created"]), UTC)
        return SignedRequest(str(result.parameters["keyid"]), created, nonce)
    raise BadSignature("the signature does not match the request under the agency's key")
