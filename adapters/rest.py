"""An agency type's REST resources, built from its declaration: one POST per operation under /api/v1/<type>/."""

from typing import Any

from flask.typing import ResponseReturnValue

from adapters.examples import load_example
from adapters.registry import declarations
from gateway.contracts.agency import AgencyDeclaration, Operation
from gateway.web.intake_view import accept_rest
from gateway.web.json_body import Blueprint
from gateway.web.links import linked_responses
from schemas.receipt import ReceiptSchema


def rest_blueprint(agency: AgencyDeclaration) -> Blueprint:
    """The blueprint named after the type, with the folder's samples as the OpenAPI examples."""
    blp = Blueprint(
        agency.type.value,
        f"adapters.{agency.type}",
        url_prefix=f"/api/v1/{agency.type}",
        description=agency.description,
    )
    for operation in agency.operations:
        _post(blp, agency, operation)
    return blp


def _post(blp: Blueprint, agency: AgencyDeclaration, operation: Operation) -> None:
    def view(document: dict[str, Any]) -> ResponseReturnValue:
        return accept_rest(agency.type, operation.to_submission(document), agency.field_names)

    view.__name__ = "post_" + operation.resource.replace("-", "_")
    view.__doc__ = operation.summary
    resend = f"A resend of a stored {operation.noun}; nothing changed"
    decorators = (
        blp.post(f"/{operation.resource}"),
        blp.arguments(operation.schema, example=load_example(f"{agency.type}/{operation.sample}")),
        blp.response(202, ReceiptSchema, description="Stored; the assignment queue will have it"),
        blp.alt_response(200, schema=ReceiptSchema, description=resend),
        blp.doc(**linked_responses(202, 200)),
    )
    for decorate in reversed(decorators):
        view = decorate(view)


def rest_blueprints() -> list[Blueprint]:
    """Each declared type's REST resources (new blueprints per call: each app registers its own)."""
    return [rest_blueprint(found) for found in declarations()]
