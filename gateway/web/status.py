"""A request's status, its withdrawal and the proof its decision was served, for the agency that sent it only."""

import base64
from typing import Any

from flask import Response
from flask.views import MethodView

from gateway.errors import RequestNotFound
from gateway.service.ports import StoredDocument
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


@blp.get("/<request_id>/documents/<document_id>")
@blp.doc(
    responses={
        "200": {
            "description": "The document (PDF); `Repr-Digest` carries its SHA-256, as the status and callbacks do",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {"Repr-Digest": {"description": "sha-256=:<base64>: (RFC 9530)", "schema": {"type": "string"}}},
        }
    }
)
@blp.alt_response(404, description="No such document of a request the caller sent or was routed")
def get_document(request_id: str, document_id: str) -> Response:
    """An official document the centre's decision issued (指派通知书, 决定书 …), for the sender or the centre."""
    status_of(services().requests, request_id, current_agency())  # 404 unless the caller may read the request
    document = services().documents.get(request_id, document_id)
    if document is None or document.content is None:
        raise RequestNotFound(f"request {request_id} has no document {document_id}")
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode("ascii")
    return Response(
        document.content,
        mimetype=document.media_type,
        headers={
            "Repr-Digest": f"sha-256=:{digest}:",
            "ETag": f'"{document.sha256}"',
            "Content-Disposition": f'inline; filename="{document.id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


def document_reference(document: StoredDocument) -> dict[str, Any]:
    """A stored document as DocumentReferenceSchema names it."""
    return {
        "id": document.id,
        "kind": document.kind,
        "title": document.title,
        "number": document.number,
        "media_type": document.media_type,
        "sha256": document.sha256,
        "url": f"/api/v1/requests/{document.request_id}/documents/{document.id}",
        "issued_at": document.issued_at,
    }


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
        "issued_documents": [document_reference(document) for document in services().documents.of_request(stored.id)],
        "related": [RelatedSchema().load(entry) for entry in status.related],
        "flags": list(status.flags),
    }
