"""Field types shared by the canonical schema and the agencies' dialects."""

from marshmallow import fields, validate

ID_NUMBER_PATTERN = r"^[0-9A-Za-z()\-]{1,32}$"
PHONE_PATTERN = r"^\+?[0-9][0-9\- ]{4,19}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
DISTRICT_PATTERN = r"^[0-9]{6}$"


def text(max_length: int, *, required: bool = False, **kwargs: object) -> fields.String:
    """A non-blank string of bounded length."""
    return fields.String(required=required, validate=validate.Length(min=1, max=max_length), **kwargs)  # type: ignore[arg-type]


def aware_datetime(*, required: bool = False, **kwargs: object) -> fields.AwareDateTime:
    """An ISO 8601 date-time that must carry its UTC offset."""
    return fields.AwareDateTime(required=required, format="iso", **kwargs)  # type: ignore[arg-type]
