"""The court's dialect to the canonical model: pure functions, no I/O."""

from typing import Any

from adapters.common import to_attachments
from gateway.domain.enums import Kind
from gateway.domain.model import Case, Contact, Custody, DutyAppointment, Person, Submission

# Canonical field paths as the court's dialect names them, for error messages.
FIELD_NAMES = {
    "case.district": "case_district",
    "person": "defendant",
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
    judge = notice["judge"]
    return Submission(
        kind=Kind.NOTIFY_DEFENSE,
        reference=notice["notice_number"],
        case=Case(
            number=notice["case_number"],
            district=notice.get("case_district"),
            stage=notice["trial_stage"],
            charges=tuple(notice["charges"]),
            procedure=notice.get("procedure"),
            offence_date=notice.get("offence_date"),
            hearing_at=hearing.get("scheduled_at"),
            hearing_place=hearing.get("courtroom"),
            ground_found_at=notice.get("ground_found_at"),
        ),
        person=_person(notice["defendant"]),
        contact=Contact(name=judge["name"], phone=judge["phone"], title=judge.get("role")),
        grounds=tuple(notice["grounds"]),
        attachments=to_attachments(notice["attachments"]),
        notes=notice.get("remarks"),
    )


def duty_request_to_submission(request: dict[str, Any]) -> Submission:
    """A court's duty-lawyer request as a canonical submission (LAL 30, 37; CPL 36)."""
    judge = request["judge"]
    duty = DutyAppointment(
        purpose=request["purpose"], scheduled_at=request.get("scheduled_at"), place=request.get("location")
    )
    return Submission(
        kind=Kind.DUTY_LAWYER,
        reference=request["request_number"],
        case=Case(
            number=request["case_number"],
            district=request.get("case_district"),
            stage=request["trial_stage"],
            charges=tuple(request["charges"]),
            procedure=request.get("procedure"),
        ),
        person=_person(request["defendant"]),
        contact=Contact(name=judge["name"], phone=judge["phone"], title=judge.get("role")),
        duty=duty,
        notes=request.get("remarks"),
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
