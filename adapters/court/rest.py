"""The court's REST resources."""

from adapters.court.mapping import FIELD_NAMES, defense_notice_to_submission
from adapters.court.schemas import CourtDefenseNoticeSchema
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
