"""The audit chain's hash and the rule that nothing writes the audit log around it."""

import dataclasses
import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from gateway.store.audit import GENESIS, AuditRecord, record_hash

ROOT = Path(__file__).resolve().parents[2]
RECORD = AuditRecord(
    request_id="r-1",
    at=datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=UTC),
    actor="court-370202",
    event="received",
    from_state=None,
    to_state="received",
    detail={"channel": "rest", "reference": "（2026）鲁0202刑初318号"},
)


def test_the_same_record_after_the_same_link_hashes_the_same() -> None:
    same = dataclasses.replace(RECORD, detail={"reference": "（2026）鲁0202刑初318号", "channel": "rest"})
    assert record_hash(RECORD, GENESIS) == record_hash(same, GENESIS)


def test_the_same_instant_in_another_time_zone_hashes_the_same() -> None:
    in_china = dataclasses.replace(RECORD, at=RECORD.at.astimezone(timezone(timedelta(hours=8))))
    assert record_hash(in_china, GENESIS) == record_hash(RECORD, GENESIS)


@pytest.mark.parametrize(
    "changed",
    [
        {"request_id": "r-2"},
        {"at": RECORD.at + timedelta(microseconds=1)},
        {"actor": "relay"},
        {"event": "queued"},
        {"from_state": "received"},
        {"to_state": "queued"},
        {"detail": {"channel": "soap", "reference": "（2026）鲁0202刑初318号"}},
        {"detail": None},
    ],
)
def test_any_changed_field_changes_the_hash(changed: dict[str, object]) -> None:
    assert record_hash(dataclasses.replace(RECORD, **changed), GENESIS) != record_hash(RECORD, GENESIS)  # type: ignore[arg-type]


def test_the_link_to_the_previous_record_is_part_of_the_hash() -> None:
    assert record_hash(RECORD, "1" * 64) != record_hash(RECORD, GENESIS)


def test_only_the_chain_module_inserts_into_the_audit_log() -> None:
    writes = re.compile(r"audit_log\s*\.\s*insert|insert\(\s*audit_log|INSERT\s+INTO\s+audit_log", re.IGNORECASE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "gateway").rglob("*.py"))
        if path != ROOT / "gateway/store/audit.py" and writes.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert writes.search((ROOT / "gateway/store/audit.py").read_text(encoding="utf-8"))


def test_the_hash_is_sha256_of_the_canonical_text_records_already_linked_carry() -> None:
    # Written out by hand: keys sorted, no spaces, UTF-8 unescaped, the time in UTC with microseconds and Z.
    canonical = (
        '{"actor":"court-370202","at":"2026-11-25T08:00:00.123456Z",'
        '"detail":{"channel":"rest","reference":"（2026）鲁0202刑初318号"},"event":"received",'
        f'"from_state":null,"prev_hash":"{GENESIS}","request_id":"r-1","to_state":"received"}}'
    )

    assert record_hash(RECORD, GENESIS) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_a_known_answer_vector_holds_the_format_of_every_stored_chain() -> None:
    # Computed once with `sha256sum` over the canonical text above: a change of format breaks every stored
    # chain, so it must fail here first. The second record links to the first.
    first = "b06a88ea5df34eb6aeae71b7a5cc8329af29d135e1aee50ff423370a186f5117"
    second = dataclasses.replace(RECORD, event="queued", from_state="received", to_state="queued", detail=None)

    assert GENESIS == "0" * 64
    assert record_hash(RECORD, GENESIS) == first
    assert record_hash(second, first) == "1a462c063a00cbd46ee1d093d71836ff051e3c899f70720dc560fb56455cfd41"
