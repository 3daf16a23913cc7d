"""Mapping helpers every agency's mapping uses for the parts the gateway itself defines."""

from collections.abc import Iterable, Mapping
from typing import Any

from gateway.domain.model import Application, Attachment

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
