"""The procuratorate's REST dialect: suspects, compulsory measures, review for prosecution, prosecutors."""

from marshmallow import Schema, fields, validate

from gateway.domain.enums import Disability, DutyPurpose, Gender, Ground, IdType, Stage
from schemas.dialect import MAX_CO_PERSONS, ApplicationSchema, AttachmentRefSchema
from schemas.fields import PHONE_PATTERN, aware_datetime, case_district, ground_found_field, text

# 强制措施: arrest and criminal detention hold the suspect; the others do not.
DETAINING_MEASURES = ("arrest", "criminal_detention")
MEASURES = (*DETAINING_MEASURES, "residential_surveillance", "bail_pending_trial", "none")


class IdentitySchema(Schema):
    type = fields.Enum(IdType, by_value=True, required=True)
    number = text(32)


class CompulsoryMeasureSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(MEASURES))
    place = text(200, metadata={"description": "detention centre or residence"})
    since = aware_datetime()


class SuspectSchema(Schema):
    full_name = text(100, required=True)
    identity = fields.Nested(IdentitySchema, required=True)
    sex = fields.Enum(Gender, by_value=True)
    date_of_birth = fields.Date()
    ethnic_group = text(20)
    nationality = text(3)
    spoken_language = text(20)
    interpreter_required = fields.Boolean(load_default=False)
    disabilities = fields.List(fields.Enum(Disability, by_value=True), load_default=list)
    compulsory_measure = fields.Nested(CompulsoryMeasureSchema, required=True)


class ProsecutorSchema(Schema):
    name = text(100, required=True)
    telephone = fields.String(required=True, validate=validate.Regexp(PHONE_PATTERN))
    post = text(50)


class _ProcuratorateDocument(Schema):
    document_number = text(100, required=True, metadata={"description": "the procuratorate's document number"})
    case_number = text(100, required=True)
    case_district = case_district()
    stage = fields.Enum(Stage, by_value=True, required=True)
    suspected_charges = fields.List(text(100), required=True, validate=validate.Length(min=1, max=50))
    offence_date = fields.Date()
    suspect = fields.Nested(SuspectSchema, required=True)
    prosecutor = fields.Nested(ProsecutorSchema, required=True)
    attachments = fields.List(fields.Nested(AttachmentRefSchema), load_default=list)
    remarks = text(2000)


class ProcuratorateDefenseNoticeSchema(_ProcuratorateDocument):
    """提供法律援助通知书 from a people's procuratorate."""

    grounds = fields.List(fields.Enum(Ground, by_value=True), required=True, validate=validate.Length(min=1))
    ground_found_at = ground_found_field()


class DutyLawyerRequestSchema(_ProcuratorateDocument):
    """法律帮助通知书: a duty lawyer, e.g. to witness a plea agreement (CPL 174); one notice may name several
    suspects, each tracked and answered on his own."""

    purpose = fields.Enum(DutyPurpose, by_value=True, required=True)
    scheduled_at = aware_datetime()
    location = text(200)
    other_suspects = fields.List(
        fields.Nested(SuspectSchema),
        load_default=list,
        validate=validate.Length(max=MAX_CO_PERSONS),
        metadata={"description": "further suspects the same notice names, up to 19"},
    )


class ProcuratorateApplicationTransferSchema(_ProcuratorateDocument):
    """法律援助公函(转交申请): a detained suspect's own application, forwarded by the procuratorate handling the case
    within 24 hours (LAL 39); it goes to the centre where the procuratorate sits (LAL 38)."""

    application = fields.Nested(ApplicationSchema, required=True)
