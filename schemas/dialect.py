"""Pieces every agency dialect shares because the gateway defines them: attachments by reference, and the
detainee's application form an organ forwards."""

from marshmallow import Schema, fields, validate

from gateway.domain.enums import ApplicationBasis, HardshipExemption
from schemas.fields import SHA256_PATTERN, aware_datetime, text

# A duty-lawyer request (法律帮助通知书) may name several persons: the first and up to 19 more.
MAX_CO_PERSONS = 19


class AttachmentRefSchema(Schema):
    """A document the agency holds, named by URL and SHA-256 digest; documents never ride on the bus."""

    title = text(200, required=True)
    url = fields.Url(required=True, schemes={"https", "http"}, require_tld=False)
    sha256 = fields.String(required=True, validate=validate.Regexp(SHA256_PATTERN, error="64 lower-case hex digits"))
    media_type = text(100)


def warm_up() -> None:
    """Build the patterns the validators build at their first use: the hidden-character class (0.2 s of CPU)
    and marshmallow's URL pattern. Left to the first requests, each of a worker's threads builds them at once
    (they are cached, not locked), and a new worker spent its first seconds of load on that."""
    AttachmentRefSchema().load({"title": "warm-up", "url": "https://example.org/warm-up", "sha256": "0" * 64})


class ApplicationSchema(Schema):
    """The application form (申请表) as the detainee filled it in: the same whichever organ forwards it."""

    applied_at = aware_datetime(required=True, metadata={"description": "when the detainee applied (LAL 39 clock)"})
    reason = fields.Enum(ApplicationBasis, by_value=True, required=True)
    applied_by = fields.String(
        load_default="self", validate=validate.OneOf(["self", "close_relative", "legal_representative"])
    )
    monthly_income_yuan = fields.Decimal(
        as_string=True,
        places=2,
        validate=validate.Range(min=0),
        metadata={"minimum": 0},  # a number, not "0.00"
    )
    household_size = fields.Integer(validate=validate.Range(min=1, max=50))
    pledge_signed = fields.Boolean(load_default=False, metadata={"description": "个人申报承诺"})
    exemption = fields.Enum(HardshipExemption, by_value=True)
