"""Properties of the GB 11643 rules: every valid number is accepted as it encodes, every single change refused."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.enums import Gender, IdType
from gateway.domain.model import Custody, Person
from gateway.domain.resident_id import InvalidResidentId, parse_resident_id
from gateway.errors import IdentityMismatch, InvalidIdNumber
from gateway.rules.identity import normalize_person
from tests.support.payloads import resident_ids

TODAY = date(2026, 11, 25)
CHARACTERS = "0123456789X"


@given(resident_ids())
def test_a_valid_number_is_accepted_with_what_it_encodes(number: str) -> None:
    parsed = parse_resident_id(number, today=TODAY)

    assert parsed.number == number
    assert parsed.address_code == number[:6]
    assert parsed.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert parsed.gender is (Gender.MALE if int(number[16]) % 2 else Gender.FEMALE)


@given(resident_ids())
def test_a_lower_case_check_x_and_surrounding_blanks_are_accepted(number: str) -> None:
    assert parse_resident_id(f" {number.lower()} ", today=TODAY).number == number


@given(resident_ids(), st.integers(0, 17), st.sampled_from(CHARACTERS))
def test_any_single_character_changed_is_refused(number: str, position: int, character: str) -> None:
    changed = number[:position] + character + number[position + 1 :]
    if changed == number:
        character = CHARACTERS[(CHARACTERS.index(character) + 1) % len(CHARACTERS)]
        changed = number[:position] + character + number[position + 1 :]

    with pytest.raises(InvalidResidentId):
        parse_resident_id(changed, today=TODAY)


@given(resident_ids(), st.integers(0, 15))
def test_two_neighbouring_digits_swapped_are_refused(number: str, position: int) -> None:
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    if swapped != number:
        with pytest.raises(InvalidResidentId):
            parse_resident_id(swapped, today=TODAY)


@given(resident_ids(born=st.dates(date(1900, 1, 1), date(1999, 12, 31))))
def test_a_legacy_15_digit_number_becomes_the_18_digit_one(number: str) -> None:
    legacy = number[:6] + number[8:17]

    assert parse_resident_id(legacy, today=TODAY).number == number


@given(resident_ids(born=st.dates(TODAY.replace(day=26), date(2099, 12, 31))))
def test_a_birth_date_after_today_is_refused(number: str) -> None:
    with pytest.raises(InvalidResidentId):
        parse_resident_id(number, today=TODAY)


@given(st.text(max_size=20))
def test_any_text_is_either_a_valid_number_or_refused_cleanly(text: str) -> None:
    try:
        parsed = parse_resident_id(text)
    except InvalidResidentId:
        return
    assert len(parsed.number) == 18


def _person(number: str, birth_date: date | None = None, gender: Gender | None = None) -> Person:
    return Person(
        name="测试",
        id_type=IdType.RESIDENT_ID,
        id_number=number,
        birth_date=birth_date,
        gender=gender,
        custody=Custody(detained=True),
    )


# Notices from 2021 on, so every birth date generated lies before the notice (a later one is refused).
@given(resident_ids(born=st.dates(date(1930, 1, 1), date(2020, 12, 31))), st.dates(date(2021, 1, 1), date(2035, 1, 1)))
def test_the_person_gets_birth_date_gender_and_minority_from_the_number(number: str, on: date) -> None:
    parsed = parse_resident_id(number)

    person = normalize_person(_person(number), on=on)

    assert (person.birth_date, person.gender) == (parsed.birth_date, parsed.gender)
    assert person.minor is (on <= eighteenth_birthday(parsed.birth_date))


def eighteenth_birthday(born: date) -> date:
    """The 18th birthday, the last day a person is a minor (法释〔2006〕1号 art. 2); 29 February → 28th."""
    try:
        return born.replace(year=born.year + 18)
    except ValueError:
        return date(born.year + 18, 2, 28)


@given(
    resident_ids(born=st.dates(date(1930, 1, 1), date(2020, 12, 31))), st.dates(date(1930, 1, 1), date(2020, 12, 31))
)
def test_a_declared_birth_date_other_than_the_numbers_is_a_mismatch(number: str, declared: date) -> None:
    matches = declared == parse_resident_id(number).birth_date
    if matches:
        assert normalize_person(_person(number, declared), on=TODAY).birth_date == declared
    else:
        with pytest.raises(IdentityMismatch):
            normalize_person(_person(number, declared), on=TODAY)


@given(resident_ids(), st.integers(0, 16))
def test_a_broken_number_is_an_invalid_id_number_error_naming_the_field(number: str, position: int) -> None:
    broken = number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]

    with pytest.raises(InvalidIdNumber) as refused:
        normalize_person(_person(broken), on=TODAY)
    assert list(refused.value.errors) == ["person.id_number"]
