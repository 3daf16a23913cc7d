"""The audit log's only writer, and the hash that chains its records.

Every audit record goes through `append_audit`, inside the writing use case's own transaction, as a plain
insert: no row every writer locks. The records arrive unlinked; the sequencer
(`gateway/store/audit_sequencer.py`) gives each committed record its place on the chain (`seq`) and its
`prev_hash` and `hash`, a batch at a time, as Trillian's log sequencer integrates queued leaves.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from gateway.store.tables import audit_chain, audit_log

GENESIS = "0" * 64  # the prev_hash of the first chained record
HEAD_ID = 1  # the one row of audit_chain


# A view of personal data in clear (gateway/store/access_log.py): on the chain, never on a request's timeline.
PERSONAL_DATA_VIEWED = "personal_data_viewed"
# An official document a decision issued: its number and digest, beside the decision's own record.
DOCUMENT_ISSUED = "document_issued"


@dataclass(frozen=True)
class AuditRecord:
    """One audit record as written: who did what to which request, and when."""

    request_id: str
    at: datetime
    actor: str
    event: str
    from_state: str | None = None
    to_state: str | None = None
    detail: dict[str, Any] | None = None


def record_hash(record: AuditRecord, prev_hash: str) -> str:
    """SHA-256 over the record's fields and the previous record's hash: JSON, sorted keys, no spaces, UTF-8."""
    fields = {
        "request_id": record.request_id,
        "at": record.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": record.actor,
        "event": record.event,
        "from_state": record.from_state,
        "to_state": record.to_state,
        "detail": record.detail,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def append_audit(conn: sa.Connection, records: Sequence[AuditRecord]) -> None:
    """Queue the records in the writer's own transaction, unlinked: the sequencer links them once committed."""
    if not records:
        return
    queued_at = datetime.now(UTC)  # the wall clock, for the backlog's age (not hashed)
    conn.execute(audit_log.insert(), [{**_row(record), "queued_at": queued_at} for record in records])


# What a writer gives of a record: the record's fields and the wall clock when written (not hashed).
AUDIT_COLUMNS = ("request_id", "at", "actor", "event", "from_state", "to_state", "detail", "queued_at")


def audit_insert(prefix: str) -> sa.Insert:
    """One record's insert with its values bound as `<prefix><column>`, for a writer that joins it to others in
    one statement; `audit_values` gives the values."""
    return audit_log.insert().values(
        {name: sa.bindparam(prefix + name, type_=audit_log.c[name].type) for name in AUDIT_COLUMNS}
    )


def audit_values(record: AuditRecord, prefix: str) -> dict[str, object]:
    """The values of `audit_insert`'s statement for a record."""
    return {prefix + name: value for name, value in (_row(record) | {"queued_at": datetime.now(UTC)}).items()}


def records_from(rows: sa.Select[Any]) -> sa.Insert:
    """An insert of one unlinked record per row `rows` yields, whose columns are, in order, `request_id, at,
    actor, event, from_state, to_state, queued_at` (for a writer that finds its records in the database)."""
    columns = ["request_id", "at", "actor", "event", "from_state", "to_state", "queued_at"]
    return audit_log.insert().from_select(columns, rows)


def has_chain_head(engine: sa.Engine) -> bool:
    """Whether the chain's head row is there (every store at a migration has it)."""
    with engine.connect() as conn:
        return conn.scalar(sa.select(audit_chain.c.id).where(audit_chain.c.id == HEAD_ID)) is not None


def ensure_chain_head(conn: sa.Connection) -> None:
    """Create the sequencer's head row once (an empty chain: no position, no hash)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(audit_chain)
        .values(id=HEAD_ID, last_hash=None, last_seq=0)
        .on_conflict_do_nothing(index_elements=[audit_chain.c.id])
    )


def stored_record(row: sa.RowMapping) -> AuditRecord:
    """An audit_log row as the record that was hashed."""
    return AuditRecord(
        request_id=row["request_id"],
        at=row["at"],
        actor=row["actor"],
        event=row["event"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        detail=row["detail"],
    )


def _row(record: AuditRecord) -> dict[str, object]:
    return {
        "request_id": record.request_id,
        "at": record.at,
        "actor": record.actor,
        "event": record.event,
        "from_state": record.from_state,
        "to_state": record.to_state,
        "detail": record.detail,
    }
