"""Walk the audit chain and name the first broken link: an edited, deleted, reordered or unlinked record."""

from dataclasses import dataclass

import sqlalchemy as sa

from gateway.store.audit import GENESIS, record_hash, stored_record
from gateway.store.engine import READ_ONLY
from gateway.store.tables import audit_chain, audit_log

EDITED, DELETED, REORDERED, UNLINKED = "edited", "deleted", "reordered", "unlinked"


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold, and what is wrong there."""

    record_id: int | None
    problem: str  # edited, deleted, reordered, unlinked
    explanation: str


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found."""

    linked: int  # records checked on the chain
    before_chain: int  # older records, written before the chain existed: not covered
    head_hash: str | None
    broken: ChainBreak | None
    found: bool = False  # whether a linked record carries the hash asked for (a head noted earlier)


def verify_chain(engine: sa.Engine, contains: str | None = None, batch: int = 1000) -> ChainReport:
    """Check every chained record's hash and its link to the one before, oldest first, then the head.

    `contains`: a head hash noted earlier (kept outside the store); the report says whether a verified
    record still carries it, so a chain rewritten from an earlier point is caught too.
    """
    with engine.connect().execution_options(**READ_ONLY) as conn:
        if conn.dialect.name == "postgresql":
            # One snapshot for the head and the records, while writers go on appending.
            conn.execution_options(isolation_level="REPEATABLE READ")
        head = conn.execute(sa.select(audit_chain.c.last_hash, audit_chain.c.chained_after_id)).one()
        before = int(conn.scalar(_count().where(audit_log.c.id <= head.chained_after_id)) or 0)
        rows = conn.execution_options(yield_per=batch).execute(
            sa.select(audit_log).where(audit_log.c.id > head.chained_after_id).order_by(audit_log.c.id)
        )
        linked, previous_id, previous_hash, found = 0, None, GENESIS, False
        for row in rows:
            broken = _check(conn, row._mapping, previous_id, previous_hash)
            if broken is not None:
                rows.close()
                return ChainReport(linked, before, head.last_hash, broken, found)
            linked, previous_id, previous_hash = linked + 1, row.id, row.hash
            found = found or row.hash == contains
        broken = _check_head(head.last_hash or GENESIS, previous_id, previous_hash)
        return ChainReport(linked, before, head.last_hash, broken, found)


def _check(conn: sa.Connection, row: sa.RowMapping, previous_id: int | None, previous_hash: str) -> ChainBreak | None:
    record_id = row["id"]
    if row["hash"] is None or row["prev_hash"] is None:
        return ChainBreak(record_id, UNLINKED, f"record {record_id} carries no link: written around the chain")
    if record_hash(stored_record(row), row["prev_hash"]) != row["hash"]:
        return ChainBreak(record_id, EDITED, f"record {record_id} no longer matches its hash: its content was changed")
    if row["prev_hash"] == previous_hash:
        return None
    after = f"record {previous_id}" if previous_id is not None else "the start of the chain"
    linked_to = conn.scalar(sa.select(audit_log.c.id).where(audit_log.c.hash == row["prev_hash"]).limit(1))
    if linked_to is not None:
        return ChainBreak(
            record_id, REORDERED, f"record {record_id} follows record {linked_to} on the chain but sits after {after}"
        )
    return ChainBreak(
        record_id, DELETED, f"a record between {after} and record {record_id} is missing (deleted or rewritten)"
    )


def _check_head(head_hash: str, last_id: int | None, last_hash: str) -> ChainBreak | None:
    if head_hash == last_hash:
        return None
    after = f"record {last_id}" if last_id is not None else "the start of the chain"
    return ChainBreak(last_id, DELETED, f"the newest record(s) after {after} are missing: the chain head is ahead")


def _count() -> sa.Select[int]:
    return sa.select(sa.func.count()).select_from(audit_log)
