"""The store's side of retention: original messages past their time, legal holds, and the purge itself."""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from gateway.service.ports import HoldOutcome, LegalHold
from gateway.store.audit import AuditRecord, append_audit
from gateway.store.engine import READ_ONLY
from gateway.store.tables import inbound_payloads, legal_holds, requests

RETENTION_ACTOR = "retention"


class SqlRetention:
    """Legal holds and the purge of original messages, each change recorded on the audit chain."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def hold(self, request_id: str) -> LegalHold | None:
        """The request's legal hold, if one is set."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(sa.select(legal_holds).where(legal_holds.c.request_id == request_id)).first()
        return None if row is None else LegalHold(**row._mapping)

    def set_hold(self, request_id: str, reason: str, actor: str, at: datetime) -> HoldOutcome:
        """Set (or replace) a request's legal hold; not found if there is no such request."""
        with self._engine.begin() as conn:
            if conn.scalar(sa.select(requests.c.id).where(requests.c.id == request_id)) is None:
                return HoldOutcome(found=False)
            values = {"reason": reason, "set_by": actor, "set_at": at}
            held = legal_holds.c.request_id == request_id
            if conn.execute(legal_holds.update().where(held).values(values)).rowcount == 0:
                conn.execute(legal_holds.insert().values(request_id=request_id, **values))
            purged_at = conn.scalar(
                sa.select(inbound_payloads.c.purged_at).where(inbound_payloads.c.request_id == request_id)
            )
            record = AuditRecord(request_id, at, actor, "legal_hold_set", detail={"hold_reason": reason})
            append_audit(conn, [record])
        return HoldOutcome(found=True, changed=True, purged_at=purged_at)

    def clear_hold(self, request_id: str, actor: str, at: datetime) -> HoldOutcome:
        """Clear a request's legal hold; unchanged if none was set."""
        with self._engine.begin() as conn:
            if conn.scalar(sa.select(requests.c.id).where(requests.c.id == request_id)) is None:
                return HoldOutcome(found=False)
            if conn.execute(legal_holds.delete().where(legal_holds.c.request_id == request_id)).rowcount == 0:
                return HoldOutcome(found=True, changed=False)
            append_audit(conn, [AuditRecord(request_id, at, actor, "legal_hold_cleared")])
        return HoldOutcome(found=True, changed=True)

    def due(self, received_before: datetime) -> list[str]:
        """Requests whose original message, received before the cutoff and not held, is still kept."""
        query = (
            sa.select(inbound_payloads.c.request_id)
            .where(_due(received_before))
            .order_by(inbound_payloads.c.received_at)
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return list(conn.execute(query).scalars())

    def held_back(self, received_before: datetime) -> int:
        """How many original messages are past the cutoff but kept under a legal hold."""
        query = (
            sa.select(sa.func.count())
            .select_from(inbound_payloads)
            .where(_unpurged_before(received_before), inbound_payloads.c.request_id.in_(_held_ids()))
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return int(conn.scalar(query) or 0)

    def purge(self, request_ids: Sequence[str], received_before: datetime, at: datetime, days: int) -> int:
        """Empty these original messages if still due (a hold set meanwhile wins); one audit record each."""
        with self._engine.begin() as conn:
            purged = conn.execute(
                inbound_payloads.update()
                .where(inbound_payloads.c.request_id.in_(list(request_ids)), _due(received_before))
                .values(body=b"", sealed_with=None, purged_at=at)  # nothing left under any data key
                .returning(inbound_payloads.c.request_id, inbound_payloads.c.received_at)
            ).all()
            records = [
                # No personal data: when it was received and the policy, nothing of the message.
                AuditRecord(
                    request_id,
                    at,
                    RETENTION_ACTOR,
                    "payload_purged",
                    detail={"received_at": received_at.isoformat(), "retention_days": days},
                )
                for request_id, received_at in sorted(purged)
            ]
            append_audit(conn, records)
        return len(records)


def _held_ids() -> sa.Select[tuple[str]]:
    return sa.select(legal_holds.c.request_id)


def _unpurged_before(received_before: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(inbound_payloads.c.purged_at.is_(None), inbound_payloads.c.received_at < received_before)


def _due(received_before: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(_unpurged_before(received_before), inbound_payloads.c.request_id.not_in(_held_ids()))
