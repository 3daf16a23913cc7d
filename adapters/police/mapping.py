"""The police dialect to the canonical model: pure functions, no I/O."""

from dataclasses import replace
from typing import Any

from adapters.common import to_application
from gateway.domain.enums import Kind, Stage
from gateway.domain.model import (
    Case,
    Contact,
    Custody,
    DutyAppointment,
    OrganSeat,
    Person,
    Submission,
)

FIELD_NAMES = {
    "case.district": "case_district",
    "case.stage": "stage",
    "case.ground_found_at": "ground_found_at",
    "duty.purpose": "purpose",
    "person": "detainee",
    "co_persons": "other_detainees",
    "person.id_number": "detainee.id_no",
    "person.birth_date": "detainee.birth_date",
    "person.gender": "detainee.gender",
}


def application_transfer_to_submission(document: dict[str, Any]) -> Submission:
    """A forwarded detainee's application as a canonical submission."""
    application = to_application(document["application"])
    return _held_case(
        _submission(Kind.APPLICATION_TRANSFER, document["transfer_number"], document, application=application), document
    )


def defense_notice_to_submission(document: dict[str, Any]) -> Submission:
    """A police notify-defense notice as a canonical submission (investigation: LAL 36; CPL 35, 278)."""
    submission = _submission(
        Kind.NOTIFY_DEFENSE, document["notice_number"], document, grounds=tuple(document["grounds"])
    )
    case = replace(submission.case, ground_found_at=document.get("ground_found_at"))
    return replace(submission, case=case)


def duty_request_to_submission(document: dict[str, Any]) -> Submission:
    """A police duty-lawyer request as a canonical submission."""
    duty = DutyAppointment(
        purpose=document["purpose"], scheduled_at=document.get("scheduled_at"), place=document.get("location")
    )
    others = tuple(_person(detainee, detainee["detention"]) for detainee in document["other_detainees"])
    submission = _submission(Kind.DUTY_LAWYER, document["request_number"], document, duty=duty, co_persons=others)
    return _held_case(submission, document)


def _held_case(submission: Submission, document: dict[str, Any]) -> Submission:
    """The stage the message names, and the organ handling the case where it names one (LAL 38)."""
    organ = document.get("handling_organ")
    case = replace(submission.case, stage=document["stage"])
    if organ:
        seat = OrganSeat(level=organ["level"], district=organ["district"], code=organ.get("code"))
        case = replace(case, handling_organ=organ["name"], handling_organ_seat=seat)
    return replace(submission, case=case)


def _submission(kind: Kind, reference: str, document: dict[str, Any], **extra: Any) -> Submission:
    officer = document["officer"]
    return Submission(
        kind=kind,
        reference=reference,
        # A bureau's cases are in investigation (CPL 3, 19); a detention centre's messages name their stage.
        case=Case(
            number=document["case_number"],
            stage=Stage.INVESTIGATION,
            charges=tuple(document["suspected_offences"]),
            district=document.get("case_district"),
        ),
        person=_person(document["detainee"], document.get("detention")),
        contact=Contact(name=officer["name"], phone=officer["phone"], title=officer.get("unit")),
        notes=document.get("remarks"),
        **extra,
    )


def _person(detainee: dict[str, Any], detention: dict[str, Any] | None) -> Person:
    return Person(
        name=detainee["name"],
        id_type=detainee["id_type"],
        id_number=detainee.get("id_no"),
        gender=detainee.get("gender"),
        birth_date=detainee.get("birth_date"),
        nationality=detainee.get("nationality"),
        language=detainee.get("language"),
        interpreter_needed=detainee["needs_interpreter"],
        disabilities=tuple(detainee["disabilities"]),
        custody=(
            Custody(detained=True, facility=detention["centre"], since=detention["detained_at"])
            if detention
            else Custody(detained=False)
        ),
    )
