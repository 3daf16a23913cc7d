"""Properties of the adapters' mappings over generated dialect payloads: total, and faithful to what was sent."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from adapters.court import mapping as court
from adapters.court.schemas import CourtDefenseNoticeSchema
from adapters.police import mapping as police
from adapters.police.schemas import ApplicationTransferSchema, PoliceDutyLawyerRequestSchema
from adapters.procuratorate import mapping as procuratorate
from adapters.procuratorate.schemas import DutyLawyerRequestSchema, ProcuratorateDefenseNoticeSchema
from adapters.registry import kinds_for, permissions
from gateway.domain.enums import AgencyType, Channel, Kind, Level
from gateway.domain.model import Agency, Submission
from gateway.errors import InvalidInput, KindNotAllowed, NoRoute, OutsideJurisdiction
from gateway.rules.calendar import load_calendar
from gateway.rules.deadlines import CHINA_TZ, DeadlinePolicy
from gateway.rules.routing import load_routing_table
from gateway.service.intake import Intake
from gateway.service.ports import RawPayload
from tests.support.payloads import payloads, resident_ids
from tests.unit.fakes import FixedClock, InMemoryStore

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=CHINA_TZ)
PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Resource:
    """One agency resource: its dialect, its mapping, and where the dialect keeps the reference and the person."""

    schema: type[Schema]
    to_submission: Callable[[dict[str, Any]], Submission]
    agency_type: AgencyType
    district: str
    kind: Kind
    reference: str
    person: tuple[str, ...]  # path to the person's object
    id_number: tuple[str, ...]  # path from the person to the ID number, beside its type


RESOURCES = {
    "court notice": Resource(
        CourtDefenseNoticeSchema,
        court.defense_notice_to_submission,
        AgencyType.COURT,
        "370202",
        Kind.NOTIFY_DEFENSE,
        "notice_number",
        ("defendant",),
        ("id_number",),
    ),
    "procuratorate notice": Resource(
        ProcuratorateDefenseNoticeSchema,
        procuratorate.defense_notice_to_submission,
        AgencyType.PROCURATORATE,
        "370200",
        Kind.NOTIFY_DEFENSE,
        "document_number",
        ("suspect",),
        ("identity", "number"),
    ),
    "procuratorate duty lawyer": Resource(
        DutyLawyerRequestSchema,
        procuratorate.duty_request_to_submission,
        AgencyType.PROCURATORATE,
        "370200",
        Kind.DUTY_LAWYER,
        "document_number",
        ("suspect",),
        ("identity", "number"),
    ),
    "police transfer": Resource(
        ApplicationTransferSchema,
        police.application_transfer_to_submission,
        AgencyType.POLICE,
        "370203",
        Kind.APPLICATION_TRANSFER,
        "transfer_number",
        ("detainee",),
        ("id_no",),
    ),
    "police duty lawyer": Resource(
        PoliceDutyLawyerRequestSchema,
        police.duty_request_to_submission,
        AgencyType.POLICE,
        "370203",
        Kind.DUTY_LAWYER,
        "request_number",
        ("detainee",),
        ("id_no",),
    ),
}


def _at(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


@st.composite
def documents(draw: st.DrawFn, resource: Resource) -> dict[str, Any]:
    """A generated payload of the dialect; half the time with a valid resident ID number in place."""
    document = draw(payloads(resource.schema()))
    if draw(st.booleans()):
        holder = _at(document, resource.person + resource.id_number[:-1])
        holder[resource.id_number[-1]] = draw(resident_ids())
        holder["type" if "type" in holder else "id_type"] = "resident_id"
    return document


def _loaded(resource: Resource, document: dict[str, Any]) -> dict[str, Any] | None:
    try:
        loaded: dict[str, Any] = resource.schema().load(document)
    except ValidationError:
        return None  # the documented refusal at the edge: a 422 with per-field messages
    return loaded


@pytest.mark.parametrize("name", RESOURCES)
@PROPERTIES
@given(data=st.data())
def test_the_mapping_keeps_the_kind_the_reference_and_the_persons_identity(name: str, data: st.DataObject) -> None:
    resource = RESOURCES[name]
    document = data.draw(documents(resource))
    loaded = _loaded(resource, document)
    if loaded is None:
        return

    submission = resource.to_submission(loaded)

    person = _at(loaded, resource.person)
    assert submission.kind is resource.kind
    assert submission.reference == loaded[resource.reference]
    assert submission.person.id_number == _at(person, resource.id_number[:-1]).get(resource.id_number[-1])
    assert submission.person.name == person.get("name", person.get("full_name"))
    assert submission.case.number == loaded["case_number"]


@pytest.mark.parametrize("name", RESOURCES)
@PROPERTIES
@given(data=st.data())
def test_intake_of_a_mapped_payload_accepts_or_refuses_with_a_validation_error(name: str, data: st.DataObject) -> None:
    resource = RESOURCES[name]
    loaded = _loaded(resource, data.draw(documents(resource)))
    if loaded is None:
        return
    level = Level.CITY if resource.district.endswith("00") else Level.DISTRICT
    agency = Agency("a1", "机关", resource.agency_type, level, resource.district, kinds_for(resource.agency_type))
    store = InMemoryStore()
    intake = Intake(
        store, FixedClock(NOW), load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions()
    )

    submission = resource.to_submission(loaded)
    try:
        receipt = intake.accept(
            agency, resource.agency_type, Channel.REST, submission, RawPayload("application/json", b"{}")
        )
    # The rules of law, never a crash; NoRoute: an application's handling organ sits where no centre is configured.
    except (InvalidInput, KindNotAllowed, OutsideJurisdiction, NoRoute):
        assert not store.stored and not store.outbox
        return

    assert (receipt.created, receipt.kind) == (True, resource.kind)
    assert receipt.deadline.due_at >= NOW
    # One request, and one message to the queue, for each person the document names.
    persons = 1 + len(submission.co_persons)
    assert len(store.stored) == len(store.outbox) == persons
    assert len(receipt.companions) == persons - 1
