"""Secrets the gateway must read back (agency keys for WS-Security digests), sealed with AES-GCM."""

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class UnsealError(Exception):
    """The sealed value was not sealed with this key, or was altered."""


class KeySealer:
    """Seals short secrets; the associated data binds each to its owner (an agency code)."""

    def __init__(self, secret: str) -> None:
        # Any configured string becomes a 256-bit key; a base64 key of 32 bytes is used as is.
        self._aead = AESGCM(_key_bytes(secret))

    def seal(self, value: str, owner: str) -> bytes:
        """Encrypt `value` for `owner`: nonce + ciphertext + tag."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value.encode("utf-8"), owner.encode("utf-8"))

    def unseal(self, sealed: bytes, owner: str) -> str:
        """The clear value, or UnsealError."""
        try:
            clear = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], owner.encode("utf-8"))
        except InvalidTag as exc:
            raise UnsealError(f"the sealed secret of {owner} does not open with the configured key") from exc
        return clear.decode("utf-8")


def _key_bytes(secret: str) -> bytes:
    try:
        raw = base64.b64decode(secret, validate=True)
    except ValueError:
        raw = b""
    return raw if len(raw) == 32 else hashlib.sha256(secret.encode("utf-8")).digest()
