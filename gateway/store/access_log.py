"""Who saw whose personal data: every view of names and ID numbers in clear, as records on the audit chain.

Criminal records are sensitive personal information (PIPL art. 28) and the centre keeps what it learns
confidential (LAL 21), so it must be able to say who saw whose data, and when. A view is an audit record
(`personal_data_viewed`) on the request whose data was shown, written unlinked like every other and linked by
the sequencer, so it cannot be edited or dropped unseen. It names what was shown, never the data itself nor
the text searched for. The request's timeline and status leave these records out.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from gateway.store.audit import PERSONAL_DATA_VIEWED, AuditRecord, append_audit
from gateway.store.engine import READ_ONLY
from gateway.store.tables import audit_log

# What a view showed (the detail's `shown`).
PARTICULARS = "particulars"  # the request's page: the person's name, ID number, custody
ORIGINAL = "original"  # the message as the agency sent it
SEARCH = "search"  # a line of the inbox found by a search (a name, an ID number's last four characters, a case number)
DOCUMENT = "document"  # an official document of the request, opened to read or print
SHOWN = (PARTICULARS, ORIGINAL, SEARCH, DOCUMENT)


@dataclass(frozen=True)
class Access:
    """One view: when, by whom (the audit log's actor, `staff:<user name>`), of which request, what."""

    at: datetime
    actor: str
    request_id: str
    shown: tuple[str, ...]


class SqlAccessLog:
    """Records views of personal data and reads them back per request or per account."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def record(self, actor: str, request_ids: Sequence[str], shown: Sequence[str], at: datetime) -> None:
        """One record per request whose personal data `actor` was shown, in one transaction."""
        if not request_ids:
            return
        unknown = set(shown) - set(SHOWN)
        if unknown:
            raise ValueError(f"unknown kinds of view: {sorted(unknown)}")
        records = [
            AuditRecord(request_id, at, actor, PERSONAL_DATA_VIEWED, detail={"shown": list(shown)})
            for request_id in dict.fromkeys(request_ids)
        ]
        with self._engine.begin() as conn:
            append_audit(conn, records)

    def of_request(self, request_id: str, limit: int = 500) -> list[Access]:
        """Who saw the request's personal data, newest first."""
        return self._read(audit_log.c.request_id == request_id, limit)

    def of_account(self, actor: str, limit: int = 500) -> list[Access]:
        """Whose personal data the account saw, newest first."""
        return self._read(audit_log.c.actor == actor, limit)

    def viewers(self) -> list[str]:
        """Every actor with a recorded view, also those whose permission has since been withdrawn."""
        query = sa.select(audit_log.c.actor).where(audit_log.c.event == PERSONAL_DATA_VIEWED).distinct()
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return sorted(conn.scalars(query))

    def _read(self, where: sa.ColumnElement[bool], limit: int) -> list[Access]:
        query = (
            sa.select(audit_log.c.at, audit_log.c.actor, audit_log.c.request_id, audit_log.c.detail)
            .where(audit_log.c.event == PERSONAL_DATA_VIEWED, where)
            .order_by(audit_log.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(query).all()
        return [Access(row.at, row.actor, row.request_id, tuple((row.detail or {}).get("shown", ()))) for row in rows]
