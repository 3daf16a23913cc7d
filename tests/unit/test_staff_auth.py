"""Staff sign-in: argon2 hashes, lockout after repeated failures, sessions that expire and end."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devtools.demo import DEMO_CENTRES
from gateway.domain.staff import Role, StaffMember
from gateway.security.sealing import KeySealer
from gateway.service.staff_auth import SignInRefused, StaffAuth, WeakPassword
from gateway.store.agencies import SqlAgencyRegistry
from gateway.store.engine import make_engine
from gateway.store.migrate import upgrade_store
from gateway.store.staff import SqlStaffAccounts, StaffExists
from tests.unit.fakes import FixedClock

PASSWORD = "correct horse battery staple"
CLERK = StaffMember("wang", "王芳", Role.CENTRE_STAFF, "lac370202")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


@pytest.fixture
def accounts(tmp_path: Path) -> SqlStaffAccounts:
    engine = make_engine(f"sqlite:///{tmp_path}/staff.sqlite3")
    upgrade_store(engine)
    registry = SqlAgencyRegistry(engine, KeySealer("test-credential-key"))
    for centre in DEMO_CENTRES:
        registry.add(centre.agency)
    return SqlStaffAccounts(engine)


@pytest.fixture
def auth(accounts: SqlStaffAccounts, clock: FixedClock) -> StaffAuth:
    service = StaffAuth(accounts, clock)
    service.create(CLERK, PASSWORD)
    return service


def test_the_password_is_kept_as_an_argon2id_hash_only(auth: StaffAuth, accounts: SqlStaffAccounts) -> None:
    stored = accounts.get("wang")

    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def test_a_good_password_opens_a_session_that_names_the_member(auth: StaffAuth) -> None:
    token = auth.sign_in("wang", PASSWORD)

    assert auth.member_for(token) == CLERK
    assert auth.member_for(token + "x") is None


def test_a_wrong_password_and_an_unknown_name_are_refused_alike(auth: StaffAuth) -> None:
    with pytest.raises(SignInRefused):
        auth.sign_in("wang", "not the password at all")
    with pytest.raises(SignInRefused):
        auth.sign_in("nobody", PASSWORD)


def test_five_failures_in_a_row_lock_the_account_even_against_the_right_password(
    auth: StaffAuth, clock: FixedClock
) -> None:
    for _ in range(5):
        with pytest.raises(SignInRefused):
            auth.sign_in("wang", "guess guess guess")

    with pytest.raises(SignInRefused):
        auth.sign_in("wang", PASSWORD)
    clock.current += timedelta(minutes=16)
    assert auth.member_for(auth.sign_in("wang", PASSWORD)) == CLERK


def test_parallel_guesses_cannot_outrun_the_lockout(auth: StaffAuth, accounts: SqlStaffAccounts) -> None:
    def guess(_: int) -> bool:
        try:
            auth.sign_in("wang", "guess guess guess")
        except SignInRefused:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert not any(pool.map(guess, range(24)))

    assert accounts.get("wang").failed_logins == 5  # type: ignore[union-attr]
    with pytest.raises(SignInRefused):
        auth.sign_in("wang", PASSWORD)


def test_a_lock_that_ran_out_gives_five_more_tries_not_one(auth: StaffAuth, clock: FixedClock) -> None:
    for _ in range(5):
        with pytest.raises(SignInRefused):
            auth.sign_in("wang", "guess guess guess")
    clock.current += timedelta(minutes=16)
    for _ in range(4):
        with pytest.raises(SignInRefused):
            auth.sign_in("wang", "guess guess guess")

    assert auth.member_for(auth.sign_in("wang", PASSWORD)) == CLERK


def test_a_success_starts_the_count_of_failures_again(auth: StaffAuth, accounts: SqlStaffAccounts) -> None:
    for _ in range(4):
        with pytest.raises(SignInRefused):
            auth.sign_in("wang", "guess guess guess")
    auth.sign_in("wang", PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInRefused):
            auth.sign_in("wang", "guess guess guess")

    assert auth.sign_in("wang", PASSWORD)
    assert accounts.get("wang").failed_logins == 0  # type: ignore[union-attr]


def test_an_administrator_can_lift_a_lockout(auth: StaffAuth, accounts: SqlStaffAccounts) -> None:
    for _ in range(5):
        with pytest.raises(SignInRefused):
            auth.sign_in("wang", "guess guess guess")

    assert accounts.unlock("wang")
    assert auth.sign_in("wang", PASSWORD)


def test_a_session_ends_after_30_idle_minutes_or_12_hours(auth: StaffAuth, clock: FixedClock) -> None:
    idle = auth.sign_in("wang", PASSWORD)
    busy = auth.sign_in("wang", PASSWORD)
    for _ in range(25):  # used every 29 minutes for more than 12 hours
        clock.current += timedelta(minutes=29)
        if auth.member_for(busy) is None:
            break

    assert auth.member_for(idle) is None
    assert clock.current - datetime(2026, 11, 25, 9, 0, tzinfo=UTC) > timedelta(hours=12)
    assert auth.member_for(busy) is None


def test_signing_out_a_new_password_or_disabling_ends_sessions(auth: StaffAuth, accounts: SqlStaffAccounts) -> None:
    first, second, third = (auth.sign_in("wang", PASSWORD) for _ in range(3))

    auth.sign_out(first)
    assert auth.member_for(first) is None and auth.member_for(second) == CLERK
    auth.set_password("wang", "another long password")
    assert auth.member_for(second) is None
    fourth = auth.sign_in("wang", "another long password")
    accounts.set_disabled("wang", True)
    assert auth.member_for(fourth) is None and auth.member_for(third) is None
    with pytest.raises(SignInRefused):
        auth.sign_in("wang", "another long password")


def test_short_passwords_and_taken_names_are_refused(auth: StaffAuth) -> None:
    with pytest.raises(WeakPassword):
        auth.create(StaffMember("li", "李", Role.SUPERVISOR, None), "short")
    with pytest.raises(StaffExists):
        auth.create(CLERK, PASSWORD)


def test_centre_staff_belong_to_a_centre(auth: StaffAuth) -> None:
    with pytest.raises(ValueError, match="centre"):
        auth.create(StaffMember("zhao", "赵", Role.CENTRE_STAFF, None), PASSWORD)
