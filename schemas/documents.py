"""An official document by reference and digest, as the status and the callbacks name it (claim check)."""

from marshmallow import Schema, fields, validate

from schemas.fields import SHA256_PATTERN, ChinaDateTime


class DocumentReferenceSchema(Schema):
    """A document the centre's decision issued: fetch it from `url` with the agency's own credentials."""

    id = fields.String(required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            ["appointment_notice", "grant_decision", "refusal_decision", "materials_notice", "termination_decision"]
        ),
    )
    title = fields.String(required=True, metadata={"description": "文书标题 · the document's title"})
    number = fields.String(required=True, metadata={"description": "文书编号 · its number, e.g. 青法援指〔2026〕12号"})
    media_type = fields.String(required=True, metadata={"description": "application/pdf"})
    sha256 = fields.String(
        required=True,
        validate=validate.Regexp(SHA256_PATTERN),
        metadata={"description": "SHA-256 of the document's bytes (hex), as on the audit chain"},
    )
    url = fields.String(required=True, metadata={"description": "where the agency fetches it (GET, its own key)"})
    issued_at = ChinaDateTime(required=True, metadata={"description": "发文时间 · when the centre issued it"})
