"""GET /api/v1/requests/{id}: a request's status, for the agency that sent it only."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.errors import RequestNotFound
from gateway.web.auth import current_agency
from gateway.web.context import services
from schemas.receipt import StatusSchema

blp = Blueprint("requests", __name__, url_prefix="/api/v1/requests", description="Status of a request")


@blp.route("/<request_id>", endpoint="get_request")
class RequestStatus(MethodView):
    """One request's status."""

    @blp.response(200, StatusSchema)
    @blp.alt_response(404, description="No request with this id was sent by the caller")
    def get(self, request_id: str) -> dict[str, Any]:
        """Status and history of a request the caller sent."""
        store = services().requests
        stored = store.get(request_id)
        if stored is None or stored.agency_code != current_agency().code:
            # Another agency's request is reported as absent: its existence is not the caller's business.
            raise RequestNotFound(f"no request {request_id} was sent by this agency")
        history = [
            {"at": entry["at"], "event": entry["event"], "state": entry["to_state"]}
            for entry in store.audit_trail(request_id)
        ]
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
            "history": history,
        }
