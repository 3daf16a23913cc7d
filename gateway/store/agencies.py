"""The agency registry: codes, types, jurisdictions and hashed API keys."""

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from cachetools import TTLCache

from gateway.domain.enums import AgencyType, Kind, Level
from gateway.domain.model import Agency
from gateway.errors import CredentialsUnreadable
from gateway.security.sealing import KeySealer, UnsealError
from gateway.service.ports import Callback
from gateway.store.engine import READ_ONLY
from gateway.store.tables import agencies


class UnknownAgency(LookupError):
    """No agency has this code."""


def hash_api_key(api_key: str) -> str:
    """SHA-256 of a key; keys are 256-bit random, so a fast unsalted hash is sufficient."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    """A fresh random API key."""
    return "lagw_" + secrets.token_urlsafe(32)


# How long a process keeps a verified key: a rotation or revocation made elsewhere takes effect within it.
KEY_CACHE_SECONDS = 5.0


class SqlAgencyRegistry:
    """Agencies and their credentials: a hash to look a bearer key up, the key itself only sealed.

    A key found (a bearer key's agency, an agency's clear keys for WS-Security, an agency by its code) is kept
    `KEY_CACHE_SECONDS`,
    so a busy agency's calls do not each read and unseal it; a rotation in this process forgets them at once.
    """

    def __init__(
        self,
        engine: sa.Engine,
        sealer: KeySealer,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        cache_seconds: float = KEY_CACHE_SECONDS,
    ) -> None:
        self._engine = engine
        self._sealer = sealer
        self._now = now
        self._cache_lock = threading.Lock()
        self._agency_by_key: TTLCache[str, Agency] = TTLCache(maxsize=1024, ttl=cache_seconds, timer=time.monotonic)
        self._keys_by_code: TTLCache[str, list[str]] = TTLCache(maxsize=1024, ttl=cache_seconds, timer=time.monotonic)
        self._agency_by_code: TTLCache[str, Agency] = TTLCache(maxsize=1024, ttl=cache_seconds, timer=time.monotonic)

    def add(self, agency: Agency) -> str:
        """Register an agency and return its new API key."""
        key = new_api_key()
        at = self._now()
        with self._engine.begin() as conn:
            conn.execute(
                agencies.insert().values(
                    code=agency.code,
                    name=agency.name,
                    type=agency.type.value,
                    level=agency.level.value,
                    district=agency.district,
                    allowed_kinds=sorted(kind.value for kind in agency.allowed_kinds),
                    api_key_hash=hash_api_key(key),
                    api_key_sealed=self._sealer.seal(key, agency.code),
                    created_at=at,
                    key_rotated_at=at,
                )
            )
        return key

    def rotate_key(self, code: str, grace: timedelta = timedelta(0)) -> str:
        """Give an agency a new key; the old one keeps working for `grace` (none: it stops at once)."""
        key = new_api_key()
        now = self._now()
        keep_old = grace > timedelta(0)
        with self._engine.begin() as conn:
            result = conn.execute(
                agencies.update()
                .where(agencies.c.code == code)
                .values(
                    previous_api_key_hash=agencies.c.api_key_hash if keep_old else None,
                    previous_api_key_sealed=agencies.c.api_key_sealed if keep_old else None,
                    previous_key_expires_at=now + grace if keep_old else None,
                    api_key_hash=hash_api_key(key),
                    api_key_sealed=self._sealer.seal(key, code),
                    key_rotated_at=now,
                )
            )
        if result.rowcount != 1:
            raise UnknownAgency(code)
        self.forget_keys()
        return key

    def forget_keys(self) -> None:
        """Drop every key this process keeps: the next call reads the store."""
        with self._cache_lock:
            self._agency_by_key.clear()
            self._keys_by_code.clear()
            self._agency_by_code.clear()

    def by_api_key(self, api_key: str) -> Agency | None:
        """The agency holding this key (its current one, or the previous one until it expires), if any."""
        digest = hash_api_key(api_key)
        with self._cache_lock:
            cached = self._agency_by_key.get(digest)
        if cached is not None:
            return cached
        previous_valid = sa.and_(
            agencies.c.previous_api_key_hash == digest, agencies.c.previous_key_expires_at > self._now()
        )
        found = self._one(sa.or_(agencies.c.api_key_hash == digest, previous_valid))
        if found is not None:  # only keys that match: unknown ones cannot crowd them out
            with self._cache_lock:
                self._agency_by_key[digest] = found
        return found

    def key_of(self, code: str) -> str | None:
        """An agency's current clear key, to check a WS-Security PasswordDigest; None if not on record."""
        keys = self.keys_of(code)
        return keys[0] if keys else None

    def keys_of(self, code: str) -> list[str]:
        """The agency's clear keys that are valid now: the current one, then the previous one in its grace."""
        with self._cache_lock:
            cached = self._keys_by_code.get(code)
        if cached is not None:
            return list(cached)
        keys = self._read_keys(code)
        if keys:
            with self._cache_lock:
                self._keys_by_code[code] = keys
        return list(keys)

    def _read_keys(self, code: str) -> list[str]:
        columns = (agencies.c.api_key_sealed, agencies.c.previous_api_key_sealed, agencies.c.previous_key_expires_at)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(sa.select(*columns).where(agencies.c.code == code)).first()
        if row is None or row.api_key_sealed is None:
            return []
        sealed = [row.api_key_sealed]
        if row.previous_api_key_sealed is not None and row.previous_key_expires_at > self._now():
            sealed.append(row.previous_api_key_sealed)
        try:
            return [self._sealer.unseal(bytes(value), code) for value in sealed]
        except UnsealError as exc:
            raise CredentialsUnreadable(
                "the gateway cannot open this agency's sealed key (LAGW_CREDENTIAL_KEY changed?); "
                "use PasswordText or ask the operator to rotate the key"
            ) from exc

    def set_callback(self, code: str, callback: Callback | None) -> None:
        """Set (or with None, remove) how the agency is told of answers; the secret is kept sealed."""
        values: dict[str, object] = {
            "callback_kind": None,
            "callback_url": None,
            "callback_username": None,
            "callback_secret_sealed": None,
            "callback_wsdl": None,
        }
        if callback is not None:
            values.update(
                callback_kind=callback.kind,
                callback_url=callback.url,
                callback_username=callback.username,
                callback_secret_sealed=self._sealer.seal(callback.secret, code),
                callback_wsdl=callback.wsdl,
            )
        with self._engine.begin() as conn:
            if conn.execute(agencies.update().where(agencies.c.code == code).values(values)).rowcount != 1:
                raise UnknownAgency(code)

    def callback_of(self, code: str) -> Callback | None:
        """The agency's callback, if it has one."""
        columns = (
            agencies.c.callback_kind,
            agencies.c.callback_url,
            agencies.c.callback_username,
            agencies.c.callback_secret_sealed,
            agencies.c.callback_wsdl,
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(sa.select(*columns).where(agencies.c.code == code)).first()
        if row is None or row.callback_kind is None:
            return None
        secret = self._sealer.unseal(bytes(row.callback_secret_sealed), code)
        wsdl = bytes(row.callback_wsdl) if row.callback_wsdl is not None else None
        return Callback(row.callback_kind, row.callback_url, secret, row.callback_username, wsdl)

    def has_callback(self, code: str) -> bool:
        """Whether the agency is told of answers by callback (otherwise it reads the status)."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            kind = conn.scalar(sa.select(agencies.c.callback_kind).where(agencies.c.code == code))
        return kind is not None

    def by_code(self, code: str) -> Agency | None:
        """The agency with this code, if any (a WS-Security username: kept as keys are)."""
        with self._cache_lock:
            cached = self._agency_by_code.get(code)
        if cached is not None:
            return cached
        found = self._one(agencies.c.code == code)
        if found is not None:
            with self._cache_lock:
                self._agency_by_code[code] = found
        return found

    def list(self) -> list[Agency]:
        """All agencies by code."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(sa.select(agencies).order_by(agencies.c.code)).all()
        return [_agency(row._mapping) for row in rows]

    def _one(self, condition: sa.ColumnElement[bool]) -> Agency | None:
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(sa.select(agencies).where(condition)).first()
        return None if row is None else _agency(row._mapping)


def _agency(row: sa.RowMapping) -> Agency:
    return Agency(
        code=row["code"],
        name=row["name"],
        type=AgencyType(row["type"]),
        level=Level(row["level"]),
        district=row["district"],
        allowed_kinds=frozenset(Kind(kind) for kind in row["allowed_kinds"]),
    )
