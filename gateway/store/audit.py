"""The audit log's only writer: each record carries the hash of the one before it (a hash chain).

Every audit record goes through `append_audit`, called as the last statement of the writing
transaction. It locks the one-row chain head (`SELECT … FOR UPDATE` on PostgreSQL; SQLite writers are
serialized by BEGIN IMMEDIATE), links the new records to the head's hash and moves the head. The lock is
held only from there to the commit, so records are linked in commit order and their ids (drawn under the
lock) ascend along the chain.
"""

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from gateway.store.tables import audit_chain, audit_log

GENESIS = "0" * 64  # the prev_hash of the first chained record
_HEAD_ID = 1


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
    """SHA-256 over the record's fields and the previous record's hash, canonically serialized."""
    before, after = canonical_halves(record)
    return hashlib.sha256(f"{before}{prev_hash}{after}".encode()).hexdigest()


def canonical_halves(record: AuditRecord) -> tuple[str, str]:
    """The record's canonical JSON (sorted keys, no spaces, UTF-8) split where prev_hash's value goes."""
    marker = uuid.uuid4().hex  # cannot occur elsewhere in the record
    fields = {
        "request_id": record.request_id,
        "at": record.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": record.actor,
        "event": record.event,
        "from_state": record.from_state,
        "to_state": record.to_state,
        "detail": record.detail,
        "prev_hash": marker,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    before, _, after = canonical.partition(marker)
    return before, after


def append_audit(conn: sa.Connection, records: Sequence[AuditRecord]) -> None:
    """Link the records onto the chain and insert them; call it last, just before the commit."""
    if not records:
        return
    if conn.dialect.name == "postgresql" and len(records) == 1:
        _append_one_in_one_statement(conn, records[0])
        return
    head = conn.execute(
        sa.select(audit_chain.c.last_hash).where(audit_chain.c.id == _HEAD_ID).with_for_update()
    ).one_or_none()
    if head is None:
        raise RuntimeError("the audit chain head is missing: run `lagw db upgrade` first")
    prev_hash = head.last_hash or GENESIS
    rows = []
    for record in records:
        digest = record_hash(record, prev_hash)
        rows.append({**_row(record), "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    # One statement for all of them (executemany: the rows go in order, so the ids follow the chain).
    conn.execute(audit_log.insert(), rows)
    conn.execute(audit_chain.update().where(audit_chain.c.id == _HEAD_ID).values(last_hash=prev_hash))


def _append_one_in_one_statement(conn: sa.Connection, record: AuditRecord) -> None:
    """PostgreSQL: lock the head, insert the linked record and move the head in one round trip.

    The same hash as `record_hash`, computed by the server (sha256 over the same canonical text), so the
    lock is held for one statement and the commit, not for several round trips to this process.
    """
    before, after = canonical_halves(record)
    head = (
        sa.select(sa.func.coalesce(audit_chain.c.last_hash, GENESIS).label("prev"))
        .where(audit_chain.c.id == _HEAD_ID)
        .with_for_update()
        .cte("head")
    )
    canonical = sa.literal(before) + head.c.prev + sa.literal(after)
    digest = sa.func.encode(sa.func.sha256(sa.func.convert_to(canonical, "UTF8")), "hex")
    values = [sa.literal(value, audit_log.c[name].type).label(name) for name, value in _row(record).items()]
    linked = sa.select(*values, head.c.prev, digest).select_from(head)
    inserted = (
        audit_log.insert()
        .from_select([*_row(record), "prev_hash", "hash"], linked)
        .returning(audit_log.c.hash)
        .cte("inserted")
    )
    moved = conn.execute(
        audit_chain.update()
        .where(audit_chain.c.id == _HEAD_ID)
        .values(last_hash=sa.select(inserted.c.hash).scalar_subquery())
    ).rowcount
    if moved != 1:
        raise RuntimeError("the audit chain head is missing: run `lagw db upgrade` first")


def has_chain_head(engine: sa.Engine) -> bool:
    """Whether the chain's head row is there (every store at a migration has it)."""
    with engine.connect() as conn:
        return conn.scalar(sa.select(audit_chain.c.id).where(audit_chain.c.id == _HEAD_ID)) is not None


def ensure_chain_head(conn: sa.Connection) -> None:
    """Create the chain head once; records already in an older store stay before the chain's start."""
    last_unchained = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(audit_log.c.id), 0)))
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(audit_chain)
        .values(id=_HEAD_ID, last_hash=None, chained_after_id=last_unchained)
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
