"""The example messages of the bus contract: the court's sample notice through the gateway's own code (its REST
dialect, mapping and intake, on a store that only keeps the outbox message), and its withdrawal."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from devtools.asyncapi import EXAMPLE_ID, EXAMPLE_NOTICE, EXAMPLE_RECEIVED_AT
from gateway.domain.documents import DocumentKind
from gateway.domain.enums import AgencyType, Channel, Kind, Stage, WithdrawalReason
from gateway.domain.model import Person, PersonMatch, Withdrawal
from gateway.service.messages import withdrawal_message
from gateway.service.ports import Accepted, OutboxMessage, RawPayload, Recorded, StoredRequest


@dataclass
class _FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at


class _CapturingStore:
    """The intake's store for one new request: nothing stored before, the accepted events kept."""

    def __init__(self) -> None:
        self.added: list[Accepted] = []

    def unit(self) -> "_CapturingStore":
        return self

    def __enter__(self) -> "_CapturingStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def find_by_reference(self, agency_code: str, reference: str, kind: Kind) -> StoredRequest | None:
        return None

    def get(self, request_id: str) -> StoredRequest | None:
        return None

    def same_person(self, person: Person, agency_code: str, stage: Stage) -> list[PersonMatch]:
        return []

    def record(self, event: Recorded) -> None:
        if isinstance(event, Accepted):
            self.added.append(event)

    def reserve_document_number(self, centre_code: str, kind: DocumentKind, year: int) -> int:
        return 1  # the intake issues no document

    def commit(self) -> None:
        return None


def example_messages() -> dict[str, OutboxMessage]:
    """The court's sample notice through its REST dialect, mapping and the intake, and its withdrawal."""
    # Imported here, as in the app factory, so the core never imports an adapter.
    from adapters.court.mapping import defense_notice_to_submission
    from adapters.court.schemas import CourtDefenseNoticeSchema
    from adapters.examples import load_example
    from adapters.registry import permissions
    from devtools.demo import DEMO_AGENCIES
    from gateway.rules.calendar import load_calendar
    from gateway.rules.deadlines import DeadlinePolicy
    from gateway.rules.routing import load_routing_table
    from gateway.service.intake import Intake

    notice = load_example(EXAMPLE_NOTICE)
    if notice is None:  # installed without the examples
        return {}
    store, court = _CapturingStore(), DEMO_AGENCIES[0].agency
    clock = _FixedClock(EXAMPLE_RECEIVED_AT)
    intake = Intake(
        store, clock, load_calendar(), load_routing_table(), DeadlinePolicy(), lambda: EXAMPLE_ID, matrix=permissions()
    )
    submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(notice))
    raw = RawPayload("application/json", json.dumps(notice, ensure_ascii=False).encode("utf-8"))
    intake.accept(court, AgencyType.COURT, Channel.REST, submission, raw)
    [accepted] = store.added
    request, message = accepted.request, accepted.message
    withdrawal = Withdrawal(
        request_id=request.id,
        kind=request.kind,
        agency_code=court.code,
        reference=request.source.reference,
        centre_code=request.routing.centre_code,
        reason=WithdrawalReason.RETAINED_LAWYER,
        note=None,
        at=EXAMPLE_RECEIVED_AT + timedelta(days=1),
    )
    return {"request": message, "withdrawal": withdrawal_message(withdrawal)}
