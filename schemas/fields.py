"""Field types shared by the canonical schema and the agencies' dialects."""

from typing import Any

from marshmallow import fields, validate

PHONE_PATTERN = r"^\+?[0-9][0-9\- ]{4,19}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


NO_CONTROL_CHARACTERS = validate.Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", error="must not contain control characters"
)


def text(max_length: int, *, required: bool = False, **kwargs: Any) -> fields.String:
    """A non-blank string of bounded length without control characters (PostgreSQL refuses NUL)."""
    return fields.String(
        required=required,
        validate=[validate.Length(min=1, max=max_length), NO_CONTROL_CHARACTERS],
        **kwargs,
    )


def aware_datetime(*, required: bool = False, **kwargs: Any) -> fields.AwareDateTime:
    """An ISO 8601 date-time that must carry its UTC offset."""
    return fields.AwareDateTime(required=required, format="iso", **kwargs)
