"""The requests as stored: the reads of the use cases and the console's request pages; writes go through the
unit of work (`gateway/store/unit_of_work.py`)."""

from contextvars import ContextVar
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gateway.domain.enums import IdType, Kind, RequestState, Stage
from gateway.domain.model import LegalAidRequest, Person, PersonMatch
from gateway.security.data_keys import DataKeyRing
from gateway.security.privacy import id_tail_index, keyed_digest, name_index
from gateway.service.ports import (
    ANSWER_SLOT,
    RawPayload,
    StoredRequest,
)
from gateway.store.audit import DOCUMENT_ISSUED, PERSONAL_DATA_VIEWED
from gateway.store.driver import DriverStatement
from gateway.store.engine import READ_ONLY
from gateway.store.sealed import canonical_context, open_canonical, open_payload
from gateway.store.tables import answers, audit_log, in_states, inbound_payloads, request_bodies, requests
from gateway.store.unit_of_work import SqlUnitOfWork

_NOT_SUMMARY = (
    "id_hash",
    "name_birth_hash",
    "name_index",
    "id_tail_index",
    "stage",
    "at_risk_published_at",
    "missed_published_at",
    "phase",  # the state as the indexes see it
)
SUMMARY_COLUMNS = [c for c in requests.c if c.name not in _NOT_SUMMARY]
_RELATED_LIMIT = 50

# The reads a unit of work makes, built once: values are bound at each call.
_BY_REFERENCE = sa.select(*SUMMARY_COLUMNS).where(
    requests.c.agency_code == sa.bindparam("agency_code"),
    requests.c.reference == sa.bindparam("reference"),
    requests.c.kind == sa.bindparam("kind"),
)
_BY_ID = sa.select(*SUMMARY_COLUMNS).where(requests.c.id == sa.bindparam("id"))
_BODY = sa.select(request_bodies.c.canonical, request_bodies.c.sealed_with).where(
    request_bodies.c.request_id == sa.bindparam("id")
)


def _same_person_query(by_id: bool, by_name: bool) -> sa.Select[Any]:
    conditions = []
    if by_id:
        conditions.append(requests.c.id_hash == sa.bindparam("id_hash"))
    if by_name:
        # Name and birth date are weaker: they decide only where an ID number is missing on one side.
        same_name = requests.c.name_birth_hash == sa.bindparam("name_birth_hash")
        conditions.append(sa.and_(same_name, requests.c.id_hash.is_(None)) if by_id else same_name)
    columns = (requests.c.id, requests.c.kind, requests.c.agency_code, requests.c.stage, requests.c.state)
    return (
        sa.select(*columns)
        .where(sa.or_(*conditions))
        .where(~sa.and_(requests.c.agency_code == sa.bindparam("agency"), requests.c.stage == sa.bindparam("stage")))
        .order_by(requests.c.received_at.desc())
        .limit(_RELATED_LIMIT)
    )


_SAME_PERSON = {
    keys: DriverStatement(_same_person_query(*keys)) for keys in ((True, False), (False, True), (True, True))
}


# The states in which a request has a lawyer appointed.
_DEFENDED = (RequestState.ASSIGNED.value, RequestState.INFORMED.value)


class SqlRequestStore:
    """The RequestStore port on SQLAlchemy Core."""

    def __init__(self, engine: sa.Engine, id_hash_key: bytes, data_keys: DataKeyRing) -> None:
        self._engine = engine
        self._id_hash_key = id_hash_key
        self._data_keys = data_keys
        # The connection of the transaction `transaction()` opened in this thread, if any.
        self._bound: ContextVar[sa.Connection | None] = ContextVar(f"bound-{id(self)}", default=None)

    @property
    def data_keys(self) -> DataKeyRing:
        """The keys that seal what the store keeps of a person."""
        return self._data_keys

    def unit(self) -> SqlUnitOfWork:
        """A new unit of work on this store (enter it to begin the transaction)."""
        return SqlUnitOfWork(self._engine, self)

    def awaiting_materials_past(self, now: datetime) -> list[str]:
        """Applications still awaiting materials after the date the centre set (LAL 43 ¶2), oldest first."""
        query = (
            sa.select(requests.c.id)
            .where(in_states([RequestState.AWAITING_MATERIALS.value]), requests.c.due_at < now)
            .order_by(requests.c.due_at)
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return list(conn.scalars(query))

    def find_by_reference(self, agency_code: str, reference: str, kind: Kind) -> StoredRequest | None:
        """The request an agency stored under this reference and kind, if any."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return self.by_reference(conn, agency_code, reference, kind)

    @staticmethod
    def by_reference(conn: sa.Connection, agency_code: str, reference: str, kind: Kind) -> StoredRequest | None:
        """`find_by_reference` on the given connection."""
        row = conn.execute(
            _BY_REFERENCE, {"agency_code": agency_code, "reference": reference, "kind": kind.value}
        ).first()
        return None if row is None else stored_request(row._mapping)

    @staticmethod
    def by_id(conn: sa.Connection, request_id: str) -> StoredRequest | None:
        """`get` on the given connection."""
        row = conn.execute(_BY_ID, {"id": request_id}).first()
        return None if row is None else stored_request(row._mapping)

    def get(self, request_id: str) -> StoredRequest | None:
        """A request by gateway id."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return self.by_id(conn, request_id)

    def canonical_body(self, request_id: str) -> str | None:
        """The canonical JSON as it was put on the bus."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return canonical_body(conn, self._data_keys, request_id)

    def answer_applied(self, message_id: str) -> bool:
        """Whether an answer under this idempotency key was already stored."""
        return self.answer_request(message_id) is not None

    def answer_request(self, message_id: str) -> str | None:
        """The request an answer under this idempotency key was stored for, if any."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            found: str | None = conn.scalar(sa.select(answers.c.request_id).where(answers.c.message_id == message_id))
        return found

    def co_defendants_lawyers(self, request_id: str) -> dict[str, str]:
        """The lawyers defending other persons in the same case: licence number -> that request's id.

        The same agency's other defence requests (not duty-lawyer ones) under the same case number, for
        another person, while a lawyer is appointed (assigned or informed); each one's latest appointment.
        """
        me = sa.select(
            requests.c.case_number, requests.c.agency_code, requests.c.id_hash, requests.c.name_birth_hash
        ).where(requests.c.id == request_id)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            mine = conn.execute(me).first()
            if mine is None:
                return {}
            same_person = [
                column == value
                for column, value in (
                    (requests.c.id_hash, mine.id_hash),
                    (requests.c.name_birth_hash, mine.name_birth_hash),
                )
                if value is not None
            ]
            query = (
                sa.select(answers.c.request_id, answers.c.body)
                .join(requests, requests.c.id == answers.c.request_id)
                .where(
                    requests.c.case_number == mine.case_number,
                    requests.c.agency_code == mine.agency_code,
                    requests.c.id != request_id,
                    requests.c.kind != Kind.DUTY_LAWYER.value,
                    requests.c.state.in_(_DEFENDED),
                    answers.c.kind.in_(("appointment", "replacement")),
                )
                .order_by(answers.c.id)
            )
            if same_person:
                query = query.where(sa.not_(sa.or_(*same_person)))
            rows = conn.execute(query).all()
        latest = {other: body["lawyer"]["licence_number"] for other, body in rows}
        return {licence: other for other, licence in latest.items()}

    def latest_answers(self, request_id: str) -> dict[str, dict[str, Any]]:
        """The newest stored answer of each kind (appointment or replacement, decision, termination)."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(
                sa.select(answers.c.kind, answers.c.body)
                .where(answers.c.request_id == request_id)
                .order_by(answers.c.id)
            ).all()
        latest: dict[str, dict[str, Any]] = {}
        for kind, body in rows:
            latest[ANSWER_SLOT.get(kind, kind)] = body
        return latest

    def raw_payload(self, request_id: str) -> RawPayload | None:
        """The inbound message exactly as received, or its purge date once the retention run emptied it."""
        columns = (inbound_payloads.c.content_type, inbound_payloads.c.body, inbound_payloads.c.purged_at)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(
                sa.select(*columns, inbound_payloads.c.sealed_with).where(inbound_payloads.c.request_id == request_id)
            ).first()
        if row is None:
            return None
        if row.purged_at is not None:  # emptied by the retention run: nothing left to open
            return RawPayload(row.content_type, b"", row.purged_at)
        body = open_payload(self._data_keys, request_id, bytes(row.body), row.sealed_with)
        return RawPayload(row.content_type, body, row.purged_at)

    def audit_trail(self, request_id: str) -> list[dict[str, object]]:
        """The request's state changes, oldest first."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            rows = conn.execute(
                sa.select(audit_log.c.at, audit_log.c.actor, audit_log.c.event, audit_log.c.to_state)
                .where(
                    audit_log.c.request_id == request_id,
                    audit_log.c.event.not_in([PERSONAL_DATA_VIEWED, DOCUMENT_ISSUED]),  # the status lists documents
                )
                .order_by(audit_log.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def same_person(self, person: Person, agency_code: str, stage: Stage) -> list[PersonMatch]:
        """This person's requests that may relate to a new one from `agency_code` at `stage`, oldest first."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return self.matches(conn, person, agency_code, stage)

    def matches(self, conn: sa.Connection, person: Person, agency_code: str, stage: Stage) -> list[PersonMatch]:
        """`same_person` on the given connection.

        The same agency's requests at the same stage never relate (a resend or a new notice of its own),
        so they are left out in the query, and at most the latest 50 are read.
        """
        id_hash, name_birth_hash = self._person_keys(person)
        if id_hash is None and name_birth_hash is None:
            return []
        query = _SAME_PERSON[(id_hash is not None, name_birth_hash is not None)]
        params = {"id_hash": id_hash, "name_birth_hash": name_birth_hash, "agency": agency_code}
        rows = query.rows(conn, params | {"stage": stage.value})
        return [
            PersonMatch(request_id, Kind(kind), agency, Stage(at) if at else None, RequestState(state))
            for request_id, kind, agency, at, state in reversed(rows)
        ]

    def _person_keys(self, person: Person) -> tuple[str | None, str | None]:
        """Keyed hashes that find the same person again without storing who it is."""
        id_hash = name_birth_hash = None
        if person.id_number and person.id_type is not IdType.UNKNOWN:
            id_hash = keyed_digest(self._id_hash_key, f"{person.id_type.value}:{person.id_number}")
        if person.name and person.birth_date:
            name = "".join(person.name.split())
            name_birth_hash = keyed_digest(self._id_hash_key, f"name:{name}:{person.birth_date.isoformat()}")
        return id_hash, name_birth_hash

    def search_keys(self, person: Person) -> dict[str, str | None]:
        """The blind indexes the console searches a person by: the whole name, the ID's last 4 characters."""
        return {
            "name_index": name_index(self._id_hash_key, person.name) if person.name else None,
            "id_tail_index": id_tail_index(self._id_hash_key, person.id_number) if person.id_number else None,
        }

    def request_row(self, request: LegalAidRequest, digest: str, http_request_id: str | None) -> dict[str, object]:
        """The requests insert values: the person only as keyed hashes and blind indexes."""
        id_hash, name_birth_hash = self._person_keys(request.person)
        return {
            **self.search_keys(request.person),
            "id": request.id,
            "kind": request.kind.value,
            "agency_code": request.source.agency_code,
            "reference": request.source.reference,
            "case_number": request.case.number,
            "id_hash": id_hash,
            "name_birth_hash": name_birth_hash,
            "stage": request.case.stage.value,
            "state": request.state.value,
            "digest": digest,
            "centre_code": request.routing.centre_code,
            "routing_key": request.routing.routing_key,
            "received_at": request.source.received_at,
            "due_at": request.deadline.due_at,
            "deadline_obligation": request.deadline.obligation,
            "deadline_basis": request.deadline.basis,
            "updated_at": request.source.received_at,
            "http_request_id": http_request_id,
        }

    def body_row(self, request_id: str, canonical: bytes) -> dict[str, object]:
        """The request_bodies insert values: the canonical JSON sealed under the current data key."""
        return {
            "request_id": request_id,
            "canonical": self._data_keys.seal_text(canonical.decode("utf-8"), canonical_context(request_id)),
            "sealed_with": self._data_keys.current_id,
        }


def canonical_body(conn: sa.Connection, data_keys: DataKeyRing, request_id: str) -> str | None:
    """A request's canonical JSON as it was put on the bus, opened; None if there is no such request."""
    row = conn.execute(_BODY, {"id": request_id}).first()
    return None if row is None else open_canonical(data_keys, request_id, row.canonical, row.sealed_with)


def stored_request(row: sa.RowMapping) -> StoredRequest:
    """A summary row as a StoredRequest."""
    values = dict(row)
    values["kind"] = Kind(values["kind"])
    values["state"] = RequestState(values["state"])
    return StoredRequest(**values)
