"""Read-only queries behind the staff console: the inbox, a request's story, failing notices, reports."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gateway.domain.enums import Kind
from gateway.security.data_keys import DataKeyRing
from gateway.security.privacy import id_tail_index, name_index
from gateway.service.ports import APPLICANT_SUPPLIES, Delivery, ReportRow, StoredRequest
from gateway.store.audit import PERSONAL_DATA_VIEWED
from gateway.store.deliveries import PARKED, PENDING, delivery_from_row
from gateway.store.engine import READ_ONLY
from gateway.store.requests import SUMMARY_COLUMNS, stored_request
from gateway.store.sealed import open_canonical
from gateway.store.tables import agencies, audit_log, deliveries, in_states, request_bodies, requests

DEFAULT_LIMIT = 200
ID_TAIL_LENGTH = 4


@dataclass(frozen=True)
class CaseRow:
    """A request with its canonical body, for the inbox and the request's page."""

    request: StoredRequest
    canonical: dict[str, Any]


@dataclass(frozen=True)
class AuditEntry:
    """One line of a request's audit log."""

    at: datetime
    actor: str
    event: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows: filters on the request, and a search that any of its terms satisfies.

    `case_number` is part of a case number; `person` is a whole name or an ID number's last four characters,
    found through the blind indexes (the canonical body is sealed, so it is never scanned).
    """

    centre_code: str | None
    states: tuple[str, ...]
    kind: str | None = None
    agency_code: str | None = None
    case_number: str | None = None
    person: str | None = None


_CASE_COLUMNS = (*SUMMARY_COLUMNS, request_bodies.c.canonical, request_bodies.c.sealed_with)
_WITH_BODY = requests.join(request_bodies, request_bodies.c.request_id == requests.c.id)


class SqlConsoleQueries:
    """The console's read side on SQLAlchemy Core."""

    def __init__(self, engine: sa.Engine, data_keys: DataKeyRing, id_hash_key: bytes) -> None:
        self._engine = engine
        self._data_keys = data_keys
        self._id_hash_key = id_hash_key

    def cases(self, wanted: InboxFilter, limit: int = DEFAULT_LIMIT) -> list[CaseRow]:
        """Requests matching the filter, the least time left first."""
        order = (requests.c.due_at, requests.c.received_at, requests.c.id)
        query = sa.select(*_CASE_COLUMNS).select_from(_WITH_BODY).order_by(*order)
        if wanted.centre_code is not None:
            query = query.where(requests.c.centre_code == wanted.centre_code)
        if wanted.states:
            query = query.where(in_states(wanted.states))
        if wanted.kind:
            query = query.where(requests.c.kind == wanted.kind)
        if wanted.agency_code:
            query = query.where(requests.c.agency_code == wanted.agency_code)
        search = self._search_terms(wanted)
        if search:
            query = query.where(sa.or_(*search))
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(query.limit(limit)).all()
        return [self._case_row(row._mapping) for row in rows]

    def _search_terms(self, wanted: InboxFilter) -> list[sa.ColumnElement[bool]]:
        terms = []
        if wanted.case_number:
            terms.append(requests.c.case_number.contains(wanted.case_number, autoescape=True))
        if wanted.person:
            terms.append(requests.c.name_index == name_index(self._id_hash_key, wanted.person))
            if len("".join(wanted.person.split())) == ID_TAIL_LENGTH:
                terms.append(requests.c.id_tail_index == id_tail_index(self._id_hash_key, wanted.person))
        return terms

    def _case_row(self, row: sa.RowMapping) -> CaseRow:
        values = dict(row)
        stored, sealed_with = values.pop("canonical"), values.pop("sealed_with")
        canonical = json.loads(open_canonical(self._data_keys, values["id"], stored, sealed_with))
        return CaseRow(stored_request(values), canonical)  # type: ignore[arg-type]

    def case(self, request_id: str) -> CaseRow | None:
        """One request with its canonical body."""
        query = sa.select(*_CASE_COLUMNS).select_from(_WITH_BODY).where(requests.c.id == request_id)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(query).first()
        return None if row is None else self._case_row(row._mapping)

    def audit_entries(self, request_id: str) -> list[AuditEntry]:
        """The request's audit log, oldest first, with who and why."""
        columns = [audit_log.c[name] for name in ("at", "actor", "event", "from_state", "to_state", "detail")]
        query = (
            sa.select(*columns)
            .where(audit_log.c.request_id == request_id, audit_log.c.event != PERSONAL_DATA_VIEWED)
            .order_by(audit_log.c.id)
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return [AuditEntry(*row) for row in conn.execute(query).all()]

    def agency_names(self) -> dict[str, str]:
        """Every agency's name by code."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return dict(conn.execute(sa.select(agencies.c.code, agencies.c.name)).all())

    def sender_names(self) -> dict[str, str]:
        """The names of the agencies that send requests (not the centres), by code."""
        query = sa.select(agencies.c.code, agencies.c.name).where(agencies.c.type != "legal_aid_centre")
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return dict(conn.execute(query.order_by(agencies.c.code)).all())

    def centre_names(self) -> dict[str, str]:
        """The legal aid centres' names by code."""
        query = sa.select(agencies.c.code, agencies.c.name).where(agencies.c.type == "legal_aid_centre")
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return dict(conn.execute(query.order_by(agencies.c.code)).all())

    def troubled_deliveries(self, centre_code: str | None) -> list[tuple[Delivery, str]]:
        """Parked notices and pending ones that have failed at least once, with the request's case number."""
        troubled = sa.or_(
            deliveries.c.state == PARKED, sa.and_(deliveries.c.state == PENDING, deliveries.c.attempts > 0)
        )
        query = (
            sa.select(deliveries, requests.c.case_number)
            .join(requests, requests.c.id == deliveries.c.request_id)
            .where(troubled)
            .order_by(deliveries.c.id)
        )
        if centre_code is not None:
            query = query.where(requests.c.centre_code == centre_code)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(query).all()
        return [(delivery_from_row(row._mapping), row.case_number) for row in rows]

    def delivery_centre(self, delivery_id: int) -> str | None:
        """The centre whose request a notice reports on."""
        query = (
            sa.select(requests.c.centre_code)
            .join(deliveries, deliveries.c.request_id == requests.c.id)
            .where(deliveries.c.id == delivery_id)
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            found: str | None = conn.scalar(query)
        return found

    def report_rows(self, start: datetime, end: datetime, centre_code: str | None = None) -> list[ReportRow]:
        """The requests received in [start, end), each with its first appointment's time."""
        query = sa.select(
            requests.c.agency_code,
            requests.c.kind,
            requests.c.state,
            requests.c.received_at,
            requests.c.due_at,
            _first_event(("assigned",)).label("assigned_at"),
            requests.c.deadline_obligation.label("obligation"),
            _first_event(("withdrawn", "deemed_withdrawn", "declined", "terminated")).label("closed_at"),
            _first_event(("granted", "declined")).label("decided_at"),
            _grant_detail().label("grant_detail"),
        ).where(requests.c.received_at >= start, requests.c.received_at < end)
        if centre_code is not None:
            query = query.where(requests.c.centre_code == centre_code)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(query.order_by(requests.c.received_at)).all()
        return [_report_row(row._mapping) for row in rows]


def _grant_detail() -> sa.ScalarSelect[Any]:
    """The audit detail of the request's grant: it names the LAL 43 deadline the grant replaced."""
    return (
        sa.select(audit_log.c.detail)
        .where(audit_log.c.request_id == requests.c.id, audit_log.c.event == "granted")
        .order_by(audit_log.c.id)
        .limit(1)
        .scalar_subquery()
    )


def _first_event(events: tuple[str, ...]) -> sa.ScalarSelect[datetime]:
    """The time of the request's first audit entry of one of `events`."""
    return (
        sa.select(sa.func.min(audit_log.c.at))
        .where(audit_log.c.request_id == requests.c.id, audit_log.c.event.in_(events))
        .scalar_subquery()
    )


def _report_row(row: sa.RowMapping) -> ReportRow:
    return ReportRow(
        agency_code=row["agency_code"],
        kind=row["kind"],
        state=row["state"],
        received_at=row["received_at"],
        due_at=row["due_at"],
        assigned_at=_aware(row["assigned_at"]),
        closed_at=_aware(row["closed_at"]),
        decided_at=_aware(row["decided_at"]),
        decision_due_at=_decision_due_at(row),
        obligation=row["obligation"],
    )


def _decision_due_at(row: sa.RowMapping) -> datetime | None:
    """An application's LAL 43 deadline: the one it still has until granted, then the one the grant recorded
    (None for a grant recorded before grants kept it)."""
    if row["kind"] != Kind.APPLICATION_TRANSFER.value or row["obligation"] == APPLICANT_SUPPLIES:
        return None  # while the applicant gathers materials the review clock stands still (LAL 43 ¶2)
    detail = row["grant_detail"]
    if detail is None:
        return row["due_at"]  # type: ignore[no-any-return]
    if isinstance(detail, str):  # SQLite may hand a subquery's JSON back as text
        detail = json.loads(detail)
    recorded = detail.get("decision_due_at")
    return datetime.fromisoformat(recorded) if recorded else None


def _aware(value: datetime | str | None) -> datetime | None:
    """An aggregate's time as an aware datetime (SQLite hands `min()` of a typed column back untyped)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
