"""The procuratorate's REST resources."""

from adapters.examples import load_example
from adapters.procuratorate.mapping import (
    FIELD_NAMES,
    application_transfer_to_submission,
    defense_notice_to_submission,
    duty_request_to_submission,
)
from adapters.procuratorate.schemas import (
    DutyLawyerRequestSchema,
    ProcuratorateApplicationTransferSchema,
    ProcuratorateDefenseNoticeSchema,
)
from gateway.domain.enums import AgencyType
from gateway.web.intake_view import ResponseTuple, accept_rest
from gateway.web.json_body import Blueprint
from gateway.web.links import linked_responses
from schemas.receipt import ReceiptSchema

blp = Blueprint(
    "procuratorate", __name__, url_prefix="/api/v1/procuratorate", description="Procuratorates (人民检察院)"
)


@blp.post("/defense-notices")
@blp.arguments(ProcuratorateDefenseNoticeSchema, example=load_example("procuratorate/defense-notices.json"))
@blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it")
@blp.alt_response(200, schema=ReceiptSchema, description="A resend of a stored notice; nothing changed")
@blp.doc(**linked_responses(202, 200))
def post_defense_notice(document: dict) -> ResponseTuple:  # type: ignore[type-arg]
    """Notify the legal aid centre to assign a defence lawyer (LAL 25, 36)."""
    return accept_rest(AgencyType.PROCURATORATE, defense_notice_to_submission(document), FIELD_NAMES)


@blp.post("/duty-lawyer-requests")
@blp.arguments(DutyLawyerRequestSchema, example=load_example("procuratorate/duty-lawyer-requests.json"))
@blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it")
@blp.alt_response(200, schema=ReceiptSchema, description="A resend of a stored request; nothing changed")
@blp.doc(**linked_responses(202, 200))
def post_duty_lawyer_request(document: dict) -> ResponseTuple:  # type: ignore[type-arg]
    """Ask for a duty lawyer, e.g. at the signing of a plea agreement (LAL 30, CPL 174)."""
    return accept_rest(AgencyType.PROCURATORATE, duty_request_to_submission(document), FIELD_NAMES)


@blp.post("/application-transfers")
@blp.arguments(ProcuratorateApplicationTransferSchema, example=load_example("procuratorate/application-transfers.json"))
@blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it")
@blp.alt_response(200, schema=ReceiptSchema, description="A resend of a stored transfer; nothing changed")
@blp.doc(**linked_responses(202, 200))
def post_application_transfer(document: dict) -> ResponseTuple:  # type: ignore[type-arg]
    """Forward a detained suspect's own legal aid application within 24 hours (转交申请, LAL 39)."""
    return accept_rest(AgencyType.PROCURATORATE, application_transfer_to_submission(document), FIELD_NAMES)
