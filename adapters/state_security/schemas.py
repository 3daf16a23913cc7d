"""The state security dialect: a bureau's document number, the suspect, where he is held, the investigator."""

from marshmallow import Schema, fields, validate

from gateway.domain.enums import Disability, DutyPurpose, Gender, Ground, IdType
from schemas.dialect import MAX_CO_PERSONS, ApplicationSchema
from schemas.fields import PHONE_PATTERN, aware_datetime, case_district, ground_found_field, text


class StateSecuritySuspectSchema(Schema):
    name = text(100, required=True)
    id_type = fields.Enum(IdType, by_value=True, required=True)
    id_number = text(32)
    gender = fields.Enum(Gender, by_value=True)
    birth_date = fields.Date()
    nationality = text(3)
    language = text(20)
    needs_interpreter = fields.Boolean(load_default=False)
    disabilities = fields.List(fields.Enum(Disability, by_value=True), load_default=list)


class StateSecurityDetentionSchema(Schema):
    """Where the suspect is held: the police's detention centre (看守所) holds the state security organs'
    detainees too (CPL 4, 85)."""

    facility = text(200, required=True, metadata={"description": "the detention centre (看守所) holding him"})
    detained_at = aware_datetime(required=True)
    measure = fields.String(required=True, validate=validate.OneOf(["criminal_detention", "arrest"]))


class StateSecurityHeldSuspectSchema(StateSecuritySuspectSchema):
    """A further suspect the same request names, with his own detention."""

    detention = fields.Nested(StateSecurityDetentionSchema, required=True)


class StateSecurityOfficerSchema(Schema):
    name = text(100, required=True)
    phone = fields.String(required=True, validate=validate.Regexp(PHONE_PATTERN))
    unit = text(200)


class _StateSecurityDocument(Schema):
    document_number = text(100, required=True, metadata={"description": "the bureau's document number"})
    case_number = text(100, required=True)
    case_district = case_district()
    suspected_offences = fields.List(text(100), required=True, validate=validate.Length(min=1, max=50))
    suspect = fields.Nested(StateSecuritySuspectSchema, required=True)
    detention = fields.Nested(StateSecurityDetentionSchema, required=True)
    officer = fields.Nested(StateSecurityOfficerSchema, required=True)
    remarks = text(2000)


class StateSecurityDefenseNoticeSchema(_StateSecurityDocument):
    """提供法律援助通知书 from a state security organ: a defender for a suspect in investigation (LAL 25, 36;
    CPL 4, 35)."""

    detention = fields.Nested(
        StateSecurityDetentionSchema, metadata={"description": "left out when the suspect is not detained"}
    )
    grounds = fields.List(fields.Enum(Ground, by_value=True), required=True, validate=validate.Length(min=1))
    ground_found_at = ground_found_field()


class StateSecurityDutyLawyerRequestSchema(_StateSecurityDocument):
    """A duty lawyer for a suspect without a defender in investigation (LAL 30, 37; CPL 4, 36)."""

    purpose = fields.Enum(DutyPurpose, by_value=True, required=True)
    scheduled_at = aware_datetime()
    location = text(200)
    other_suspects = fields.List(
        fields.Nested(StateSecurityHeldSuspectSchema),
        load_default=list,
        validate=validate.Length(max=MAX_CO_PERSONS),
        metadata={"description": "further suspects the same request names, up to 19"},
    )


class StateSecurityApplicationTransferSchema(_StateSecurityDocument):
    """法律援助公函(转交申请): a detained suspect's own application, forwarded within 24 hours (LAL 39)."""

    application = fields.Nested(ApplicationSchema, required=True)
