"""The intake use case: validate, normalize, store durably with its outbox row, idempotently."""

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, is_dataclass, replace
from datetime import date, datetime
from typing import Any

from gateway.domain.enums import AgencyType, Channel, Kind, RequestState
from gateway.domain.model import Agency, Case, Deadline, LegalAidRequest, Related, Source, Submission
from gateway.domain.text import field_names, hidden_characters
from gateway.errors import GatewayError, InvalidInput, ReferenceConflict
from gateway.rules.authorization import Decision, Matrix, authorize
from gateway.rules.calendar import WorkCalendar
from gateway.rules.deadlines import (
    CHINA_TZ,
    CLOCK_SKEW,
    DeadlinePolicy,
    compute_deadline,
    notice_is_late,
    transfer_is_late,
)
from gateway.rules.duty import check_duty_purpose
from gateway.rules.grounds import check_grounds
from gateway.rules.hardship import SubsistenceStandards, hardship_flags, load_standards
from gateway.rules.identity import normalize_person
from gateway.rules.linking import SAME_NOTICE, relate
from gateway.rules.routing import RoutingTable, route_request
from gateway.security.privacy import mask_id_number, mask_name
from gateway.service.messages import request_message
from gateway.service.ports import Accepted, Clock, RawPayload, ReferenceTaken, RequestStore, StoredRequest, UnitOfWork
from gateway.tracing import current_traceparent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    """What the agency is told once its message is durably stored."""

    request_id: str
    kind: Kind
    state: RequestState
    created: bool  # False when this was a resend of an already stored message
    centre_code: str
    deadline: Deadline
    reference: str = ""  # the agency's reference, `<reference>#2` … for the second and later persons
    companions: tuple["Receipt", ...] = ()  # the other persons' requests, when one document named several


def new_request_id() -> str:
    """A new gateway id."""
    return str(uuid.uuid4())


class Intake:
    """Accepts an agency's submission: at most one stored request per (agency, reference, kind).

    `matrix` is the authorization matrix the agency folders declare (adapters.registry.permissions()).
    """

    def __init__(
        self,
        store: RequestStore,
        clock: Clock,
        calendar: WorkCalendar,
        routing: RoutingTable,
        policy: DeadlinePolicy,
        new_id: Callable[[], str] = new_request_id,
        standards: SubsistenceStandards | None = None,
        *,
        matrix: Matrix,
    ) -> None:
        self._store = store
        self._matrix = matrix
        self._standards = standards if standards is not None else load_standards()
        self._clock = clock
        self._calendar = calendar
        self._routing = routing
        self._policy = policy
        self._new_id = new_id

    def accept(
        self, agency: Agency, service: AgencyType, channel: Channel, submission: Submission, raw: RawPayload
    ) -> Receipt:
        """Validate and store a submission; a resend returns the stored receipt unchanged.

        A document naming several persons is stored as one request each, all or none: the receipt is the first
        person's, with the others' as its companions.
        """
        decision = authorize(
            agency, service, submission.kind, submission.case.stage, submission.case.district, self._matrix
        )
        hidden = hidden_characters(submission)
        if hidden:
            raise InvalidInput("text fields must be plain text; see errors", errors=hidden)
        received_at = self._clock.now()
        found_at = submission.case.ground_found_at
        if found_at is not None and found_at > received_at + CLOCK_SKEW:
            raise InvalidInput(
                "the ground cannot be found after the notice was sent; see errors",
                errors={"case.ground_found_at": ["after the notice was received"]},
            )
        application = submission.application
        if application is not None and application.applied_at > received_at + CLOCK_SKEW:
            raise InvalidInput(
                "the application cannot be made after it was forwarded; see errors",
                errors={"application.applied_at": ["after the transfer was received (LAL 39 counts from it)"]},
            )
        today = received_at.astimezone(CHINA_TZ).date()
        members = one_per_person(submission, today)
        said = replace(submission, person=members[0].person, co_persons=tuple(m.person for m in members[1:]))
        digest = submission_digest(said)
        digests = (digest, *earlier_digests(said))  # a resend matches any of them

        try:
            # One unit of work: the persons' other requests read in it, the writes at commit. A new notice is the
            # common case, so it is written without a resend check first: the store's unique key on (agency,
            # reference, kind) refuses a resend at commit (ReferenceTaken), answered then from the store.
            with self._store.unit() as uow:
                try:
                    requests = _linked(
                        [self._decide(uow, agency, channel, decision, member, received_at) for member in members]
                    )
                except GatewayError:
                    # A resend is answered from the store, whatever a date-dependent rule now says of it.
                    existing = uow.find_by_reference(agency.code, submission.reference, submission.kind)
                    if existing is None:
                        raise
                    return self._resend(uow, agency.code, members, existing, digests)
                trace = current_traceparent()  # the agency's call: the notice's trace
                for request in requests:
                    message = request_message(request, request_id=raw.request_id, traceparent=trace)
                    uow.record(Accepted(request, digest, raw, message, trace))
                uow.commit()
        except ReferenceTaken:
            return self._after_race(agency.code, submission, members, digests)
        for request in requests:
            log.info(
                "accepted request %s kind=%s agency=%s channel=%s person=%s id=%s centre=%s",
                request.id,
                request.kind.value,
                agency.code,
                channel.value,
                mask_name(request.person.name),
                mask_id_number(request.person.id_number),
                request.routing.centre_code,
            )
        first, *others = (
            Receipt(
                request.id,
                request.kind,
                request.state,
                True,
                request.routing.centre_code,
                request.deadline,
                request.source.reference,
            )
            for request in requests
        )
        return replace(first, companions=tuple(others))

    def _after_race(
        self, agency_code: str, submission: Submission, members: list[Submission], digests: tuple[str, ...]
    ) -> Receipt:
        """A key was taken at commit: a resend (or a concurrent one that won the race), answered from the store;
        or a companion's `<reference>#n` was used alone before, a conflict."""
        with self._store.unit() as uow:
            stored = uow.find_by_reference(agency_code, submission.reference, submission.kind)
            if stored is not None:
                return self._resend(uow, agency_code, members, stored, digests)
            for member in members[1:]:
                taken = uow.find_by_reference(agency_code, member.reference, member.kind)
                if taken is not None:
                    raise ReferenceConflict(taken.agency_code, taken.reference, taken.id)
        raise ReferenceTaken(submission.reference)  # taken, then gone: requests are never deleted

    def _decide(
        self,
        uow: UnitOfWork,
        agency: Agency,
        channel: Channel,
        decision: Decision,
        submission: Submission,
        received_at: datetime,
    ) -> LegalAidRequest:
        """One person's request: the rules of law that need the store, the flags, the deadline and the route."""
        today = received_at.astimezone(CHINA_TZ).date()
        person = submission.person
        flags = check_grounds(submission.kind, agency.type, submission.grounds, person, submission.case, today)
        check_duty_purpose(submission.kind, agency.type, submission.case.stage, submission.duty)
        related, link_flags = relate(
            submission.kind,
            submission.case.stage,
            agency.code,
            uow.same_person(person, agency.code, submission.case.stage),
        )
        request = self._build_request(agency, channel, submission, (*decision.flags, *flags, *link_flags), received_at)
        # The canonical case names the district decided on: the declared one, or the agency's own.
        return replace(request, related=related, case=replace(request.case, district=decision.jurisdiction))

    def _resend(
        self,
        uow: UnitOfWork,
        agency_code: str,
        members: list[Submission],
        first: StoredRequest,
        digests: tuple[str, ...],
    ) -> Receipt:
        """The stored receipts of a resend, the companions' with them; any difference is a conflict."""
        receipt = _resend_receipt(first, digests)
        companions = []
        for member in members[1:]:
            stored = uow.find_by_reference(agency_code, member.reference, member.kind)
            if stored is None:
                raise ReferenceConflict(first.agency_code, first.reference, first.id)
            companions.append(_resend_receipt(stored, digests))
        return replace(receipt, companions=tuple(companions))

    def _build_request(
        self, agency: Agency, channel: Channel, submission: Submission, flags: tuple[str, ...], received_at: datetime
    ) -> LegalAidRequest:
        deadline = compute_deadline(
            submission.kind, received_at, submission.person, submission.duty, self._calendar, self._policy
        )
        application = submission.application
        if application is not None and transfer_is_late(application.applied_at, received_at):
            flags = (*flags, "late_transfer")  # LAL 39: forwarded more than 24 hours after the application
        routing = route_request(submission.kind, agency, self._routing, submission.case.handling_organ_seat)
        # Shandong regulation art. 8, LAL 41, 42: the decider's pre-check, as flags only.
        flags = (*flags, *hardship_flags(application, self._routing.seat_of(routing.centre_code), self._standards))
        if not self._calendar.is_confirmed(deadline.due_at.astimezone(CHINA_TZ).year):
            flags = (*flags, "calendar_unconfirmed")  # CPL 105 needs the State Council's notice for that year
        found_at = submission.case.ground_found_at
        detained = submission.person.custody.detained
        if found_at is not None and notice_is_late(found_at, received_at, detained=detained, calendar=self._calendar):
            flags = (*flags, "late_notice")  # LAL 36: notified more than 3 days after the ground was found
        source = Source(
            agency_type=agency.type,
            agency_code=agency.code,
            agency_name=agency.name,
            agency_district=agency.district,
            channel=channel,
            reference=submission.reference,
            received_at=received_at,
        )
        return LegalAidRequest(
            id=self._new_id(),
            kind=submission.kind,
            source=source,
            case=submission.case,
            person=submission.person,
            contact=submission.contact,
            grounds=submission.grounds,
            duty=submission.duty,
            application=application,
            attachments=submission.attachments,
            deadline=deadline,
            routing=routing,
            flags=flags,
            notes=submission.notes,
        )


def one_per_person(submission: Submission, today: date) -> list[Submission]:
    """The submission once per person it names, each normalized (GB 11643, age on `today`), the first under the
    document's reference and the others under `<reference>#2`, `#3` …; the same person twice is refused."""
    members: list[Submission] = []
    seen: dict[str, int] = {}
    for index, person in enumerate((submission.person, *submission.co_persons)):
        try:
            person = normalize_person(person, on=today)
        except GatewayError as exc:
            exc.errors = {_person_path(path, index): messages for path, messages in exc.errors.items()}
            raise
        if person.id_number and person.id_number in seen:
            raise InvalidInput(
                "the document names the same person twice; see errors",
                errors={_person_path("person.id_number", index): [f"the same as person {seen[person.id_number] + 1}"]},
            )
        if person.id_number:
            seen[person.id_number] = index
        reference = submission.reference if index == 0 else f"{submission.reference}#{index + 1}"
        members.append(replace(submission, reference=reference, person=person, co_persons=()))
    return members


def _person_path(path: str, index: int) -> str:
    """`person.x` of the n-th person named: itself for the first, `co_persons.<n-2>.x` for the others."""
    if index == 0 or not path.startswith("person"):
        return path
    return f"co_persons.{index - 1}{path.removeprefix('person')}"


def _linked(requests: list[LegalAidRequest]) -> list[LegalAidRequest]:
    """Each person's request names the others of the same document, so the centre can see them together."""
    if len(requests) < 2:
        return requests
    return [
        replace(
            request,
            related=(
                *request.related,
                *(
                    Related(other.id, SAME_NOTICE, other.case.stage, other.source.agency_code)
                    for other in requests
                    if other.id != request.id
                ),
            ),
        )
        for request in requests
    ]


def submission_digest(submission: Submission) -> str:
    """A digest of what the agency said, independent of transport and arrival time: no person's age on the day
    (whether a person is a minor is worked out from the birth date on the day received)."""
    co_persons = tuple(replace(person, minor=None) for person in submission.co_persons)
    return _digest(replace(submission, person=replace(submission.person, minor=None), co_persons=co_persons))


def earlier_digests(submission: Submission) -> tuple[str, ...]:
    """The digest a document naming several persons was stored under before 2026-12-05, with the further persons'
    age on the day in it; none where it is the same as `submission_digest`'s."""
    if not submission.co_persons:
        return ()
    return (_digest(replace(submission, person=replace(submission.person, minor=None))),)


def _digest(submission: Submission) -> str:
    canonical = json.dumps(submission, default=_digest_data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _digest_data(value: Any) -> Any:
    """What the digest's JSON writes for a value it cannot write itself: a dataclass as `dataclasses.asdict` would
    give it (without its copies), anything else as its text. Fields added since digests were first stored are
    left out while empty, so a message without them keeps the digest it had before they existed."""
    if not is_dataclass(value) or isinstance(value, type):
        return str(value)
    data = {name: getattr(value, name) for name in field_names(type(value))}
    if isinstance(value, Case):
        for optional in ("district", "ground_found_at", "handling_organ_seat"):
            if data[optional] is None:
                del data[optional]
    elif isinstance(value, Submission) and not data["co_persons"]:
        del data["co_persons"]
    return data


def _resend_receipt(existing: StoredRequest, digests: tuple[str, ...]) -> Receipt:
    if existing.digest not in digests:
        raise ReferenceConflict(existing.agency_code, existing.reference, existing.id)
    deadline = Deadline(existing.due_at, existing.deadline_obligation, existing.deadline_basis)
    return Receipt(
        existing.id, existing.kind, existing.state, False, existing.centre_code, deadline, existing.reference
    )
