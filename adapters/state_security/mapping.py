"""The state security dialect to the canonical model: pure functions, no I/O. Its cases are in investigation
(CPL 4: the police's powers, in the cases it handles)."""

from typing import Any

from adapters.common import to_application
from gateway.domain.enums import Kind, Stage
from gateway.domain.model import Case, Contact, Custody, DutyAppointment, Person, Submission

FIELD_NAMES = {
    "case.district": "case_district",
    "case.ground_found_at": "ground_found_at",
    "duty.purpose": "purpose",
    "person": "suspect",
    "co_persons": "other_suspects",
}


def defense_notice_to_submission(document: dict[str, Any]) -> Submission:
    """A notify-defense notice as a canonical submission (investigation: LAL 25, 36; CPL 4, 35)."""
    return _submission(
        Kind.NOTIFY_DEFENSE,
        document,
        grounds=tuple(document["grounds"]),
        ground_found_at=document.get("ground_found_at"),
    )


def duty_request_to_submission(document: dict[str, Any]) -> Submission:
    """A duty-lawyer request as a canonical submission, each further suspect with his own detention."""
    duty = DutyAppointment(
        purpose=document["purpose"], scheduled_at=document.get("scheduled_at"), place=document.get("location")
    )
    others = tuple(_person(suspect, suspect["detention"]) for suspect in document["other_suspects"])
    return _submission(Kind.DUTY_LAWYER, document, duty=duty, co_persons=others)


def application_transfer_to_submission(document: dict[str, Any]) -> Submission:
    """A forwarded application of a detained suspect as a canonical submission (LAL 39)."""
    return _submission(Kind.APPLICATION_TRANSFER, document, application=to_application(document["application"]))


def _submission(kind: Kind, document: dict[str, Any], ground_found_at: Any = None, **extra: Any) -> Submission:
    officer = document["officer"]
    return Submission(
        kind=kind,
        reference=document["document_number"],
        case=Case(
            number=document["case_number"],
            stage=Stage.INVESTIGATION,
            charges=tuple(document["suspected_offences"]),
            district=document.get("case_district"),
            ground_found_at=ground_found_at,
        ),
        person=_person(document["suspect"], document.get("detention")),
        contact=Contact(name=officer["name"], phone=officer["phone"], title=officer.get("unit")),
        notes=document.get("remarks"),
        **extra,
    )


def _person(suspect: dict[str, Any], detention: dict[str, Any] | None) -> Person:
    return Person(
        name=suspect["name"],
        id_type=suspect["id_type"],
        id_number=suspect.get("id_number"),
        gender=suspect.get("gender"),
        birth_date=suspect.get("birth_date"),
        nationality=suspect.get("nationality"),
        language=suspect.get("language"),
        interpreter_needed=suspect["needs_interpreter"],
        disabilities=tuple(suspect["disabilities"]),
        custody=(
            Custody(detained=True, facility=detention["facility"], since=detention["detained_at"])
            if detention
            else Custody(detained=False)
        ),
    )
