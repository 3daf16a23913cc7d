"""Staff sign-in: argon2 password hashes, lockout after repeated failures, sessions that expire."""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from functools import cached_property
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.domain.staff import Role, StaffMember
from gateway.service.ports import Clock, ConsoleSession, StaffAccount

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12


class SignInRefused(Exception):
    """Wrong username or password, or an account locked after repeated failures; which one is not said."""


class WeakPassword(ValueError):
    """A password too short to be set."""


class StaffStore(Protocol):
    """What sign-in needs of the store."""

    def add(self, member: StaffMember, password_hash: str, at: datetime) -> None: ...

    def get(self, username: str) -> StaffAccount | None: ...

    def claim_attempt(self, username: str, now: datetime, lock_after: int, locked_until: datetime) -> bool: ...

    def record_success(self, username: str, at: datetime, rehashed: str | None = None) -> None: ...

    def set_password(self, username: str, password_hash: str, at: datetime) -> bool: ...

    def open_session(self, token_hash: str, username: str, at: datetime) -> None: ...

    def session(self, token_hash: str) -> ConsoleSession | None: ...

    def touch_session(self, token_hash: str, at: datetime) -> None: ...

    def close_session(self, token_hash: str) -> None: ...


class StaffAuth:
    """Creates accounts, signs staff in and out, and finds who holds a session token."""

    def __init__(
        self,
        store: StaffStore,
        clock: Clock,
        *,
        lock_after: int = 5,
        lock_for: timedelta = timedelta(minutes=15),
        idle_timeout: timedelta = timedelta(minutes=30),
        max_age: timedelta = timedelta(hours=12),
        hasher: PasswordHasher | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._lock_after = lock_after
        self._lock_for = lock_for
        self._idle_timeout = idle_timeout
        self._max_age = max_age
        self._hasher = hasher or PasswordHasher()  # argon2id with the library's current parameters

    def create(self, member: StaffMember, password: str) -> None:
        """Register an account (StaffExists if the username is taken)."""
        if member.role is Role.CENTRE_STAFF and not member.centre_code:
            raise ValueError("centre staff belong to a centre")
        self._store.add(member, self._hash(password), self._clock.now())

    def set_password(self, username: str, password: str) -> bool:
        """A new password for an account, ending its sessions; False if there is no such account."""
        return self._store.set_password(username, self._hash(password), self._clock.now())

    def sign_in(self, username: str, password: str) -> str:
        """Check the password and open a session; the returned token goes in the session cookie.

        Unknown names, wrong passwords and locked accounts are refused alike and with the same work, so the
        answer tells nobody which names exist. Each attempt is counted before the password is checked.
        """
        account = self._store.get(username)
        now = self._clock.now()
        known = account is not None and not account.disabled
        claimed = known and self._store.claim_attempt(username, now, self._lock_after, now + self._lock_for)
        matches = self._verify(account.password_hash if account and claimed else self._dummy_hash, password)
        if not (claimed and matches):
            log.warning("console sign-in refused for %s", username if known else "an unknown name")
            raise SignInRefused(username)
        assert account is not None
        rehashed = self._hasher.hash(password) if self._hasher.check_needs_rehash(account.password_hash) else None
        self._store.record_success(username, now, rehashed)
        token = secrets.token_urlsafe(32)
        self._store.open_session(_token_hash(token), username, now)
        log.info("console sign-in: %s (%s)", username, account.member.role.value)
        return token

    def member_for(self, token: str) -> StaffMember | None:
        """Who holds this session token, or None if it is unknown or expired (idle or too old)."""
        token_hash = _token_hash(token)
        session = self._store.session(token_hash)
        if session is None:
            return None
        now = self._clock.now()
        if now - session.last_seen_at > self._idle_timeout or now - session.created_at > self._max_age:
            self._store.close_session(token_hash)
            return None
        if now - session.last_seen_at > timedelta(minutes=1):  # one write a minute, not one per page
            self._store.touch_session(token_hash, now)
        return session.member

    def sign_out(self, token: str) -> None:
        """End the session."""
        self._store.close_session(_token_hash(token))

    @cached_property
    def _dummy_hash(self) -> str:
        """A hash of nothing, verified for unknown names so that they take as long as known ones."""
        return self._hasher.hash(secrets.token_urlsafe(16))

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPassword(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
        return self._hasher.hash(password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
