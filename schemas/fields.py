"""Field types shared by the canonical schema and the agencies' dialects."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from marshmallow import ValidationError, fields, validate

from gateway.domain.enums import AgencyType
from gateway.domain.text import hidden_character

PHONE_PATTERN = r"^\+?[0-9][0-9\- ]{4,19}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
DISTRICT_PATTERN = r"^[0-9]{6}$"


NO_CONTROL_CHARACTERS = validate.Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", error="must not contain control characters"
)


def no_hidden_characters(value: str) -> None:
    """Refuse C1 controls and invisible formatting (direction overrides, zero-width characters) as well."""
    found = hidden_character(value)
    if found is not None:
        raise ValidationError(f"must not contain control characters or invisible formatting ({found})")


def text(max_length: int, *, required: bool = False, **kwargs: Any) -> fields.String:
    """A non-blank string of bounded length, plain text: no control characters (PostgreSQL refuses NUL), no
    invisible formatting (gateway.domain.text)."""
    return fields.String(
        required=required,
        validate=[validate.Length(min=1, max=max_length), NO_CONTROL_CHARACTERS, no_hidden_characters],
        **kwargs,
    )


def case_district(**kwargs: Any) -> fields.String:
    """The GB/T 2260 code of the district the case belongs to; left out, the sending agency's own."""
    description = (
        "GB/T 2260 code of the case's district (e.g. 370203); left out: the agency's own district. Another "
        "district of the agency's city is accepted and flagged outside_usual_jurisdiction for a district-level "
        "agency (CPL 25-27); a district of another city is refused (outside-jurisdiction)"
    )
    return fields.String(validate=validate.Regexp(DISTRICT_PATTERN), metadata={"description": description}, **kwargs)


# The moments a notice or an answer speaks of (detention, application, hearing, appointment) lie in a live
# case: outside these years a value is a typo, and the deadline arithmetic would leave the calendar.
EARLIEST_MOMENT = datetime(1950, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2100, 1, 1, tzinfo=UTC)


def within_plausible_years(value: datetime) -> None:
    """Refuse a moment before 1950 or from 2100 on."""
    if not EARLIEST_MOMENT <= value < LATEST_MOMENT:
        raise ValidationError("must be between 1950 and 2099")


# China Standard Time: UTC+8 all year (no daylight saving since 1991), the time every court, procuratorate,
# police station and centre the gateway serves keeps.
CHINA_TIME = timezone(timedelta(hours=8))


def china_iso(moment: datetime) -> str:
    """A moment as ISO 8601 in China time, to the second: `2026-11-25T23:59:59+08:00`."""
    return moment.astimezone(CHINA_TIME).replace(microsecond=0).isoformat()


class ChinaDateTime(fields.AwareDateTime):
    """An ISO 8601 date-time read with any UTC offset and written in China time, to the second: the same
    instant reads the same in every receipt, status, answer, event and callback."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else china_iso(value)


def aware_datetime(*, required: bool = False, **kwargs: Any) -> fields.AwareDateTime:
    """An ISO 8601 date-time that must carry its UTC offset, in the years a live case can speak of."""
    return ChinaDateTime(required=required, format="iso", validate=within_plausible_years, **kwargs)


def ground_found_field() -> fields.Field[Any]:
    """When the organ found the ground for notifying: LAL 36 gives it three days from then."""
    description = (
        "when the organ found the ground for notifying (LAL 36: notify within 3 days of it); "
        "a notice received later is accepted and flagged late_notice"
    )
    return aware_datetime(metadata={"description": description})


class AgencyTypeField(fields.String):
    """A type of organ: the centre, or a type an agency folder declares. An open set, so a pattern, not an enum;
    the documents list the declared values (gateway.contracts.glossary.describe)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> AgencyType:
        try:
            return AgencyType(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError("not an agency type code: lower-case letters and _, 2-32 characters") from exc
