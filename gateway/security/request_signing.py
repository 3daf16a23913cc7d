"""HMAC request signing for agencies that cannot use mutual TLS: the key never travels, a replay is refused.

    Authorization: LAGW-HMAC-SHA256 Credential=<agency code>, Timestamp=<unix seconds>, Nonce=<random>,
                   Signature=<hex HMAC-SHA256 of the string to sign under the agency's API key>

The string to sign is the method, the request target exactly as sent on the request line (path and query,
percent-encoded as on the wire), the timestamp, the nonce and the SHA-256 of the body (hex), joined by newlines.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass

SCHEME = "LAGW-HMAC-SHA256"
_PARAMETER = re.compile(r"\s*(Credential|Timestamp|Nonce|Signature)=([^,\s]+)\s*(?:,|$)")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")


class BadSignatureHeader(ValueError):
    """The Authorization header does not follow the signing scheme."""


@dataclass(frozen=True)
class SignedCredential:
    """What a signed request claims: who, when, a nonce, and the signature."""

    agency_code: str
    timestamp: int
    nonce: str
    signature: str


def string_to_sign(method: str, path: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The exact bytes both sides sign."""
    return "\n".join((method.upper(), path, str(timestamp), nonce, hashlib.sha256(body).hexdigest())).encode()


def sign(key: str, method: str, path: str, timestamp: int, nonce: str, body: bytes) -> str:
    """The hex signature an agency sends."""
    message = string_to_sign(method, path, timestamp, nonce, body)
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def authorization_header(code: str, key: str, method: str, path: str, timestamp: int, nonce: str, body: bytes) -> str:
    """A complete `Authorization` value, as an agency's client builds it."""
    signature = sign(key, method, path, timestamp, nonce, body)
    return f"{SCHEME} Credential={code}, Timestamp={timestamp}, Nonce={nonce}, Signature={signature}"


def parse_credential(parameters: str) -> SignedCredential:
    """The parameters after the scheme name, or BadSignatureHeader."""
    found = dict(_PARAMETER.findall(parameters))
    missing = {"Credential", "Timestamp", "Nonce", "Signature"} - set(found)
    if missing:
        raise BadSignatureHeader(f"the signature header lacks {', '.join(sorted(missing))}")
    if not _TIMESTAMP.fullmatch(found["Timestamp"]):
        raise BadSignatureHeader("Timestamp must be Unix seconds")
    if not _SIGNATURE.fullmatch(found["Signature"]):
        raise BadSignatureHeader("Signature must be 64 hexadecimal digits (HMAC-SHA256)")
    if not _NONCE.fullmatch(found["Nonce"]):
        raise BadSignatureHeader("Nonce must be 16-64 characters of A-Z, a-z, 0-9, '-' or '_'")
    return SignedCredential(found["Credential"], int(found["Timestamp"]), found["Nonce"], found["Signature"].lower())


def signature_matches(keys: list[str], credential: SignedCredential, method: str, path: str, body: bytes) -> bool:
    """Whether any of the agency's valid keys (current, or previous in its grace) made the signature."""
    return any(
        hmac.compare_digest(sign(key, method, path, credential.timestamp, credential.nonce, body), credential.signature)
        for key in keys
    )
