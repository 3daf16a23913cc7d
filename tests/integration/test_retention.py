"""Original messages are purged after the retention period unless a legal hold keeps them; all on the chain."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from gateway.cli.main import main
from gateway.store.audit_verify import verify_chain
from gateway.store.tables import audit_log, inbound_payloads, legal_holds
from tests.support.store import StoreWithNotices, store_with_notices
from tests.unit.fakes import FixedClock

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

DAYS = 1095
NOW = datetime.now(UTC).replace(microsecond=0)  # the CLI's commands run on the system clock


@dataclass
class Aged:
    """A store holding an old notice, an old one under a legal hold, and a young one."""

    store: StoreWithNotices
    clock: FixedClock
    old: str
    held: str
    young: str


@pytest.fixture(params=["sqlite", "postgresql"])
def aged(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Aged]:
    clock = FixedClock(NOW - timedelta(days=DAYS + 30))
    with store_with_notices(request.param, tmp_path, clock) as store:
        old, held = store.post_court_notice(1), store.post_court_notice(2)
        clock.current = NOW - timedelta(days=10)
        young = store.post_court_notice(3)
        clock.current = NOW
        assert store.services.retention.set_hold(held, "court order 刑保-7 keeps the file", "cli:clerk").found
        yield Aged(store, clock, old, held, young)


def _payloads(aged: Aged) -> dict[str, tuple[bytes, datetime | None]]:
    with aged.store.services.engine.connect() as conn:
        rows = conn.execute(
            sa.select(inbound_payloads.c.request_id, inbound_payloads.c.body, inbound_payloads.c.purged_at)
        )
        return {row.request_id: (bytes(row.body), row.purged_at) for row in rows}


def _audit(aged: Aged, event: str) -> list[sa.Row[tuple[str, str, object]]]:
    query = sa.select(audit_log.c.request_id, audit_log.c.actor, audit_log.c.detail).where(audit_log.c.event == event)
    with aged.store.services.engine.connect() as conn:
        return list(conn.execute(query.order_by(audit_log.c.id)))


def _cli(aged: Aged, *args: str) -> Result:
    url = aged.store.services.engine.url.render_as_string(hide_password=False)
    env = {"LAGW_DATABASE_URL": url, "LAGW_PAYLOAD_RETENTION_DAYS": str(DAYS)}
    return CliRunner().invoke(main, list(args), env=env)


def test_an_old_message_is_purged_a_held_and_a_young_one_are_kept(aged: Aged) -> None:
    before = _payloads(aged)

    result = aged.store.services.retention.run()

    after = _payloads(aged)
    assert (result.purged, result.held, result.dry_run) == (1, 1, False)
    assert after[aged.old] == (b"", NOW)
    assert after[aged.held] == before[aged.held] and before[aged.held][0]
    assert after[aged.young] == before[aged.young] and before[aged.young][0]
    assert aged.store.services.requests.raw_payload(aged.old).purged_at == NOW  # type: ignore[union-attr]


def test_each_purge_is_on_the_audit_chain_without_personal_data_and_the_chain_still_verifies(aged: Aged) -> None:
    aged.store.services.retention.run()

    purges = _audit(aged, "payload_purged")
    aged.store.services.audit.run_once()
    report = verify_chain(aged.store.services.engine)

    assert [(row.request_id, row.actor) for row in purges] == [(aged.old, "retention")]
    assert purges[0].detail == {"received_at": (NOW - timedelta(days=DAYS + 30)).isoformat(), "retention_days": DAYS}
    assert report.broken is None
    assert report.linked == 3 + 1 + 1  # three received, the hold, the purge


def test_a_dry_run_counts_and_changes_nothing(aged: Aged) -> None:
    before = _payloads(aged), _audit(aged, "payload_purged")

    result = _cli(aged, "retention", "run", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "would purge 1 original message(s)" in result.output
    assert "kept 1 under a legal hold" in result.output
    assert (_payloads(aged), _audit(aged, "payload_purged")) == before


def test_a_second_run_finds_nothing_more_to_purge(aged: Aged) -> None:
    aged.store.services.retention.run()

    again = aged.store.services.retention.run()

    assert (again.purged, len(_audit(aged, "payload_purged"))) == (0, 1)


def test_clearing_the_hold_lets_the_next_run_purge_and_both_are_audited(aged: Aged) -> None:
    cleared = _cli(aged, "hold", "clear", aged.held, "--by", "cli:chief")
    again = _cli(aged, "hold", "clear", aged.held)
    aged.store.services.retention.run()

    assert cleared.exit_code == 0 and "legal hold cleared" in cleared.output
    assert again.exit_code == 0 and "had no legal hold" in again.output
    assert _payloads(aged)[aged.held][1] == NOW
    assert [(r.actor, r.detail) for r in _audit(aged, "legal_hold_set")] == [
        ("cli:clerk", {"hold_reason": "court order 刑保-7 keeps the file"})
    ]
    assert [r.actor for r in _audit(aged, "legal_hold_cleared")] == ["cli:chief"]
    aged.store.services.audit.run_once()
    assert verify_chain(aged.store.services.engine).broken is None


def test_the_hold_command_sets_a_hold_and_refuses_an_unknown_request_or_an_empty_reason(aged: Aged) -> None:
    set_hold = _cli(aged, "hold", "set", aged.old, "--reason", "appeal pending")
    unknown = _cli(aged, "hold", "set", "no-such-request", "--reason", "appeal pending")
    empty = _cli(aged, "hold", "set", aged.young, "--reason", "  ")

    assert set_hold.exit_code == 0 and f"legal hold set on {aged.old}" in set_hold.output
    assert unknown.exit_code != 0 and "no request no-such-request" in unknown.output
    assert empty.exit_code != 0
    with aged.store.services.engine.connect() as conn:
        assert set(conn.scalars(sa.select(legal_holds.c.request_id))) == {aged.held, aged.old}
    assert aged.store.services.retention.run().purged == 0


def test_a_hold_set_after_the_purge_says_the_original_is_gone(aged: Aged) -> None:
    aged.store.services.retention.run()

    result = _cli(aged, "hold", "set", aged.old, "--reason", "late order")

    assert result.exit_code == 0
    assert f"already purged on {NOW.date().isoformat()}" in result.output
