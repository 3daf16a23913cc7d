"""The REST side of intake shared by all adapters: credentials in, receipt out."""

from collections.abc import Mapping
from typing import Any

from flask import g, request, url_for

from gateway.domain.enums import AgencyType, Channel
from gateway.domain.model import Submission
from gateway.errors import GatewayError
from gateway.service.intake import Receipt
from gateway.service.ports import RawPayload
from gateway.web.auth import current_agency
from gateway.web.context import services
from gateway.web.request_ids import current_request_id

ResponseTuple = tuple[dict[str, Any], int, dict[str, str]]


def accept_rest(service: AgencyType, submission: Submission, field_names: Mapping[str, str]) -> ResponseTuple:
    """Run the intake for a REST message: 202 when new, 200 for a resend, Location of the status."""
    raw = RawPayload(content_type=request.mimetype, body=request.get_data(), request_id=current_request_id())
    g.intake_kind = submission.kind.value
    try:
        receipt = services().intake.accept(current_agency(), service, Channel.REST, submission, raw)
    except GatewayError as exc:  # a refusal names its fields as the dialect does
        exc.errors = {dialect_path(path, field_names): msgs for path, msgs in exc.errors.items()}
        raise
    location = url_for("requests.get_request", request_id=receipt.request_id)
    return receipt_body(receipt, location), 202 if receipt.created else 200, {"Location": location}


def receipt_body(receipt: Receipt, status_url: str) -> dict[str, Any]:
    """The receipt as the ReceiptSchema dumps it; the companions' only when the document named several persons."""
    body: dict[str, Any] = {
        "id": receipt.request_id,
        "kind": receipt.kind,
        "state": receipt.state,
        "centre_code": receipt.centre_code,
        "deadline": receipt.deadline,
        "status_url": status_url,
    }
    if receipt.companions:
        body["companions"] = [
            {
                "id": companion.request_id,
                "reference": companion.reference,
                "state": companion.state,
                "centre_code": companion.centre_code,
                "deadline": companion.deadline,
                "status_url": url_for("requests.get_request", request_id=companion.request_id),
            }
            for companion in receipt.companions
        ]
    return body


def dialect_path(path: str, field_names: Mapping[str, str]) -> str:
    """Name a canonical field as the agency's own dialect calls it.

    The second and later persons of a document (`co_persons.<n>.x`) are named as the first person's field `x`
    is, under the dialect's list of further persons: `other_suspects.<n>.identity.number`.
    """
    head, _, rest = path.partition(".")
    if head == "co_persons" and head in field_names:
        index, _, inner = rest.partition(".")
        first = dialect_path(f"person.{inner}" if inner else "person", field_names)
        person = field_names.get("person", "person")
        return f"{field_names[head]}.{index}{first.removeprefix(person)}"
    for canonical, dialect in sorted(field_names.items(), key=lambda item: -len(item[0])):
        if path == canonical or path.startswith(canonical + "."):
            return dialect + path[len(canonical) :]
    return path
