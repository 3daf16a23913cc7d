"""Hypothesis strategies for JSON payloads that fit a marshmallow schema: the agencies' dialects, generated."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from marshmallow import Schema, fields, validate

from gateway.rules.deadlines import CHINA_TZ
from schemas.fields import NO_CONTROL_CHARACTERS

_TEXT = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
_ZONES = st.sampled_from([UTC, CHINA_TZ, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))])


def payloads(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    """Documents with every required field and any subset of the optional ones, each value of its field's type."""
    required = {field.data_key or name: value_of(field) for name, field in schema.fields.items() if field.required}
    optional = {field.data_key or name: value_of(field) for name, field in schema.fields.items() if not field.required}
    return st.fixed_dictionaries(required, optional=optional)


def value_of(field: fields.Field[Any]) -> st.SearchStrategy[Any]:
    """A JSON value the field's type and validators allow."""
    validators = list(field.validators)
    for validator in validators:
        if isinstance(validator, validate.OneOf):
            return st.sampled_from(list(validator.choices))
        if isinstance(validator, validate.Regexp) and validator is not NO_CONTROL_CHARACTERS:
            return st.from_regex(validator.regex, fullmatch=True)
    if isinstance(field, fields.Nested):
        return payloads(field.schema)
    if isinstance(field, fields.List):
        low, high = _bounds(validators, 0, 3)
        return st.lists(value_of(field.inner), min_size=low, max_size=min(high, 3))
    return _scalar(field, validators)


def _scalar(field: fields.Field[Any], validators: list[Any]) -> st.SearchStrategy[Any]:
    if isinstance(field, fields.Enum):
        return st.sampled_from([member.value for member in field.enum])
    if isinstance(field, fields.Boolean):
        return st.booleans()
    if isinstance(field, fields.Url):
        return st.builds(lambda n: f"https://docs.example.org/{n}.pdf", st.integers(0, 10**6))
    if isinstance(field, fields.AwareDateTime):
        moments = st.datetimes(datetime(1950, 1, 2), datetime(2099, 12, 30), timezones=_ZONES)
        return moments.map(lambda moment: moment.isoformat())
    if isinstance(field, fields.Date):
        return st.dates(date(1900, 1, 1), date(2030, 12, 31)).map(date.isoformat)
    if isinstance(field, fields.Decimal):
        return st.decimals(Decimal(0), Decimal(100000), places=2).map(str)
    if isinstance(field, fields.Integer):
        low, high = _bounds(validators, -(10**6), 10**6, kind=validate.Range)
        return st.integers(low, high)
    low, high = _bounds(validators, 0, 50)
    return st.text(_TEXT, min_size=low, max_size=min(high, 50))


def _bounds(validators: list[Any], low: int, high: int, kind: type = validate.Length) -> tuple[int, int]:
    for validator in validators:
        if isinstance(validator, kind):
            low = validator.min if validator.min is not None else low
            high = validator.max if validator.max is not None else high
    return low, high


@st.composite
def resident_ids(draw: st.DrawFn, born: st.SearchStrategy[date] | None = None) -> str:
    """A valid 18-character GB 11643 number: address code, birth date, sequence and its check character."""
    address = draw(st.from_regex(r"[1-8][0-9]{5}", fullmatch=True))
    birth = draw(st.dates(date(1880, 1, 1), date(2025, 12, 31)) if born is None else born)
    sequence = draw(st.integers(0, 999))
    first17 = f"{address}{birth:%Y%m%d}{sequence:03d}"
    return first17 + iso7064_check(first17)


def iso7064_check(first17: str) -> str:
    """The check character by ISO 7064 MOD 11-2 in its own terms, independent of the gateway's table.

    Weights are 2^(18-i) mod 11 for the i-th character; the check value makes the weighted sum of all 18
    characters (X counting 10) congruent to 1 modulo 11.
    """
    total = sum(int(digit) * pow(2, 17 - index, 11) for index, digit in enumerate(first17))
    value = (1 - total) % 11
    return "X" if value == 10 else str(value)
