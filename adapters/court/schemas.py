"""The court's REST dialect: defendants, trial stages, hearings, the presiding judge."""

from marshmallow import Schema, fields, validate

from gateway.domain.enums import Disability, DutyPurpose, Gender, Ground, IdType, Procedure, Stage
from schemas.dialect import MAX_CO_PERSONS, ApplicationSchema, AttachmentRefSchema
from schemas.fields import PHONE_PATTERN, aware_datetime, case_district, ground_found_field, text


class CourtCustodySchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["detained", "not_detained"]))
    facility = text(200)
    since = aware_datetime()


class DefendantSchema(Schema):
    name = text(100, required=True)
    id_type = fields.Enum(IdType, by_value=True, required=True)
    id_number = text(32)
    gender = fields.Enum(Gender, by_value=True)
    birth_date = fields.Date()
    ethnicity = text(20)
    nationality = text(3, metadata={"description": "ISO 3166-1 alpha-3"})
    language = text(20)
    needs_interpreter = fields.Boolean(load_default=False)
    disabilities = fields.List(fields.Enum(Disability, by_value=True), load_default=list)
    custody = fields.Nested(CourtCustodySchema, required=True)


class HearingSchema(Schema):
    scheduled_at = aware_datetime(required=True)
    courtroom = text(200)


class JudgeSchema(Schema):
    name = text(100, required=True)
    phone = fields.String(required=True, validate=validate.Regexp(PHONE_PATTERN))
    role = text(50, metadata={"description": "e.g. 承办法官, 书记员"})


class CourtDefenseNoticeSchema(Schema):
    """通知辩护函 from a people's court."""

    notice_number = text(
        100, required=True, metadata={"description": "the court's document number; the idempotency key"}
    )
    case_number = text(100, required=True)
    case_district = case_district()
    trial_stage = fields.Enum(Stage, by_value=True, required=True)
    procedure = fields.Enum(Procedure, by_value=True)
    charges = fields.List(text(100), required=True, validate=validate.Length(min=1, max=50))
    offence_date = fields.Date()
    defendant = fields.Nested(DefendantSchema, required=True)
    grounds = fields.List(fields.Enum(Ground, by_value=True), required=True, validate=validate.Length(min=1))
    ground_found_at = ground_found_field()
    hearing = fields.Nested(HearingSchema)
    judge = fields.Nested(JudgeSchema, required=True)
    attachments = fields.List(fields.Nested(AttachmentRefSchema), load_default=list)
    remarks = text(2000)


class CourtDutyLawyerRequestSchema(Schema):
    """值班律师 for a defendant without a defender: at a summary or fast-track trial a duty lawyer helps, not a
    notified defender (LAL 30, 37; CPL 36, 224)."""

    request_number = text(100, required=True, metadata={"description": "the court's document number"})
    case_number = text(100, required=True)
    case_district = case_district()
    trial_stage = fields.Enum(Stage, by_value=True, required=True)
    procedure = fields.Enum(Procedure, by_value=True)
    charges = fields.List(text(100), required=True, validate=validate.Length(min=1, max=50))
    defendant = fields.Nested(DefendantSchema, required=True)
    purpose = fields.Enum(DutyPurpose, by_value=True, required=True)
    scheduled_at = aware_datetime()
    location = text(200)
    judge = fields.Nested(JudgeSchema, required=True)
    remarks = text(2000)
    other_defendants = fields.List(
        fields.Nested(DefendantSchema),
        load_default=list,
        validate=validate.Length(max=MAX_CO_PERSONS),
        metadata={"description": "further defendants the same request names, up to 19"},
    )


class CourtApplicationTransferSchema(Schema):
    """法律援助公函(转交申请): a detained defendant's own application, forwarded by the court that tries him within
    24 hours (LAL 39). The court is the handling organ: the application goes to the centre where it sits (LAL 38)."""

    transfer_number = text(100, required=True, metadata={"description": "the court's document number"})
    case_number = text(100, required=True)
    case_district = case_district()
    trial_stage = fields.Enum(Stage, by_value=True, required=True)
    procedure = fields.Enum(Procedure, by_value=True)
    charges = fields.List(text(100), required=True, validate=validate.Length(min=1, max=50))
    defendant = fields.Nested(DefendantSchema, required=True)
    application = fields.Nested(ApplicationSchema, required=True)
    judge = fields.Nested(JudgeSchema, required=True)
    attachments = fields.List(fields.Nested(AttachmentRefSchema), load_default=list)
    remarks = text(2000)
