"""Walk the audit chain from its first record and name the first broken link; count what waits to be linked.

The walk never takes the head row's word for where the chain starts: it starts at place 1 on GENESIS, and
checks the head row against where the walk ends.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from gateway.store.audit import GENESIS, record_hash, stored_record
from gateway.store.audit_sequencer import Backlog, read_backlog
from gateway.store.engine import READ_ONLY
from gateway.store.tables import audit_chain, audit_log

EDITED, DELETED, REORDERED, UNLINKED, HEAD = "edited", "deleted", "reordered", "unlinked", "head"


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold, and what is wrong there."""

    record_id: int | None
    problem: str  # edited, deleted, reordered, unlinked, head
    explanation: str


@dataclass(frozen=True)
class Checkpoint:
    """A head kept outside the store: the chain's length then (when known) and its newest hash."""

    head_hash: str
    count: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        """`<hash>`, or `<count>:<hash>` as the checkpoint's log line and `lagw audit verify` print it."""
        count, _, head_hash = text.strip().rpartition(":")
        if len(head_hash) != 64 or any(c not in "0123456789abcdef" for c in head_hash):
            raise ValueError("a checkpoint is a SHA-256 hash in hex, or <count>:<hash>")
        if count and not count.isdigit():
            raise ValueError("a checkpoint's count is a whole number before the colon")
        return cls(head_hash, int(count) if count else None)


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found."""

    linked: int  # records checked on the chain
    head_hash: str | None
    broken: ChainBreak | None
    backlog: Backlog  # records written but not yet linked by the sequencer
    found: bool = False  # whether the record at the checkpoint's place carries its hash


def verify_chain(engine: sa.Engine, contains: Checkpoint | None = None, batch: int = 1000) -> ChainReport:
    """Check every linked record's hash and its link to the one before, in chain order, then the head row.

    `contains`: a checkpoint kept outside the store; the report says whether the chain still holds it (with a
    count: the record at that place carries that hash), so a chain rewritten from an earlier point is caught.
    """
    with engine.connect().execution_options(**READ_ONLY) as conn:
        if conn.dialect.name == "postgresql":
            # One snapshot for the head and the records, while writers go on appending.
            conn.execution_options(isolation_level="REPEATABLE READ")
        head = conn.execute(sa.select(audit_chain.c.last_seq, audit_chain.c.last_hash)).one()
        backlog = read_backlog(conn)
        rows = conn.execution_options(yield_per=batch).execute(
            sa.select(audit_log).where(audit_log.c.seq.is_not(None)).order_by(audit_log.c.seq)
        )
        linked, previous_id, previous_hash, found = 0, None, GENESIS, False
        for row in rows:
            broken = _check(conn, row._mapping, linked + 1, previous_id, previous_hash)
            if broken is not None:
                rows.close()
                return ChainReport(linked, head.last_hash, broken, backlog, found)
            linked, previous_id, previous_hash = linked + 1, row.id, row.hash
            if contains is not None and row.hash == contains.head_hash:
                found = found or contains.count in (None, linked)
        broken = _check_head(head.last_seq or 0, head.last_hash, linked, previous_id, previous_hash)
        return ChainReport(linked, head.last_hash, broken, backlog, found)


def _check(
    conn: sa.Connection, row: sa.RowMapping, place: int, previous_id: int | None, previous_hash: str
) -> ChainBreak | None:
    record_id = row["id"]
    if row["hash"] is None or row["prev_hash"] is None:
        return ChainBreak(record_id, UNLINKED, f"record {record_id} has a place on the chain but no link")
    if record_hash(stored_record(row), row["prev_hash"]) != row["hash"]:
        return ChainBreak(record_id, EDITED, f"record {record_id} no longer matches its hash: its content was changed")
    after = f"record {previous_id}" if previous_id is not None else "the start of the chain"
    if row["prev_hash"] != previous_hash:
        linked_to = conn.scalar(sa.select(audit_log.c.id).where(audit_log.c.hash == row["prev_hash"]).limit(1))
        if linked_to is not None:
            return ChainBreak(
                record_id,
                REORDERED,
                f"record {record_id} follows record {linked_to} on the chain but sits after {after}",
            )
        return ChainBreak(
            record_id, DELETED, f"a record between {after} and record {record_id} is missing (deleted or rewritten)"
        )
    if row["seq"] != place:
        return ChainBreak(
            record_id, REORDERED, f"record {record_id} links to {after} but claims place {row['seq']}, not {place}"
        )
    return None


def _check_head(
    head_count: int, head_hash: str | None, linked: int, last_id: int | None, last_hash: str
) -> ChainBreak | None:
    if (head_count, head_hash or GENESIS) == (linked, last_hash):
        return None
    after = f"record {last_id}" if last_id is not None else "the start of the chain"
    if head_count > linked:
        return ChainBreak(last_id, DELETED, f"the newest record(s) after {after} are missing: the chain head is ahead")
    return ChainBreak(
        last_id,
        HEAD,
        f"the head row says {head_count} record(s) ending in {head_hash or '(none)'}, the chain holds {linked} "
        f"ending at {after}: the head row was changed",
    )
