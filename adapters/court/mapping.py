"""The court's dialect to the canonical model: pure functions, no I/O."""

from typing import Any

from adapters.common import to_application, to_attachments
from gateway.domain.enums import Kind
from gateway.domain.model import Case, Contact, Custody, DutyAppointment, Person, Submission

# Canonical field paths as the court's dialect names them, for error messages.
FIELD_NAMES = {
    "case.district": "case_district",
    "person": "defendant",
    "co_persons": "other_defendants",
    "person.id_number": "defendant.id_number",
    "person.birth_date": "defendant.birth_date",
    "person.gender": "defendant.gender",
    "case.stage": "trial_stage",
    "case.ground_found_at": "ground_found_at",
    "duty.purpose": "purpose",
}


def defense_notice_to_submission(notice: dict[str, Any]) -> Submission:
    """A court's notify-defense notice as a canonical submission."""
    hearing = notice.get("hearing") or {}
    case = _case(
        notice,
        offence_date=notice.get("offence_date"),
        hearing_at=hearing.get("scheduled_at"),
        hearing_place=hearing.get("courtroom"),
        ground_found_at=notice.get("ground_found_at"),
    )
    return _submission(Kind.NOTIFY_DEFENSE, notice["notice_number"], notice, case, grounds=tuple(notice["grounds"]))


def duty_request_to_submission(request: dict[str, Any]) -> Submission:
    """A court's duty-lawyer request as a canonical submission (LAL 30, 37; CPL 36)."""
    duty = DutyAppointment(
        purpose=request["purpose"], scheduled_at=request.get("scheduled_at"), place=request.get("location")
    )
    others = tuple(_person(defendant) for defendant in request["other_defendants"])
    return _submission(
        Kind.DUTY_LAWYER, request["request_number"], request, _case(request), duty=duty, co_persons=others
    )


def application_transfer_to_submission(transfer: dict[str, Any]) -> Submission:
    """A detained defendant's application the court forwards (LAL 39); the court is the handling organ, so the
    application goes to its own centre (LAL 38)."""
    application = to_application(transfer["application"])
    return _submission(
        Kind.APPLICATION_TRANSFER, transfer["transfer_number"], transfer, _case(transfer), application=application
    )


def _case(document: dict[str, Any], **extra: Any) -> Case:
    return Case(
        number=document["case_number"],
        district=document.get("case_district"),
        stage=document["trial_stage"],
        charges=tuple(document["charges"]),
        procedure=document.get("procedure"),
        **extra,
    )


def _submission(kind: Kind, reference: str, document: dict[str, Any], case: Case, **extra: Any) -> Submission:
    judge = document["judge"]
    return Submission(
        kind=kind,
        reference=reference,
        case=case,
        person=_person(document["defendant"]),
        contact=Contact(name=judge["name"], phone=judge["phone"], title=judge.get("role")),
        attachments=to_attachments(document.get("attachments", ())),
        notes=document.get("remarks"),
        **extra,
    )


def _person(defendant: dict[str, Any]) -> Person:
    custody = defendant["custody"]
    return Person(
        name=defendant["name"],
        id_type=defendant["id_type"],
        id_number=defendant.get("id_number"),
        gender=defendant.get("gender"),
        birth_date=defendant.get("birth_date"),
        ethnicity=defendant.get("ethnicity"),
        nationality=defendant.get("nationality"),
        language=defendant.get("language"),
        interpreter_needed=defendant["needs_interpreter"],
        disabilities=tuple(defendant["disabilities"]),
        custody=Custody(
            detained=custody["status"] == "detained", facility=custody.get("facility"), since=custody.get("since")
        ),
    )
