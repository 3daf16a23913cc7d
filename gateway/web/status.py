"""A request's status, its withdrawal and the proof its decision was served, for the agency that sent it only."""

from typing import Any

from flask.views import MethodView

from gateway.service.request_status import RequestStatus, status_of
from gateway.web.auth import current_agency
from gateway.web.context import services
from gateway.web.json_body import Blueprint
from gateway.web.links import linked_responses
from schemas.answers import load_answer
from schemas.canonical import RelatedSchema
from schemas.materials import MaterialsSupplySchema
from schemas.proof_of_service import ProofOfServiceSchema
from schemas.receipt import StatusSchema
from schemas.withdrawal import WithdrawalSchema

blp = Blueprint("requests", __name__, url_prefix="/api/v1/requests", description="Status of a request")


@blp.route("/<request_id>", endpoint="get_request")
class RequestStatusView(MethodView):
    """One request's status."""

    @blp.response(200, StatusSchema)
    @blp.doc(**linked_responses(200))
    @blp.alt_response(404, description="No request with this id was sent by the caller")
    def get(self, request_id: str) -> dict[str, Any]:
        """Status and history of a request the caller sent."""
        return status_body(status_of(services().requests, request_id, current_agency()))


@blp.post("/<request_id>/withdrawal")
@blp.arguments(WithdrawalSchema, example={"reason": "retained_lawyer", "note": "家属已委托律师"})
@blp.response(200, StatusSchema, description="Withdrawn (or already withdrawn); the centre is told")
@blp.doc(**linked_responses(200))
@blp.alt_response(404, description="No request with this id was sent by the caller")
@blp.alt_response(409, description="The request can no longer be withdrawn")
def withdraw(withdrawal: dict[str, Any], request_id: str) -> dict[str, Any]:
    """Withdraw a notice: the centre stops work (`withdrawal.<centre>` on legalaid.requests)."""
    agency = current_agency()
    services().withdrawals.withdraw(agency, request_id, withdrawal["reason"], withdrawal.get("note"))
    return status_body(status_of(services().requests, request_id, agency))


@blp.post("/<request_id>/proof-of-service")
@blp.arguments(ProofOfServiceSchema, example={"served_at": "2026-11-27T15:00:00+08:00"})
@blp.response(200, StatusSchema, description="Recorded (or recorded before); the history shows `served`")
@blp.doc(**linked_responses(200))
@blp.alt_response(404, description="No request with this id was sent by the caller")
@blp.alt_response(409, description="The application is not decided yet, or was withdrawn")
def prove_service(proof: dict[str, Any], request_id: str) -> dict[str, Any]:
    """送达回证: the forwarder handed the centre's written decision to the applicant (LAL 43 ¶1, 39)."""
    agency = current_agency()
    services().proofs_of_service.record(agency, request_id, proof["served_at"])
    return status_body(status_of(services().requests, request_id, agency))


@blp.post("/<request_id>/materials")
@blp.arguments(
    MaterialsSupplySchema,
    example={
        "supplied_at": "2026-11-30T15:00:00+08:00",
        "documents": [
            {
                "title": "家庭成员收入证明",
                "url": "https://dossier.example.gov.cn/d/7f3a",
                "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            }
        ],
    },
)
@blp.response(200, StatusSchema, description="Supplied (or supplied before); the centre's review resumes")
@blp.doc(**linked_responses(200))
@blp.alt_response(404, description="No request with this id was sent by the caller")
@blp.alt_response(409, description="The request awaits no materials")
def supply_materials(supply: dict[str, Any], request_id: str) -> dict[str, Any]:
    """The missing materials the centre asked for (LAL 43 ¶2), by reference and digest; sent to the centre."""
    agency = current_agency()
    services().materials.supply(agency, request_id, supply["supplied_at"], supply["documents"])
    return status_body(status_of(services().requests, request_id, agency))


def status_body(status: RequestStatus) -> dict[str, Any]:
    """The status as StatusSchema dumps it."""
    stored = status.request
    return {
        "id": stored.id,
        "kind": stored.kind,
        "state": stored.state,
        "reference": stored.reference,
        "case_number": stored.case_number,
        "centre_code": stored.centre_code,
        "received_at": stored.received_at,
        "updated_at": stored.updated_at,
        "deadline": {
            "due_at": stored.due_at,
            "obligation": stored.deadline_obligation,
            "basis": stored.deadline_basis,
        },
        "history": [{"at": entry.at, "event": entry.event, "state": entry.state} for entry in status.history],
        **{kind: load_answer(kind, body) for kind, body in status.answers.items()},
        "related": [RelatedSchema().load(entry) for entry in status.related],
        "flags": list(status.flags),
    }
