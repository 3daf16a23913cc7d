"""The composition root: the one place where concrete classes meet."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import sqlalchemy as sa

from adapters.registry import permissions
from gateway.clock import SystemClock
from gateway.config import Settings
from gateway.documents.pdf import PdfRenderer
from gateway.messaging.probe import broker_login
from gateway.rules.authorization import Matrix
from gateway.rules.calendar import WorkCalendar, load_calendar
from gateway.rules.deadlines import DeadlinePolicy
from gateway.rules.hardship import SubsistenceStandards, load_standards
from gateway.rules.routing import RoutingTable, load_routing_table
from gateway.security.data_keys import DataKeyRing
from gateway.security.sealing import KeySealer
from gateway.service.answers import AnswerStore, CentreAnswers
from gateway.service.deadlines import DeadlineWatcher
from gateway.service.documents import DocumentIssuer
from gateway.service.intake import Intake
from gateway.service.materials import Materials, MaterialsStore
from gateway.service.ports import Clock, RequestStore
from gateway.service.proof_of_service import ProofsOfService
from gateway.service.retention import Retention
from gateway.service.sequencer import AuditSequencer
from gateway.service.staff_auth import StaffAuth
from gateway.service.transitions import Transitions
from gateway.service.withdrawal import Withdrawals
from gateway.store.access_log import SqlAccessLog
from gateway.store.agencies import SqlAgencyRegistry
from gateway.store.audit_sequencer import SqlAuditSequencer
from gateway.store.certificates import SqlAgencyCertificates
from gateway.store.console import SqlConsoleQueries
from gateway.store.deadlines import SqlDeadlines
from gateway.store.deliveries import SqlDeliveries
from gateway.store.documents import SqlDocuments, SqlDocumentSource
from gateway.store.engine import make_engine
from gateway.store.leases import SqlLeases
from gateway.store.migrate import prepare_store
from gateway.store.nonces import SqlNonceRegistry
from gateway.store.outbox import SqlOutbox
from gateway.store.requests import SqlRequestStore
from gateway.store.retention import SqlRetention
from gateway.store.staff import SqlStaffAccounts


class Requests(RequestStore, AnswerStore, MaterialsStore, Protocol):
    """Everything the request use cases need of the store: its unit of work and its reads."""


@dataclass(frozen=True)
class UseCases:
    """The use cases of a request's life, wired on one store (the SQL one, or a fake in tests)."""

    intake: Intake
    transitions: Transitions
    withdrawals: Withdrawals
    materials: Materials
    proofs_of_service: ProofsOfService
    answers: CentreAnswers


def use_cases(
    store: Requests,
    clock: Clock,
    has_callback: Callable[[str], bool],
    calendar: WorkCalendar | None = None,
    routing: RoutingTable | None = None,
    policy: DeadlinePolicy | None = None,
    standards: SubsistenceStandards | None = None,
    matrix: Matrix | None = None,
    documents: DocumentIssuer | None = None,
) -> UseCases:
    """The request use cases on `store`; the packaged calendar, routing table and policy, and the matrix the
    agency folders declare, unless given."""
    calendar = calendar or load_calendar()
    transitions = Transitions(store, clock, has_callback, documents)
    intake = Intake(
        store=store,
        clock=clock,
        calendar=calendar,
        routing=routing or load_routing_table(),
        policy=policy or DeadlinePolicy(),
        standards=standards,
        matrix=permissions() if matrix is None else matrix,
    )
    return UseCases(
        intake=intake,
        transitions=transitions,
        withdrawals=Withdrawals(store, transitions, clock),
        materials=Materials(store, transitions, clock, calendar),
        proofs_of_service=ProofsOfService(store, transitions, clock),
        answers=CentreAnswers(store, transitions, calendar, clock),
    )


@dataclass
class Services:
    """Everything a process of the gateway uses, built once."""

    settings: Settings
    engine: sa.Engine
    agencies: SqlAgencyRegistry
    requests: SqlRequestStore
    outbox: SqlOutbox
    intake: Intake
    routing: RoutingTable
    nonces: SqlNonceRegistry
    withdrawals: Withdrawals
    proofs_of_service: ProofsOfService
    materials: Materials
    transitions: Transitions
    answers: CentreAnswers
    calendar: WorkCalendar
    deliveries: SqlDeliveries
    deadlines: DeadlineWatcher
    clock: Clock
    staff: SqlStaffAccounts
    staff_auth: StaffAuth
    console: SqlConsoleQueries
    certificates: SqlAgencyCertificates
    data_keys: DataKeyRing
    retention: Retention
    audit: AuditSequencer
    access_log: SqlAccessLog  # who saw whose personal data
    documents: SqlDocuments  # the official documents the decisions issued
    broker_check: Callable[[], dict[str, Any]]  # the readiness probe's login to the broker


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Wire the store, rules and use cases for the given settings."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url, settings.store_timeout_seconds, pool_size=settings.store_pool_size)
    prepare_store(engine, settings.auto_migrate)
    routing = load_routing_table(settings.routing_file)
    data_keys = DataKeyRing.parse(settings.data_keys)
    id_hash_key = settings.id_hash_key.encode("utf-8")
    requests = SqlRequestStore(engine, id_hash_key, data_keys)
    calendar = load_calendar(settings.calendar_file)
    agencies = SqlAgencyRegistry(engine, KeySealer(settings.credential_key), clock.now)
    staff = SqlStaffAccounts(engine)
    cases = use_cases(
        requests,
        clock,
        agencies.has_callback,
        calendar,
        routing,
        DeadlinePolicy(duty_lawyer_working_days=settings.duty_lawyer_working_days),
        load_standards(settings.subsistence_standards_file),
        documents=DocumentIssuer(
            PdfRenderer(settings.document_font),
            SqlDocumentSource(engine, data_keys),
            settings.document_number_pattern,
            settings.prefixes(),
        ),
    )
    return Services(
        settings=settings,
        engine=engine,
        agencies=agencies,
        requests=requests,
        outbox=SqlOutbox(engine, data_keys, clock.now),
        intake=cases.intake,
        routing=routing,
        nonces=SqlNonceRegistry(engine, timedelta(seconds=settings.token_window_seconds)),
        clock=clock,
        withdrawals=cases.withdrawals,
        materials=cases.materials,
        proofs_of_service=cases.proofs_of_service,
        transitions=cases.transitions,
        answers=cases.answers,
        calendar=calendar,
        deliveries=SqlDeliveries(engine, clock.now),
        deadlines=DeadlineWatcher(
            SqlDeadlines(engine),
            requests,
            clock,
            timedelta(hours=settings.deadline_lead_hours),
            SqlLeases(engine, clock.now),
            sweeps=(cases.materials.expire,),
        ),
        staff=staff,
        staff_auth=StaffAuth(staff, clock),
        console=SqlConsoleQueries(engine, data_keys, id_hash_key),
        data_keys=data_keys,
        certificates=SqlAgencyCertificates(engine, clock.now),
        retention=Retention(SqlRetention(engine), clock, settings.payload_retention_days),
        audit=AuditSequencer(
            SqlAuditSequencer(engine, data_keys),
            timedelta(seconds=settings.audit_checkpoint_seconds),
            SqlLeases(engine, clock.now),
        ),
        access_log=SqlAccessLog(engine),
        documents=SqlDocuments(engine, data_keys),
        broker_check=lambda: broker_login(settings.amqp_url),
    )
