"""Table definitions."""

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from gateway.domain.enums import RequestState


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = sa.MetaData()

agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("district", sa.String(6), nullable=False),
    sa.Column("allowed_kinds", sa.JSON, nullable=False),
    sa.Column("api_key_hash", sa.String(64), nullable=False, unique=True),
    # The key sealed with the credential key (AES-GCM): WS-Security PasswordDigest needs the clear key.
    sa.Column("api_key_sealed", sa.LargeBinary),
    # How the agency hears back: "soap" (its callback WSDL), "webhook" (signed JSON), or none (it polls).
    sa.Column("callback_kind", sa.String(16)),
    sa.Column("callback_url", sa.String(500)),
    sa.Column("callback_username", sa.String(100)),
    sa.Column("callback_secret_sealed", sa.LargeBinary),
    sa.Column("callback_wsdl", sa.LargeBinary),  # SOAP: the WSDL fetched and checked at registration
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("key_rotated_at", UtcDateTime, nullable=False),
    # After a rotation the old key keeps working until it expires, so the agency can switch without downtime.
    sa.Column("previous_api_key_hash", sa.String(64)),
    sa.Column("previous_api_key_sealed", sa.LargeBinary),
    sa.Column("previous_key_expires_at", UtcDateTime),
)

# Client certificates (mutual TLS) by SHA-256 fingerprint of the DER; several per agency while rotating.
agency_certificates = sa.Table(
    "agency_certificates",
    metadata,
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("agency_code", sa.String(32), sa.ForeignKey("agencies.code"), nullable=False, index=True),
    sa.Column("subject", sa.String(500), nullable=False),
    sa.Column("not_after", UtcDateTime, nullable=False),
    sa.Column("added_at", UtcDateTime, nullable=False),
)

# A request's phase: its state, but received and queued are one (the generated column `requests.phase`).
_RECEIVED, _QUEUED = RequestState.RECEIVED.value, RequestState.QUEUED.value
PHASE_OF = {state.value: state.value for state in RequestState} | {_QUEUED: _RECEIVED}
PHASE_SQL = f"CASE state WHEN '{_QUEUED}' THEN '{_RECEIVED}' ELSE state END"
# Free room on each page of requests for the relay's in-place update of the rows inserted there.
REQUESTS_FILLFACTOR = 50

requests = sa.Table(
    "requests",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("agency_code", sa.String(32), sa.ForeignKey("agencies.code"), nullable=False),
    sa.Column("reference", sa.String(100), nullable=False),
    sa.Column("case_number", sa.String(100), nullable=False),
    sa.Column("id_hash", sa.String(64)),  # keyed hash of the ID number; never the clear number
    sa.Column("name_birth_hash", sa.String(64)),  # keyed hash of name and birth date, when there is no ID
    sa.Column("stage", sa.String(32)),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("centre_code", sa.String(32), nullable=False),
    sa.Column("routing_key", sa.String(100), nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("deadline_obligation", sa.String(64), nullable=False),
    sa.Column("deadline_basis", sa.String(100), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # The canonical body is in request_bodies, sealed: the row the lifecycle rewrites holds no personal data.
    # Blind indexes for the console's search: keyed hashes of the whole name and of the ID's last 4 characters.
    sa.Column("name_index", sa.String(64)),
    sa.Column("id_tail_index", sa.String(64)),
    sa.Column("at_risk_published_at", UtcDateTime),  # deadline.at_risk sent (once)
    sa.Column("missed_published_at", UtcDateTime),  # deadline.missed sent (once)
    # The X-Request-Id of the agency's call: it rides on the bus message and on the callback to the agency.
    sa.Column("http_request_id", sa.String(64)),
    sa.Column("traceparent", sa.String(55)),  # the intake's trace context: the notice's later steps continue it
    # Raised by every change the lifecycle records: a change is written only on the version it was decided on, so
    # two concurrent changes that leave the state as it was (a proof of service, say) cannot both be recorded.
    sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("0")),
    # The state as the indexes see it: received and queued are one phase, so the relay's move from one to the
    # other (every request's first update, soon after its insert) changes no indexed value and PostgreSQL
    # writes it in place of the old version on the same page (a HOT update, no new index entries); the table's
    # fillfactor of 50 (migration 0011) leaves that page room for it. Filter on both: see `in_states`.
    sa.Column("phase", sa.String(32), sa.Computed(PHASE_SQL, persisted=True)),
    sa.UniqueConstraint("agency_code", "reference", "kind", name="uq_requests_agency_reference_kind"),
    sa.Index("ix_requests_case_number", "case_number"),
    sa.Index("ix_requests_id_hash", "id_hash"),
    sa.Index("ix_requests_name_birth", "name_birth_hash", "id_hash"),  # the ID-less side found in the index
    sa.Index("ix_requests_centre_phase_due", "centre_code", "phase", "due_at"),
    sa.Index("ix_requests_phase_due", "phase", "due_at"),  # open requests by due time, every centre (metrics)
    sa.Index("ix_requests_name_index", "name_index"),
    sa.Index("ix_requests_id_tail_index", "id_tail_index"),
    postgresql_with={"fillfactor": REQUESTS_FILLFACTOR},
)


def in_states(states: Iterable[str]) -> sa.ColumnElement[bool]:
    """Requests in one of `states`, found through the indexes on their phase."""
    wanted = sorted(set(states))
    phases = sorted({PHASE_OF[state] for state in wanted})
    return sa.and_(requests.c.phase.in_(phases), requests.c.state.in_(wanted))


inbound_payloads = sa.Table(
    "inbound_payloads",
    metadata,
    sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), primary_key=True),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("content_type", sa.String(200), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),  # sealed with the data key in sealed_with (NULL: clear)
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("sealed_with", sa.String(32)),
    # Set when the retention run emptied the body: the record of what was received stays, the message goes.
    sa.Column("purged_at", UtcDateTime),
)

# A legal hold keeps a request's original message past the retention period, until it is cleared.
legal_holds = sa.Table(
    "legal_holds",
    metadata,
    sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("set_by", sa.String(64), nullable=False),
    sa.Column("set_at", UtcDateTime, nullable=False),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    # "<request id>.deadline.missed.<due time>" is 67 characters: room for every id the gateway makes.
    sa.Column("message_id", sa.String(100), nullable=False),
    sa.Column("request_id", sa.String(36)),
    sa.Column("exchange", sa.String(100), nullable=False),
    sa.Column("routing_key", sa.String(200), nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("correlation_id", sa.String(64)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("last_error", sa.Text),
)
sa.Index(
    "ix_outbox_unsent",
    outbox.c.id,
    sqlite_where=outbox.c.sent_at.is_(None),
    postgresql_where=outbox.c.sent_at.is_(None),
)
sa.Index(  # a request's first unsent message, in one probe (the relay keeps each request's messages in order)
    "ix_outbox_unsent_request",
    outbox.c.request_id,
    outbox.c.id,
    sqlite_where=outbox.c.sent_at.is_(None),
    postgresql_where=outbox.c.sent_at.is_(None),
)

# An outbox row's body, in a table of its own: the relay's marks rewrite the outbox rows they send (and the
# requests they move) and, with the body beside them, a row filled most of a page, so that every mark wrote one
# page; narrow rows share their pages (migration 0012).
outbox_bodies = sa.Table(
    "outbox_bodies",
    metadata,
    sa.Column("outbox_id", outbox.c.id.type, sa.ForeignKey("outbox.id"), primary_key=True, autoincrement=False),
    sa.Column("message_id", sa.String(100), nullable=False),  # what the sealed body is bound to
    sa.Column("body", sa.LargeBinary, nullable=False),  # sealed with the data key in sealed_with (NULL: clear)
    sa.Column("sealed_with", sa.String(32)),
)

# A request's canonical body, in a table of its own like the outbox's: the relay's move of a request from received
# to queued (and every later change) rewrites a narrow row, not one holding a sealed body of a page or more
# (migration 0013). It is written once, with its request, and read only for the console and the documents.
request_bodies = sa.Table(
    "request_bodies",
    metadata,
    sa.Column("request_id", requests.c.id.type, sa.ForeignKey("requests.id"), primary_key=True),
    # Sealed (AES-GCM, base64) with the data key named in sealed_with; clear when that is NULL (a row stored
    # before sealing, until `lagw keys rotate` seals it).
    sa.Column("canonical", sa.Text, nullable=False),
    sa.Column("sealed_with", sa.String(32)),
)

# The official documents the centre's decisions issue (gateway/service/documents.py): the content sealed like
# every other body holding personal data, the digest in the clear (it is on the audit chain and in callbacks).
documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("centre_code", sa.String(32), nullable=False),
    sa.Column("number", sa.String(100), nullable=False),
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("sealed_with", sa.String(32)),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("centre_code", "number", name="uq_documents_centre_number"),
    sa.Index("ix_documents_request", "request_id"),
)

# The last number each centre gave its documents of a kind in a year, taken in the issuing transaction.
document_numbers = sa.Table(
    "document_numbers",
    metadata,
    sa.Column("centre_code", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(36), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("from_state", sa.String(32)),
    sa.Column("to_state", sa.String(32)),
    sa.Column("detail", sa.JSON),
    # The hash chain (gateway/store/audit_sequencer.py): empty until the sequencer links the record.
    sa.Column("seq", sa.BigInteger),  # its place on the chain: 1, 2, 3 … in the order linked
    sa.Column("prev_hash", sa.String(64)),
    sa.Column("hash", sa.String(64)),
    sa.Column("queued_at", UtcDateTime),  # when it was written (wall clock), for the unlinked backlog's age
    sa.Index("ix_audit_request", "request_id", "id"),
    sa.Index("ix_audit_event_actor", "event", "actor", "id"),  # the views of personal data, per account
    sa.Index("ux_audit_seq", "seq", unique=True),
)
sa.Index(  # the sequencer's queue: records not yet linked, in the order written
    "ix_audit_unlinked",
    audit_log.c.id,
    sqlite_where=audit_log.c.seq.is_(None),
    postgresql_where=audit_log.c.seq.is_(None),
)

# The sequencer's head: one row, locked only by the sequencer while it links a batch.
audit_chain = sa.Table(
    "audit_chain",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_seq", sa.BigInteger),  # how many records are on the chain
    sa.Column("last_hash", sa.String(64)),  # the newest linked record's hash; none before the first
    sa.Column("checkpoint_seq", sa.BigInteger),  # the chain's length at the last published checkpoint
    sa.Column("checkpoint_at", UtcDateTime),  # and when it was published
)


security_nonces = sa.Table(
    "security_nonces",
    metadata,
    sa.Column("agency_code", sa.String(32), primary_key=True),
    sa.Column("nonce", sa.String(128), primary_key=True),
    sa.Column("seen_at", UtcDateTime, nullable=False),
    sa.Index("ix_security_nonces_seen_at", "seen_at"),
)


answers = sa.Table(
    "answers",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),  # appointment, replacement, decision
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("actor", sa.String(32), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    # The AMQP message_id of an answer consumed from legalaid.appointments: applied once.
    sa.Column("message_id", sa.String(100), unique=True),
    sa.Index("ix_answers_request", "request_id"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
    sa.Column("agency_code", sa.String(32), nullable=False),
    sa.Column("idempotency_key", sa.String(100), nullable=False, unique=True),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # pending, delivered, parked
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("delivered_at", UtcDateTime),
    sa.Column("last_error", sa.Text),
)
sa.Index("ix_deliveries_state", deliveries.c.state)  # the counts by state a metrics scrape reads
sa.Index(
    "ix_deliveries_due",
    deliveries.c.next_attempt_at,
    sqlite_where=deliveries.c.state == "pending",
    postgresql_where=deliveries.c.state == "pending",
)

delivery_attempts = sa.Table(
    "delivery_attempts",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column(
        "delivery_id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        sa.ForeignKey("deliveries.id"),
        nullable=False,
    ),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),  # delivered, failed
    sa.Column("http_status", sa.Integer),
    sa.Column("fault_code", sa.String(100)),
    sa.Column("error", sa.Text),
    sa.Index("ix_delivery_attempts_delivery", "delivery_id"),
)

staff_accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("username", sa.String(32), primary_key=True),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("centre_code", sa.String(32), sa.ForeignKey("agencies.code")),
    sa.Column("personal_data", sa.Boolean, nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),  # argon2id, with its parameters
    sa.Column("failed_logins", sa.Integer, nullable=False),
    sa.Column("locked_until", UtcDateTime),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("password_changed_at", UtcDateTime, nullable=False),
    sa.Column("last_login_at", UtcDateTime),
)

console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
    sa.Column("username", sa.String(32), sa.ForeignKey("staff_accounts.username"), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=False),
    sa.Index("ix_console_sessions_username", "username"),
)

# A lease: one holder at a time does a job that several copies of a worker could do (the deadline watcher).
leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(100), nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)
