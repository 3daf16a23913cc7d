"""The court's REST resources."""

from adapters.court.mapping import (
    FIELD_NAMES,
    application_transfer_to_submission,
    defense_notice_to_submission,
    duty_request_to_submission,
)
from adapters.court.schemas import (
    CourtApplicationTransferSchema,
    CourtDefenseNoticeSchema,
    CourtDutyLawyerRequestSchema,
)
from adapters.examples import load_example
from gateway.domain.enums import AgencyType
from gateway.web.intake_view import ResponseTuple, accept_rest
from gateway.web.json_body import Blueprint
from gateway.web.links import linked_responses
from schemas.receipt import ReceiptSchema

blp = Blueprint("court", __name__, url_prefix="/api/v1/court", description="Courts (人民法院)")


@blp.post("/defense-notices")
@blp.arguments(CourtDefenseNoticeSchema, example=load_example("court/defense-notices.json"))
@blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it")
@blp.alt_response(200, schema=ReceiptSchema, description="A resend of a stored notice; nothing changed")
@blp.doc(**linked_responses(202, 200))
def post_defense_notice(notice: dict) -> ResponseTuple:  # type: ignore[type-arg]
    """Notify the legal aid centre to assign a defence lawyer (通知辩护, LAL 25, 36)."""
    return accept_rest(AgencyType.COURT, defense_notice_to_submission(notice), FIELD_NAMES)


@blp.post("/duty-lawyer-requests")
@blp.arguments(CourtDutyLawyerRequestSchema, example=load_example("court/duty-lawyer-requests.json"))
@blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it")
@blp.alt_response(200, schema=ReceiptSchema, description="A resend of a stored request; nothing changed")
@blp.doc(**linked_responses(202, 200))
def post_duty_lawyer_request(request: dict) -> ResponseTuple:  # type: ignore[type-arg]
    """Ask for a duty lawyer for a defendant without a defender, e.g. at a fast-track trial (LAL 30, 37)."""
    return accept_rest(AgencyType.COURT, duty_request_to_submission(request), FIELD_NAMES)


@blp.post("/application-transfers")
@blp.arguments(CourtApplicationTransferSchema, example=load_example("court/application-transfers.json"))
@blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it")
@blp.alt_response(200, schema=ReceiptSchema, description="A resend of a stored transfer; nothing changed")
@blp.doc(**linked_responses(202, 200))
def post_application_transfer(transfer: dict) -> ResponseTuple:  # type: ignore[type-arg]
    """Forward a detained defendant's own legal aid application within 24 hours (转交申请, LAL 39)."""
    return accept_rest(AgencyType.COURT, application_transfer_to_submission(transfer), FIELD_NAMES)
