"""What the forwarding agency supplies after the centre's request for missing materials (LAL 43 ¶2)."""

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from gateway.domain.model import Attachment
from schemas.dialect import AttachmentRefSchema
from schemas.fields import aware_datetime


class MaterialsSupplySchema(Schema):
    """The documents the applicant supplied, by reference and digest, as every attachment; an explanation the
    centre asked for comes as a document too (free text would carry personal data into the records)."""

    supplied_at = aware_datetime(
        required=True, metadata={"description": "when the applicant handed them to the agency; by the centre's date"}
    )
    documents = fields.List(
        fields.Nested(AttachmentRefSchema),
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "the documents (or the written explanation) supplied", "xml_item": "Document"},
    )

    @post_load
    def _documents(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        documents = tuple(
            Attachment(title=doc["title"], uri=doc["url"], sha256=doc["sha256"], media_type=doc.get("media_type"))
            for doc in data["documents"]
        )
        return {**data, "documents": documents}
