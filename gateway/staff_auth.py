"""Staff sign-in: argon2 password hashes, lockout after repeated failures, sessions that expire."""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.domain.staff import Role, StaffMember
from gateway.ports import Clock, ConsoleSession, StaffAccount

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12


class SignInRefused(Exception):
    """Wrong username or password; which of the two is not said."""


class AccountLocked(Exception):
    """Too many failed passwords in a row: the account is locked for a while."""


class WeakPassword(ValueError):
    """A password too short to be set."""


class StaffStore(Protocol):
    """What sign-in needs of the store."""

    def add(self, member: StaffMember, password_hash: str, at: datetime) -> None: ...

    def get(self, username: str) -> StaffAccount | None: ...

    def record_failure(self, username: str, lock_after: int, locked_until: datetime) -> None: ...

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
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    def create(self, member: StaffMember, password: str) -> None:
        """Register an account (StaffExists if the username is taken)."""
        if member.role is Role.CENTRE_STAFF and not member.centre_code:
            raise ValueError("centre staff belong to a centre")
        self._store.add(member, self._hash(password), self._clock.now())

    def set_password(self, username: str, password: str) -> bool:
        """A new password for an account, ending its sessions; False if there is no such account."""
        return self._store.set_password(username, self._hash(password), self._clock.now())

    def sign_in(self, username: str, password: str) -> str:
        """Check the password and open a session; the returned token goes in the session cookie."""
        account = self._store.get(username)
        now = self._clock.now()
        if account is None or account.disabled:
            self._verify(self._dummy_hash, password)  # the same work as for a real account: no timing hint
            raise SignInRefused(username)
        if account.locked_until is not None and account.locked_until > now:
            raise AccountLocked(username)
        if not self._verify(account.password_hash, password):
            self._store.record_failure(username, self._lock_after, now + self._lock_for)
            log.warning("console sign-in failed for %s", username)
            raise SignInRefused(username)
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
