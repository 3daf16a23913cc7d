"""GB 11643-1999 citizen identity numbers: check character, birth date and gender."""

from dataclasses import dataclass
from datetime import date

from gateway.domain.enums import Gender

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


class InvalidResidentId(ValueError):
    """The text is not a valid GB 11643 identity number."""


@dataclass(frozen=True)
class ResidentId:
    """A validated 18-character identity number and what it encodes."""

    number: str
    birth_date: date
    gender: Gender

    @property
    def address_code(self) -> str:
        """The six-digit GB/T 2260 address code of the first registration."""
        return self.number[:6]


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_resident_id(text: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-digit or legacy 15-digit number and return it in 18-digit form."""
    number = text.strip().upper()
    if len(number) == 15 and number.isdigit():
        # Legacy numbers have no check digit: the century "19" is implied before YYMMDD.
        first17 = number[:6] + "19" + number[6:]
        number = first17 + check_character(first17)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidResidentId("must be 18 characters: 17 digits and a digit or X")
    if check_character(number[:17]) != number[17]:
        raise InvalidResidentId("check character does not match (GB 11643)")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidResidentId("birth date encoded in the number is not a date") from exc
    if born.year < 1880 or born > (today or date.today()):
        raise InvalidResidentId("birth date encoded in the number is out of range")
    gender = Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE
    return ResidentId(number=number, birth_date=born, gender=gender)
