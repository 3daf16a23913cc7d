"""The procuratorate's dialect to the canonical model: pure functions, no I/O."""

from typing import Any

from adapters.common import to_application, to_attachments
from adapters.procuratorate.schemas import DETAINING_MEASURES
from gateway.domain.enums import Kind
from gateway.domain.model import Case, Contact, Custody, DutyAppointment, Person, Submission

FIELD_NAMES = {
    "case.district": "case_district",
    "duty.purpose": "purpose",
    "person": "suspect",
    "co_persons": "other_suspects",
    "person.id_number": "suspect.identity.number",
    "person.birth_date": "suspect.date_of_birth",
    "person.gender": "suspect.sex",
    "case.stage": "stage",
    "case.ground_found_at": "ground_found_at",
}


def defense_notice_to_submission(document: dict[str, Any]) -> Submission:
    """A procuratorate's notify-defense notice as a canonical submission."""
    return _submission(Kind.NOTIFY_DEFENSE, document, grounds=tuple(document["grounds"]))


def duty_request_to_submission(document: dict[str, Any]) -> Submission:
    """A procuratorate's duty-lawyer request as a canonical submission."""
    duty = DutyAppointment(
        purpose=document["purpose"], scheduled_at=document.get("scheduled_at"), place=document.get("location")
    )
    others = tuple(_person(suspect) for suspect in document["other_suspects"])
    return _submission(Kind.DUTY_LAWYER, document, duty=duty, co_persons=others)


def application_transfer_to_submission(document: dict[str, Any]) -> Submission:
    """A detained suspect's application the procuratorate forwards (LAL 39); as the handling organ, its own
    centre receives it (LAL 38)."""
    return _submission(Kind.APPLICATION_TRANSFER, document, application=to_application(document["application"]))


def _submission(kind: Kind, document: dict[str, Any], **extra: Any) -> Submission:
    prosecutor = document["prosecutor"]
    return Submission(
        kind=kind,
        reference=document["document_number"],
        case=Case(
            number=document["case_number"],
            district=document.get("case_district"),
            stage=document["stage"],
            charges=tuple(document["suspected_charges"]),
            offence_date=document.get("offence_date"),
            ground_found_at=document.get("ground_found_at"),
        ),
        person=_person(document["suspect"]),
        contact=Contact(name=prosecutor["name"], phone=prosecutor["telephone"], title=prosecutor.get("post")),
        attachments=to_attachments(document["attachments"]),
        notes=document.get("remarks"),
        **extra,
    )


def _person(suspect: dict[str, Any]) -> Person:
    measure = suspect["compulsory_measure"]
    return Person(
        name=suspect["full_name"],
        id_type=suspect["identity"]["type"],
        id_number=suspect["identity"].get("number"),
        gender=suspect.get("sex"),
        birth_date=suspect.get("date_of_birth"),
        ethnicity=suspect.get("ethnic_group"),
        nationality=suspect.get("nationality"),
        language=suspect.get("spoken_language"),
        interpreter_needed=suspect["interpreter_required"],
        disabilities=tuple(suspect["disabilities"]),
        custody=Custody(
            detained=measure["type"] in DETAINING_MEASURES, facility=measure.get("place"), since=measure.get("since")
        ),
    )
