"""The canonical legal-aid request on the bus (`legalaid.request/1`)."""

import json
from typing import Any

from marshmallow import Schema, fields, validate

from gateway.domain.enums import (
    ApplicationBasis,
    Channel,
    Disability,
    DutyPurpose,
    Gender,
    Ground,
    HardshipExemption,
    IdType,
    Kind,
    Level,
    Procedure,
    RequestState,
    Stage,
)
from gateway.domain.model import SCHEMA_VERSION, LegalAidRequest
from schemas.fields import SHA256_PATTERN, AgencyTypeField, aware_datetime, text


def _enum(enum: type[Any], **kwargs: Any) -> fields.Enum[Any]:
    return fields.Enum(enum, by_value=True, **kwargs)


class SourceSchema(Schema):
    agency_type = AgencyTypeField(required=True)
    agency_code = text(32, required=True)
    agency_name = text(200, required=True)
    agency_district = fields.String(required=True)
    channel = _enum(Channel, required=True)
    reference = text(100, required=True)
    received_at = aware_datetime(required=True)


class OrganSeatSchema(Schema):
    level = _enum(Level, required=True)
    district = fields.String(required=True)
    code = fields.String(allow_none=True)


class CaseSchema(Schema):
    number = text(100, required=True)
    stage = _enum(Stage, required=True)
    charges = fields.List(text(100), required=True)
    handling_organ = fields.String(allow_none=True)
    procedure = _enum(Procedure, allow_none=True)
    offence_date = fields.Date(allow_none=True)
    hearing_at = aware_datetime(allow_none=True)
    hearing_place = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    ground_found_at = aware_datetime(allow_none=True)
    handling_organ_seat = fields.Nested(OrganSeatSchema, allow_none=True)


class CustodySchema(Schema):
    detained = fields.Boolean(required=True)
    facility = fields.String(allow_none=True)
    since = aware_datetime(allow_none=True)


class PersonSchema(Schema):
    name = text(100, required=True)
    id_type = _enum(IdType, required=True)
    id_number = fields.String(allow_none=True)
    gender = _enum(Gender, allow_none=True)
    birth_date = fields.Date(allow_none=True)
    minor = fields.Boolean(allow_none=True)
    ethnicity = fields.String(allow_none=True)
    nationality = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    interpreter_needed = fields.Boolean(required=True)
    disabilities = fields.List(_enum(Disability), required=True)
    custody = fields.Nested(CustodySchema, required=True)


class ContactSchema(Schema):
    name = text(100, required=True)
    phone = text(30, required=True)
    title = fields.String(allow_none=True)


class DutySchema(Schema):
    purpose = _enum(DutyPurpose, required=True)
    scheduled_at = aware_datetime(allow_none=True)
    place = fields.String(allow_none=True)


class ApplicationSchema(Schema):
    applied_at = aware_datetime(required=True)
    basis = _enum(ApplicationBasis, required=True)
    declared_monthly_income = fields.String(allow_none=True)
    household_size = fields.Integer(allow_none=True)
    pledge_signed = fields.Boolean(required=True)
    exemption = _enum(HardshipExemption, allow_none=True)
    applicant_relation = fields.String(allow_none=True)


class AttachmentSchema(Schema):
    title = text(200, required=True)
    uri = text(500, required=True)
    sha256 = fields.String(required=True, validate=validate.Regexp(SHA256_PATTERN))
    media_type = fields.String(allow_none=True)


class DeadlineSchema(Schema):
    due_at = aware_datetime(required=True)
    obligation = fields.String(required=True)
    basis = fields.String(required=True)


class RoutingSchema(Schema):
    centre_code = fields.String(required=True)
    routing_key = fields.String(required=True)


class RelatedSchema(Schema):
    """Another request for the same person (an earlier stage of the case, a probable duplicate), or for another
    person named in the same document (same_notice)."""

    id = fields.String(required=True)
    relation = fields.String(
        required=True, validate=validate.OneOf(["earlier_stage", "probable_duplicate", "same_notice"])
    )
    stage = _enum(Stage, required=True)
    agency_code = fields.String(required=True)


class CanonicalRequestSchema(Schema):
    """The one message shape the legal aid centre consumes, whatever the agency or transport."""

    schema = fields.String(required=True, validate=validate.Equal(SCHEMA_VERSION))
    id = fields.String(required=True)
    kind = _enum(Kind, required=True)
    state = _enum(RequestState, required=True)
    source = fields.Nested(SourceSchema, required=True)
    case = fields.Nested(CaseSchema, required=True)
    person = fields.Nested(PersonSchema, required=True)
    contact = fields.Nested(ContactSchema, required=True)
    grounds = fields.List(_enum(Ground), required=True)
    duty = fields.Nested(DutySchema, allow_none=True)
    application = fields.Nested(ApplicationSchema, allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True)
    deadline = fields.Nested(DeadlineSchema, required=True)
    routing = fields.Nested(RoutingSchema, required=True)
    flags = fields.List(fields.String(), required=True)
    notes = fields.String(allow_none=True)
    related = fields.List(
        fields.Nested(RelatedSchema),
        load_default=list,
        metadata={"description": "the same person's requests at earlier stages, or a probable duplicate"},
    )


_SCHEMA = CanonicalRequestSchema()


def dump_request(request: LegalAidRequest) -> dict[str, Any]:
    """The canonical message as a JSON-ready dict."""
    dumped: dict[str, Any] = _SCHEMA.dump(request)
    return dumped


def encode_request(request: LegalAidRequest) -> bytes:
    """The canonical message as UTF-8 JSON bytes, as published on the bus."""
    return json.dumps(dump_request(request), ensure_ascii=False, sort_keys=True).encode("utf-8")


def validate_message(body: bytes) -> dict[str, Any]:
    """Load a message from the bus, raising marshmallow.ValidationError if it breaks the contract."""
    loaded: dict[str, Any] = _SCHEMA.loads(body.decode("utf-8"))
    return loaded
