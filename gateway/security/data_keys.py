"""Personal data at rest: AES-GCM under a ring of data keys; each ciphertext names the key that sealed it.

The first key of the ring seals, every key opens. A sealed value is
`b"LAGW1" + len(key id) + key id + 12-byte nonce + ciphertext and tag`; the associated data is that header
and the value's context (its table, column and row id), so a ciphertext moved to another row, or given
another key id, does not open.
"""

import base64
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_MAGIC = b"LAGW1"
_NONCE_BYTES = 12
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")


class DataKeyError(ValueError):
    """The data key configuration cannot be used (bad format, wrong key length, duplicate id)."""


class UnreadableData(Exception):
    """A sealed value names a key the ring lacks, or was altered, or belongs to another row."""


@dataclass(frozen=True)
class DataKey:
    """One AES-256 key and the id stored beside everything it seals."""

    id: str
    secret: bytes = b""

    def __repr__(self) -> str:
        return f"DataKey({self.id!r})"  # never the secret


class DataKeyRing:
    """Seals with the current (first) key, opens with whichever key a value names."""

    def __init__(self, keys: Sequence[DataKey]) -> None:
        if not keys:
            raise DataKeyError("at least one data key is needed")
        self._current = keys[0].id
        self._keys: dict[str, AESGCM] = {}
        for key in keys:
            if not _KEY_ID.fullmatch(key.id):
                raise DataKeyError(f"data key id {key.id!r}: 1 to 32 of A-Z a-z 0-9 . _ -")
            if key.id in self._keys:
                raise DataKeyError(f"data key id {key.id!r} is given twice")
            if len(key.secret) != 32:
                raise DataKeyError(f"data key {key.id!r} must be 32 bytes (base64 of 32 random bytes)")
            self._keys[key.id] = AESGCM(key.secret)

    @classmethod
    def parse(cls, text: str) -> "DataKeyRing":
        """A ring from `id:base64key,id:base64key` (the first one seals)."""
        keys = []
        for entry in filter(None, (part.strip() for part in text.split(","))):
            key_id, sep, encoded = entry.partition(":")
            if not sep:
                raise DataKeyError("each data key is written id:base64key")
            try:
                secret = base64.b64decode(encoded.strip(), validate=True)
            except ValueError as exc:
                raise DataKeyError(f"data key {key_id.strip()!r} is not valid base64") from exc
            keys.append(DataKey(key_id.strip(), secret))
        return cls(keys)

    @property
    def current_id(self) -> str:
        """The id of the key new values are sealed with."""
        return self._current

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Every key id the ring opens, the current one first."""
        return tuple(self._keys)

    def seal(self, clear: bytes, context: str) -> bytes:
        """Encrypt `clear` for the row named by `context` under the current key."""
        header = _header(self._current)
        nonce = os.urandom(_NONCE_BYTES)
        return header + nonce + self._keys[self._current].encrypt(nonce, clear, header + context.encode("utf-8"))

    def open(self, sealed: bytes, context: str) -> bytes:
        """The clear bytes of a value sealed for `context`, or UnreadableData."""
        key_id = sealed_key_id(sealed)
        aead = self._keys.get(key_id)
        if aead is None:
            raise UnreadableData(f"data sealed with key {key_id!r}, which LAGW_DATA_KEYS no longer holds")
        header = _header(key_id)
        body = sealed[len(header) :]
        try:
            return aead.decrypt(body[:_NONCE_BYTES], body[_NONCE_BYTES:], header + context.encode("utf-8"))
        except InvalidTag as exc:
            raise UnreadableData(f"sealed data of {context} was altered or belongs to another row") from exc

    def seal_text(self, clear: str, context: str) -> str:
        """`seal` for a text column: base64 of the sealed bytes."""
        return base64.b64encode(self.seal(clear.encode("utf-8"), context)).decode("ascii")

    def open_text(self, sealed: str, context: str) -> str:
        """`open` for a text column."""
        return self.open(base64.b64decode(sealed), context).decode("utf-8")


def sealed_key_id(sealed: bytes) -> str:
    """The id of the key a sealed value names."""
    if not sealed.startswith(_MAGIC) or len(sealed) < len(_MAGIC) + 1:
        raise UnreadableData("not a sealed value")
    length = sealed[len(_MAGIC)]
    return sealed[len(_MAGIC) + 1 : len(_MAGIC) + 1 + length].decode("ascii")


def new_data_key() -> str:
    """32 random bytes in base64: a fresh key for LAGW_DATA_KEYS."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def _header(key_id: str) -> bytes:
    raw = key_id.encode("ascii")
    return _MAGIC + bytes([len(raw)]) + raw
