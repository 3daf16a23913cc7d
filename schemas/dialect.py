"""Pieces every agency dialect shares because the gateway defines them: attachments by reference."""

from marshmallow import Schema, fields, validate

from schemas.fields import SHA256_PATTERN, text


class AttachmentRefSchema(Schema):
    """A document the agency holds, named by URL and SHA-256 digest; documents never ride on the bus."""

    title = text(200, required=True)
    url = fields.Url(required=True, schemes={"https", "http"}, require_tld=False)
    sha256 = fields.String(required=True, validate=validate.Regexp(SHA256_PATTERN, error="64 lower-case hex digits"))
    media_type = text(100)
