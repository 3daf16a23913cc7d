"""The police dialect: detainees, detention centres, application times, the handling officer."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gateway.domain.enums import Disability, DutyPurpose, Gender, Ground, IdType, Level, Stage
from schemas.dialect import MAX_CO_PERSONS, ApplicationSchema
from schemas.fields import DISTRICT_PATTERN, PHONE_PATTERN, aware_datetime, case_district, ground_found_field, text


class DetaineeSchema(Schema):
    name = text(100, required=True)
    id_type = fields.Enum(IdType, by_value=True, required=True)
    id_no = text(32)
    gender = fields.Enum(Gender, by_value=True)
    birth_date = fields.Date()
    nationality = text(3)
    language = text(20)
    needs_interpreter = fields.Boolean(load_default=False)
    disabilities = fields.List(fields.Enum(Disability, by_value=True), load_default=list)


class DetentionSchema(Schema):
    centre = text(200, required=True, metadata={"description": "看守所 holding the detainee"})
    detained_at = aware_datetime(required=True)
    measure = fields.String(required=True, validate=validate.OneOf(["criminal_detention", "arrest"]))


class HeldDetaineeSchema(DetaineeSchema):
    """A further detainee the same request names, with his own detention."""

    detention = fields.Nested(DetentionSchema, required=True)


class OfficerSchema(Schema):
    name = text(100, required=True)
    phone = fields.String(required=True, validate=validate.Regexp(PHONE_PATTERN))
    unit = text(200)


class HandlingOrganSchema(Schema):
    """The organ handling the case (办案机关): a detainee's application goes to the centre where it sits."""

    name = text(200, required=True, metadata={"description": "e.g. 青岛市中级人民法院"})
    level = fields.Enum(Level, by_value=True, required=True)
    district = fields.String(
        required=True,
        validate=validate.Regexp(DISTRICT_PATTERN),
        metadata={"description": "GB/T 2260 code of its district, e.g. 370200"},
    )
    code = text(32, metadata={"description": "its agency code in the gateway's registry, when it has one"})


class _PoliceDocument(Schema):
    case_number = text(100, required=True)
    case_district = case_district()
    suspected_offences = fields.List(text(100), required=True, validate=validate.Length(min=1, max=50))
    detainee = fields.Nested(DetaineeSchema, required=True)
    detention = fields.Nested(DetentionSchema, required=True)
    officer = fields.Nested(OfficerSchema, required=True)
    remarks = text(2000)


def _stage() -> fields.Enum[Stage]:
    return fields.Enum(
        Stage,
        by_value=True,
        load_default=Stage.INVESTIGATION,
        metadata={"description": "the case's stage; left out: investigation"},
    )


def _handling_organ() -> fields.Nested:
    return fields.Nested(
        HandlingOrganSchema,
        metadata={"description": "required beyond investigation; left out in investigation: the sending bureau"},
    )


class _OrganPastInvestigation(Schema):
    """What a detention centre sends at any stage it holds the detainee names the stage and, past investigation,
    the organ handling the case (LAL 38, 39; CPL 36). Fields are declared by each message, after its own, so
    the SOAP sequences keep their order."""

    @validates_schema
    def _organ_beyond_investigation(self, data: dict[str, object], **kwargs: object) -> None:
        """Beyond investigation the case is another organ's (a procuratorate, a court): say which (LAL 38)."""
        if data.get("stage", Stage.INVESTIGATION) is not Stage.INVESTIGATION and not data.get("handling_organ"):
            raise ValidationError(
                "required when the case is past investigation: name the organ handling the case (LAL 38)",
                "handling_organ",
            )


class ApplicationTransferSchema(_PoliceDocument, _OrganPastInvestigation):
    """法律援助公函(转交申请): a detainee's own application, forwarded within 24 hours (LAL 39); it goes to the centre
    where the organ handling the case sits (LAL 38)."""

    transfer_number = text(100, required=True, metadata={"description": "the bureau's document number"})
    application = fields.Nested(ApplicationSchema, required=True)
    stage = _stage()
    handling_organ = _handling_organ()


class PoliceDutyLawyerRequestSchema(_PoliceDocument, _OrganPastInvestigation):
    """A duty lawyer for a detainee: by the bureau in investigation, by the detention centre at every stage it
    holds him (LAL 30, 37; CPL 36 ¶2)."""

    request_number = text(100, required=True)
    purpose = fields.Enum(DutyPurpose, by_value=True, required=True)
    scheduled_at = aware_datetime()
    location = text(200)
    stage = _stage()
    handling_organ = _handling_organ()
    other_detainees = fields.List(
        fields.Nested(HeldDetaineeSchema),
        load_default=list,
        validate=validate.Length(max=MAX_CO_PERSONS),
        metadata={"description": "further detainees the same request names, up to 19"},
    )


class PoliceDefenseNoticeSchema(_PoliceDocument):
    """提供法律援助通知书 from a public security bureau: a defender for a suspect in investigation (LAL 25, 36;
    CPL 35, 278)."""

    notice_number = text(100, required=True, metadata={"description": "the bureau's document number"})
    detention = fields.Nested(DetentionSchema, metadata={"description": "left out when the suspect is not detained"})
    grounds = fields.List(fields.Enum(Ground, by_value=True), required=True, validate=validate.Length(min=1))
    ground_found_at = ground_found_field()
