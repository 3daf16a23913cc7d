"""One authenticated, schema-valid SOAP operation call, and what an operation does with it."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import g, url_for
from lxml import etree
from marshmallow import ValidationError

from gateway.contracts.dialect import element_path, to_dialect
from gateway.contracts.xsd import OperationContract
from gateway.domain.enums import AgencyType, Channel
from gateway.domain.model import Agency, Submission
from gateway.errors import GatewayError, InvalidInput
from gateway.service.ports import RawPayload
from gateway.web.context import services
from gateway.web.intake_view import dialect_path, receipt_body
from gateway.web.problems import flatten_messages
from gateway.web.soap.render import render_element


@dataclass(frozen=True)
class SoapCall:
    """The operation element of a request whose sender is known and whose body the XSD accepted."""

    contract: OperationContract
    namespace: str
    agency_type: AgencyType
    lists: frozenset[str]
    agency: Agency
    operation: etree._Element
    raw: RawPayload

    def load(self) -> dict[str, Any]:
        """The operation element read as the agency's dialect and loaded by the contract's request schema."""
        try:
            loaded: dict[str, Any] = self.contract.request_schema.load(to_dialect(self.operation, self.lists))
        except ValidationError as exc:
            errors = {
                element_path(self.contract.name, path): msgs for path, msgs in flatten_messages(exc.messages).items()
            }
            raise InvalidInput("the message does not match the schema; see errors", errors=errors) from exc
        return loaded

    @contextmanager
    def element_paths(self, field_names: Mapping[str, str]) -> Iterator[None]:
        """Name the fields of a refusal raised inside as the elements of this operation."""
        try:
            yield
        except GatewayError as exc:
            exc.errors = {
                element_path(self.contract.name, dialect_path(path, field_names)): msgs
                for path, msgs in exc.errors.items()
            }
            raise

    def accept(self, submission: Submission, field_names: Mapping[str, str]) -> etree._Element:
        """Run the intake; answer the receipt, as the REST 202/200 carries it, once the request is stored."""
        with self.element_paths(field_names):
            receipt = services().intake.accept(self.agency, self.agency_type, Channel.SOAP, submission, self.raw)
        g.intake_outcome = "accepted" if receipt.created else "resend"
        status_url = url_for("requests.get_request", request_id=receipt.request_id)
        return self.respond({**receipt_body(receipt, status_url), "created": receipt.created})

    def respond(self, data: Mapping[str, Any]) -> etree._Element:
        """The `<Operation>Response` element, dumped by the contract's response schema."""
        schema = self.contract.response_schema
        return render_element(self.namespace, self.contract.name + "Response", schema, schema.dump(data))
