"""Staff accounts and their console sessions."""

from datetime import datetime

import sqlalchemy as sa

from gateway.domain.staff import Role, StaffMember
from gateway.service.ports import ConsoleSession, StaffAccount
from gateway.store.engine import READ_ONLY
from gateway.store.tables import console_sessions, staff_accounts


class StaffExists(Exception):
    """An account with this username is already registered."""


class SqlStaffAccounts:
    """Staff accounts and sessions on SQLAlchemy Core."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def add(self, member: StaffMember, password_hash: str, at: datetime) -> None:
        """Register an account; StaffExists if the username is taken."""
        row = {
            "username": member.username,
            "display_name": member.display_name,
            "role": member.role.value,
            "centre_code": member.centre_code,
            "personal_data": member.personal_data,
            "password_hash": password_hash,
            "failed_logins": 0,
            "disabled": False,
            "created_at": at,
            "password_changed_at": at,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(staff_accounts.insert().values(row))
        except sa.exc.IntegrityError as exc:
            if self.get(member.username) is not None:
                raise StaffExists(member.username) from exc
            raise

    def get(self, username: str) -> StaffAccount | None:
        """An account by username."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(sa.select(staff_accounts).where(staff_accounts.c.username == username)).first()
        return None if row is None else _account(row._mapping)

    def all(self) -> list[StaffAccount]:
        """Every account, by username."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(sa.select(staff_accounts).order_by(staff_accounts.c.username)).all()
        return [_account(row._mapping) for row in rows]

    def claim_attempt(self, username: str, now: datetime, lock_after: int, locked_until: datetime) -> bool:
        """Count a sign-in attempt before its password is checked; False while the account is locked.

        One statement, so parallel guesses cannot all slip in before the count: the `lock_after`-th
        attempt in a row locks the account until `locked_until`. A lock that has run out starts the
        count again. A good password then clears the count (`record_success`).
        """
        table = staff_accounts
        expired = sa.and_(table.c.locked_until.is_not(None), table.c.locked_until <= now)
        count = sa.case((expired, 1), else_=table.c.failed_logins + 1)
        with self._engine.begin() as conn:
            moved = conn.execute(
                table.update()
                .where(table.c.username == username)
                .where(sa.or_(table.c.locked_until.is_(None), table.c.locked_until <= now))
                .values(failed_logins=count, locked_until=sa.case((count >= lock_after, locked_until), else_=None))
            ).rowcount
        return moved == 1

    def record_success(self, username: str, at: datetime, rehashed: str | None = None) -> None:
        """A good password: the failure count starts again; a hash made with old parameters is replaced."""
        values: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login_at": at}
        if rehashed is not None:
            values["password_hash"] = rehashed
        with self._engine.begin() as conn:
            conn.execute(staff_accounts.update().where(staff_accounts.c.username == username).values(values))

    def unlock(self, username: str) -> bool:
        """Lift a lockout; False if there is no such account."""
        return self._update(username, failed_logins=0, locked_until=None)

    def set_password(self, username: str, password_hash: str, at: datetime) -> bool:
        """A new password; every open session of the account ends."""
        with self._engine.begin() as conn:
            moved = conn.execute(
                staff_accounts.update()
                .where(staff_accounts.c.username == username)
                .values(password_hash=password_hash, password_changed_at=at, failed_logins=0, locked_until=None)
            ).rowcount
            conn.execute(console_sessions.delete().where(console_sessions.c.username == username))
        return moved == 1

    def set_disabled(self, username: str, disabled: bool) -> bool:
        """Disable (ending its sessions) or re-enable an account."""
        with self._engine.begin() as conn:
            moved = conn.execute(
                staff_accounts.update().where(staff_accounts.c.username == username).values(disabled=disabled)
            ).rowcount
            if disabled:
                conn.execute(console_sessions.delete().where(console_sessions.c.username == username))
        return moved == 1

    def open_session(self, token_hash: str, username: str, at: datetime) -> None:
        """Remember a new session."""
        with self._engine.begin() as conn:
            conn.execute(
                console_sessions.insert().values(
                    token_hash=token_hash, username=username, created_at=at, last_seen_at=at
                )
            )

    def session(self, token_hash: str) -> ConsoleSession | None:
        """The session with this token hash, with its account, unless the account is disabled."""
        query = (
            sa.select(
                staff_accounts,
                console_sessions.c.created_at.label("session_created_at"),
                console_sessions.c.last_seen_at,
            )
            .join(console_sessions, console_sessions.c.username == staff_accounts.c.username)
            .where(console_sessions.c.token_hash == token_hash, staff_accounts.c.disabled.is_(False))
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        values = row._mapping
        return ConsoleSession(_account(values).member, values["session_created_at"], values["last_seen_at"])

    def touch_session(self, token_hash: str, at: datetime) -> None:
        """The session was used at `at`."""
        with self._engine.begin() as conn:
            conn.execute(
                console_sessions.update().where(console_sessions.c.token_hash == token_hash).values(last_seen_at=at)
            )

    def close_session(self, token_hash: str) -> None:
        """Forget a session (sign-out, expiry)."""
        with self._engine.begin() as conn:
            conn.execute(console_sessions.delete().where(console_sessions.c.token_hash == token_hash))

    def _update(self, username: str, **values: object) -> bool:
        with self._engine.begin() as conn:
            moved = conn.execute(
                staff_accounts.update().where(staff_accounts.c.username == username).values(values)
            ).rowcount
        return moved == 1


def _account(row: sa.RowMapping) -> StaffAccount:
    member = StaffMember(
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        centre_code=row["centre_code"],
        personal_data=bool(row["personal_data"]),
    )
    return StaffAccount(
        member=member,
        password_hash=row["password_hash"],
        failed_logins=row["failed_logins"],
        locked_until=row["locked_until"],
        disabled=bool(row["disabled"]),
        last_login_at=row["last_login_at"],
    )
