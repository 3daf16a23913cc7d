"""Identity rules: validate the ID number, cross-check what the agency declared, derive age."""

from dataclasses import replace
from datetime import date

from gateway.domain.enums import IdType
from gateway.domain.model import Person
from gateway.domain.resident_id import InvalidResidentId, parse_resident_id
from gateway.errors import IdentityMismatch, InvalidIdNumber, InvalidInput

ID_FIELD = "person.id_number"


def normalize_person(person: Person, *, on: date) -> Person:
    """Return the person with the ID in 18-digit form, birth date and gender filled, and `minor` derived.

    Raises InvalidIdNumber for a bad GB 11643 number and IdentityMismatch when the declared birth
    date or gender contradicts the number.
    """
    if person.id_type is IdType.RESIDENT_ID:
        person = _with_resident_id(person)
    elif person.id_type is IdType.UNKNOWN and person.id_number:
        raise InvalidIdNumber(
            "an unknown identity carries no number", errors={ID_FIELD: ["must be empty for id_type unknown"]}
        )
    if person.birth_date is not None and person.birth_date > on:
        # Every clock that depends on age (LAL 25(1), CPL 278) would run on a typo.
        raise InvalidInput(
            "the birth date is after the notice date", errors={"person.birth_date": [f"must be on or before {on}"]}
        )
    minor = None if person.birth_date is None else age_on(person.birth_date, on) < 18
    return replace(person, minor=minor)


def age_on(birth_date: date, day: date) -> int:
    """Age in full years (周岁) on `day`: a year is full only from the day after the birthday.

    SPC interpretation 法释〔2006〕1号 art. 2: on the 18th birthday itself a person is still under 18
    (LAL 25(1), CPL 278). Born on 29 February, the birthday of a common year is taken as 28 February.
    """
    not_yet_full = (day.month, day.day) <= (birth_date.month, birth_date.day)
    return max(0, day.year - birth_date.year - int(not_yet_full))


def _with_resident_id(person: Person) -> Person:
    if not person.id_number:
        raise InvalidIdNumber(
            "id_type resident_id needs an id_number", errors={ID_FIELD: ["required for id_type resident_id"]}
        )
    try:
        parsed = parse_resident_id(person.id_number)
    except InvalidResidentId as exc:
        raise InvalidIdNumber(f"the identity number is not valid: {exc}", errors={ID_FIELD: [str(exc)]}) from exc
    errors: dict[str, list[str]] = {}
    if person.birth_date is not None and person.birth_date != parsed.birth_date:
        errors["person.birth_date"] = ["contradicts the birth date encoded in the identity number"]
    if person.gender is not None and person.gender != parsed.gender:
        errors["person.gender"] = ["contradicts the gender encoded in the identity number"]
    if errors:
        raise IdentityMismatch("declared data contradict the identity number", errors=errors)
    return replace(person, id_number=parsed.number, birth_date=parsed.birth_date, gender=parsed.gender)
