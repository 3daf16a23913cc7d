"""The police and detention centres' REST resources."""

from adapters.examples import load_example
from adapters.police.mapping import (
    FIELD_NAMES,
    application_transfer_to_submission,
    defense_notice_to_submission,
    duty_request_to_submission,
)
from adapters.police.schemas import ApplicationTransferSchema, PoliceDefenseNoticeSchema, PoliceDutyLawyerRequestSchema
from gateway.domain.enums import AgencyType
from gateway.web.intake_view import ResponseTuple, accept_rest
from gateway.web.json_body import Blueprint
from gateway.web.links import linked_responses
from schemas.receipt import ReceiptSchema

blp = Blueprint(
    "police", __name__, url_prefix="/api/v1/police", description="Police and detention centres (公安机关, 看守所)"
)


@blp.post("/defense-notices")
@blp.arguments(PoliceDefenseNoticeSchema, example=load_example("police/defense-notices.json"))
@blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it")
@blp.alt_response(200, schema=ReceiptSchema, description="A resend of a stored notice; nothing changed")
@blp.doc(**linked_responses(202, 200))
def post_defense_notice(document: dict) -> ResponseTuple:  # type: ignore[type-arg]
    """Notify the legal aid centre to assign a defender for a suspect in investigation (通知辩护, LAL 25, 36)."""
    return accept_rest(AgencyType.POLICE, defense_notice_to_submission(document), FIELD_NAMES)


@blp.post("/application-transfers")
@blp.arguments(ApplicationTransferSchema, example=load_example("police/application-transfers.json"))
@blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it")
@blp.alt_response(200, schema=ReceiptSchema, description="A resend of a stored transfer; nothing changed")
@blp.doc(**linked_responses(202, 200))
def post_application_transfer(document: dict) -> ResponseTuple:  # type: ignore[type-arg]
    """Forward a detainee's own legal aid application (转交申请, LAL 39)."""
    return accept_rest(AgencyType.POLICE, application_transfer_to_submission(document), FIELD_NAMES)


@blp.post("/duty-lawyer-requests")
@blp.arguments(PoliceDutyLawyerRequestSchema, example=load_example("police/duty-lawyer-requests.json"))
@blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it")
@blp.alt_response(200, schema=ReceiptSchema, description="A resend of a stored request; nothing changed")
@blp.doc(**linked_responses(202, 200))
def post_duty_lawyer_request(document: dict) -> ResponseTuple:  # type: ignore[type-arg]
    """Ask for a duty lawyer for a detainee (LAL 30, 37)."""
    return accept_rest(AgencyType.POLICE, duty_request_to_submission(document), FIELD_NAMES)
