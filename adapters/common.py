"""Mapping helpers every agency adapter uses for the parts the gateway itself defines."""

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import fields

from gateway.contracts.xsd import OperationContract
from gateway.domain.enums import AgencyType
from gateway.domain.model import Application, Attachment
from gateway.web.soap.service import SoapService
from schemas.notice import AcknowledgementSchema, AgencyReplySchema

EXAMPLE_FIELDS = ("title", "url", "sha256", "media_type")


def to_attachments(items: Iterable[Mapping[str, Any]]) -> tuple[Attachment, ...]:
    """Attachments by reference and digest (claim check)."""
    return tuple(
        Attachment(title=item["title"], uri=item["url"], sha256=item["sha256"], media_type=item.get("media_type"))
        for item in items
    )


def to_application(form: Mapping[str, Any]) -> Application:
    """The detainee's application form (schemas.dialect.ApplicationSchema) as the canonical application."""
    income = form.get("monthly_income_yuan")
    return Application(
        applied_at=form["applied_at"],
        basis=form["reason"],
        declared_monthly_income=None if income is None else str(income),
        household_size=form.get("household_size"),
        pledge_signed=form["pledge_signed"],
        exemption=form.get("exemption"),
        applicant_relation=form["applied_by"],
    )


def reply_callback(
    agency: str, agency_type: AgencyType, reference_name: str, runs_it: str
) -> tuple[SoapService, OperationContract]:
    """The callback service an agency runs to hear back, with its own name for its document number."""
    schema = type(
        f"{agency.capitalize()}ReplySchema",
        (AgencyReplySchema,),
        {
            "__doc__": f"The centre's reply, with the {agency}'s document number under its own name.",
            "reference": fields.String(
                required=True, data_key=reference_name, metadata={"description": f"the {agency}'s document number"}
            ),
        },
    )
    contract = OperationContract(
        "ReceiveLegalAidReply",
        schema,
        AcknowledgementSchema,
        "The legal aid centre's reply to a notice: the lawyer appointed or replaced, or the decision.",
    )
    service = SoapService(
        name=f"{agency}-callback",
        agency_type=agency_type,
        namespace=f"urn:legal-aid-gateway:{agency}:callback:1",
        title=f"Legal Aid Gateway: the service {runs_it} runs to receive the centre's replies",
        package=f"adapters.{agency}.wsdl",
        standard_operations=False,
    )
    service.declare(contract)
    return service, contract
