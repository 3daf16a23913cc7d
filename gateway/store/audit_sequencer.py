"""The audit sequencer's store: links committed records onto the hash chain, a batch per transaction.

Writers insert their records unlinked (`append_audit`); no writer waits on another. The sequencer, one at a
time (the head row's lock, and a lease above it), takes the committed unlinked records in the order they were
written, gives each the next place on the chain (`seq`), its `prev_hash` and its `hash`, and moves the head.
A record whose transaction is still open is invisible to it and is linked by a later pass: the place on the
chain is given at linking, not when the record was written, so no record can be passed over.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from gateway.security.data_keys import DataKeyRing
from gateway.service.ports import ChainHead, ChainHeadMismatch, OutboxMessage
from gateway.store.audit import GENESIS, HEAD_ID, record_hash, stored_record
from gateway.store.outbox import add_to_outbox
from gateway.store.tables import audit_chain, audit_log

_LINK = (
    audit_log.update()
    .where(audit_log.c.id == sa.bindparam("record_id"))
    .values(seq=sa.bindparam("new_seq"), prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash"))
)
# PostgreSQL: a batch's links in one statement, from four arrays, instead of one update per record.
_LINK_ALL = sa.text(
    "UPDATE audit_log SET seq = link.seq, prev_hash = link.prev_hash, hash = link.hash"
    " FROM unnest(CAST(:record_ids AS bigint[]), CAST(:seqs AS bigint[]), CAST(:prev_hashes AS text[]),"
    " CAST(:hashes AS text[])) AS link(id, seq, prev_hash, hash)"
    " WHERE audit_log.id = link.id"
)


@dataclass(frozen=True)
class Backlog:
    """The records written but not yet linked, and when the oldest of them was written."""

    unlinked: int
    oldest_queued_at: datetime | None

    def oldest_age_seconds(self, now: datetime) -> float:
        """How long the oldest unlinked record has waited (0 with none)."""
        if self.oldest_queued_at is None:
            return 0.0
        return max(0.0, (now - self.oldest_queued_at).total_seconds())


class SqlAuditSequencer:
    """Link batches of committed records; read the head and the backlog; record a checkpoint."""

    def __init__(
        self, engine: sa.Engine, data_keys: DataKeyRing, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._engine = engine
        self._data_keys = data_keys
        self._now = now

    def link(self, batch: int = 500) -> int:
        """Link up to `batch` committed records, oldest written first; how many were linked."""
        with self._engine.begin() as conn:
            count, prev_hash = _locked_head(conn)
            rows = conn.execute(
                sa.select(audit_log).where(audit_log.c.seq.is_(None)).order_by(audit_log.c.id).limit(batch)
            ).all()
            if not rows:
                return 0
            links = []
            for row in rows:
                count += 1
                digest = record_hash(stored_record(row._mapping), prev_hash)
                links.append({"record_id": row.id, "new_seq": count, "new_prev": prev_hash, "new_hash": digest})
                prev_hash = digest
            if conn.dialect.name == "postgresql":
                columns = ("record_id", "new_seq", "new_prev", "new_hash")
                record_ids, seqs, prev_hashes, hashes = ([link[name] for link in links] for name in columns)
                arrays = {"record_ids": record_ids, "seqs": seqs, "prev_hashes": prev_hashes, "hashes": hashes}
                conn.execute(_LINK_ALL, arrays)
            else:
                conn.execute(_LINK, links)
            conn.execute(
                audit_chain.update().where(audit_chain.c.id == HEAD_ID).values(last_seq=count, last_hash=prev_hash)
            )
        return len(rows)

    def head(self) -> ChainHead:
        """The head row as it stands."""
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(audit_chain).where(audit_chain.c.id == HEAD_ID)).one()
        return ChainHead(row.last_seq or 0, row.last_hash, row.checkpoint_seq, row.checkpoint_at)

    def backlog(self) -> Backlog:
        """Records not yet linked (one read of the unlinked index)."""
        with self._engine.connect() as conn:
            return read_backlog(conn)

    def record_checkpoint(self, head: ChainHead, message: OutboxMessage) -> bool:
        """Queue the checkpoint's event and note it on the head, unless the head has moved since it was read."""
        now = self._now()
        with self._engine.begin() as conn:
            noted = conn.execute(
                audit_chain.update()
                .where(audit_chain.c.id == HEAD_ID, audit_chain.c.last_seq == head.count)
                .values(checkpoint_seq=head.count, checkpoint_at=now)
            ).rowcount
            if noted:
                add_to_outbox(conn, [message], now, self._data_keys)
        return bool(noted)


def read_backlog(conn: sa.Connection) -> Backlog:
    """The unlinked records' count and the oldest one's time of writing."""
    unlinked, oldest = conn.execute(
        sa.select(sa.func.count(), sa.func.min(audit_log.c.queued_at)).where(audit_log.c.seq.is_(None))
    ).one()
    if oldest is not None and oldest.tzinfo is None:  # min() comes back raw from some drivers: naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    return Backlog(int(unlinked), oldest)


def _locked_head(conn: sa.Connection) -> tuple[int, str]:
    """Lock the head, and check it against the newest linked record before linking after it."""
    head = conn.execute(
        sa.select(audit_chain.c.last_seq, audit_chain.c.last_hash).where(audit_chain.c.id == HEAD_ID).with_for_update()
    ).one_or_none()
    if head is None:
        raise RuntimeError("the audit chain head is missing: run `lagw db upgrade` first")
    newest = conn.execute(
        sa.select(audit_log.c.seq, audit_log.c.hash)
        .where(audit_log.c.seq.is_not(None))
        .order_by(audit_log.c.seq.desc())
        .limit(1)
    ).one_or_none()
    found = (newest.seq, newest.hash) if newest is not None else (0, None)
    if found != (head.last_seq or 0, head.last_hash):
        raise ChainHeadMismatch(
            f"the chain head says {head.last_seq or 0} record(s) ending in {head.last_hash or '(none)'}, the newest "
            f"linked record is number {found[0]} with {found[1] or '(none)'}: run `lagw audit verify`"
        )
    return found[0], found[1] or GENESIS
