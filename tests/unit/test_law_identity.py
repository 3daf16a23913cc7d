"""Identity rules pinned to the law: GB 11643 numbers and age in full years, every expected value written out.

Check characters below were computed by hand (ISO 7064 MOD 11-2, GB 11643-1999 §7.2) and two come from the
standard's own examples; ages follow SPC interpretation 法释〔2006〕1号 art. 2 (a year is full from the day
after the birthday), which decides the `minor` ground (LAL 25(1), CPL 278).
"""

from datetime import date

import pytest

from gateway.domain.enums import Gender, IdType
from gateway.domain.model import Person
from gateway.domain.resident_id import InvalidResidentId, parse_resident_id
from gateway.errors import IdentityMismatch, InvalidIdNumber, InvalidInput
from gateway.rules.identity import age_on, normalize_person

TODAY = date(2026, 11, 25)

# One number for each of the eleven check characters (GB 11643 §7.2): 市北区, born 1990-05-17.
EVERY_CHECK_CHARACTER = [
    "370203199005170020",
    "370203199005170071",
    "370203199005170012",
    "370203199005170063",
    "370203199005170004",
    "370203199005170055",
    "370203199005170186",
    "370203199005170047",
    "370203199005170098",
    "370203199005170039",
    "37020319900517008X",
]


@pytest.mark.parametrize("number", EVERY_CHECK_CHARACTER)
def test_each_check_character_is_accepted_where_it_belongs(number: str) -> None:
    assert parse_resident_id(number, today=TODAY).number == number


@pytest.mark.parametrize("number", EVERY_CHECK_CHARACTER)
@pytest.mark.parametrize("other", "0123456789X")
def test_every_other_check_character_is_refused(number: str, other: str) -> None:
    if other == number[17]:
        return
    with pytest.raises(InvalidResidentId, match=r"^check character does not match \(GB 11643\)$"):
        parse_resident_id(number[:17] + other, today=TODAY)


@pytest.mark.parametrize(
    ("number", "born", "gender"),
    [
        ("11010519491231002X", date(1949, 12, 31), Gender.FEMALE),  # GB 11643-1999, example
        ("440524188001010014", date(1880, 1, 1), Gender.MALE),  # GB 11643-1999, example
        ("370203199005170020", date(1990, 5, 17), Gender.FEMALE),  # sequence 002: even, female
        ("370203199005170012", date(1990, 5, 17), Gender.MALE),  # sequence 001: odd, male
    ],
)
def test_birth_date_and_gender_come_from_the_number(number: str, born: date, gender: Gender) -> None:
    parsed = parse_resident_id(number, today=TODAY)
    assert (parsed.birth_date, parsed.gender, parsed.address_code) == (born, gender, number[:6])


def test_a_legacy_15_digit_number_gets_19_and_its_check_character() -> None:
    # 370203 900517 008 → 370203 19900517 008 + X (the check character computed above).
    assert parse_resident_id("370203900517008", today=TODAY).number == "37020319900517008X"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("3702031990051700", "must be 18 characters: 17 digits and a digit or X"),
        ("3702031990051700800", "must be 18 characters: 17 digits and a digit or X"),
        ("37020319900517008Y", "must be 18 characters: 17 digits and a digit or X"),
        ("X70203199005170020", "must be 18 characters: 17 digits and a digit or X"),
        ("37020319900517002", "must be 18 characters: 17 digits and a digit or X"),
        ("370203199013170012", "birth date encoded in the number is not a date"),  # month 13
        ("370203187912310017", "birth date encoded in the number is out of range"),  # 1879
        ("370203202611260012", "birth date encoded in the number is out of range"),  # tomorrow
    ],
)
def test_each_malformed_number_is_refused_with_its_reason(number: str, message: str) -> None:
    with pytest.raises(InvalidResidentId) as refused:
        parse_resident_id(number, today=TODAY)
    assert str(refused.value) == message


def test_born_on_the_first_day_of_1880_or_today_is_in_range() -> None:
    assert parse_resident_id("440524188001010014", today=TODAY).birth_date == date(1880, 1, 1)
    assert parse_resident_id("370203202611250017", today=TODAY).birth_date == TODAY


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2008, 11, 25), date(2026, 11, 24), 17),  # the day before the 18th birthday
        (date(2008, 11, 25), date(2026, 11, 25), 17),  # the birthday itself: not yet full (法释〔2006〕1号 art. 2)
        (date(2008, 11, 25), date(2026, 11, 26), 18),  # the day after: 18 full years
        (date(2008, 12, 31), date(2027, 1, 1), 18),  # across the year end
        (date(2009, 1, 1), date(2026, 12, 31), 17),
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # born on 29 February: 28 February is the birthday
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 19),  # in a leap year the birthday is the 29th itself
        (date(2008, 2, 29), date(2028, 3, 1), 20),
        (date(1975, 6, 20), date(2026, 11, 25), 51),
        (date(2026, 11, 25), date(2026, 11, 25), 0),  # the day of birth
        (date(2026, 1, 1), date(2026, 11, 25), 0),
        (date(2025, 11, 25), date(2026, 11, 26), 1),
    ],
)
def test_age_in_full_years(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


def _person(number: str) -> Person:
    return Person(name="测试", id_type=IdType.RESIDENT_ID, id_number=number)


@pytest.mark.parametrize(
    ("number", "on", "minor"),
    [
        ("370203200811250012", date(2026, 11, 24), True),  # born 2008-11-25; the day before the 18th birthday
        ("370203200811250012", date(2026, 11, 25), True),  # the 18th birthday: still a minor (LAL 25(1))
        ("370203200811250012", date(2026, 11, 26), False),  # the day after
    ],
)
def test_the_minor_flag_turns_the_day_after_the_18th_birthday(number: str, on: date, minor: bool) -> None:
    assert normalize_person(_person(number), on=on).minor is minor


def test_a_person_without_a_known_birth_date_is_neither_minor_nor_adult() -> None:
    person = normalize_person(Person(name="测试", id_type=IdType.PASSPORT, id_number="E1"), on=TODAY)
    assert (person.minor, person.id_number, person.birth_date) == (None, "E1", None)


def test_a_legacy_number_is_stored_in_its_18_digit_form_with_what_it_encodes() -> None:
    person = normalize_person(_person("370203900517008"), on=TODAY)
    assert (person.id_number, person.birth_date, person.gender, person.minor) == (
        "37020319900517008X",
        date(1990, 5, 17),
        Gender.FEMALE,
        False,
    )


def test_an_unknown_identity_with_a_number_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidIdNumber) as refused:
        normalize_person(Person(name="测试", id_type=IdType.UNKNOWN, id_number="1"), on=TODAY)
    assert str(refused.value) == "an unknown identity carries no number"
    assert refused.value.errors == {"person.id_number": ["must be empty for id_type unknown"]}


def test_a_resident_id_type_without_a_number_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidIdNumber) as refused:
        normalize_person(Person(name="测试", id_type=IdType.RESIDENT_ID), on=TODAY)
    assert str(refused.value) == "id_type resident_id needs an id_number"
    assert refused.value.errors == {"person.id_number": ["required for id_type resident_id"]}


def test_a_bad_number_is_refused_with_the_gb_11643_reason() -> None:
    with pytest.raises(InvalidIdNumber) as refused:
        normalize_person(_person("370203199005170021"), on=TODAY)
    assert str(refused.value) == "the identity number is not valid: check character does not match (GB 11643)"
    assert refused.value.errors == {"person.id_number": ["check character does not match (GB 11643)"]}


def test_a_declared_birth_date_and_gender_against_the_number_are_both_named() -> None:
    declared = Person(
        name="测试",
        id_type=IdType.RESIDENT_ID,
        id_number="370203199005170020",
        birth_date=date(1990, 5, 18),
        gender=Gender.MALE,
    )
    with pytest.raises(IdentityMismatch) as refused:
        normalize_person(declared, on=TODAY)
    assert str(refused.value) == "declared data contradict the identity number"
    assert refused.value.errors == {
        "person.birth_date": ["contradicts the birth date encoded in the identity number"],
        "person.gender": ["contradicts the gender encoded in the identity number"],
    }


def test_a_declared_birth_date_and_gender_that_agree_are_kept() -> None:
    declared = Person(
        name="测试",
        id_type=IdType.RESIDENT_ID,
        id_number="370203199005170020",
        birth_date=date(1990, 5, 17),
        gender=Gender.FEMALE,
    )
    assert normalize_person(declared, on=TODAY).id_number == "370203199005170020"


def test_a_declared_birth_date_after_the_notice_date_is_refused() -> None:
    tomorrow = Person(name="测试", id_type=IdType.PASSPORT, id_number="E1", birth_date=date(2026, 11, 26))
    with pytest.raises(InvalidInput) as refused:
        normalize_person(tomorrow, on=TODAY)
    assert str(refused.value) == "the birth date is after the notice date"
    assert refused.value.errors == {"person.birth_date": ["must be on or before 2026-11-25"]}
    born_today = Person(name="测试", id_type=IdType.PASSPORT, id_number="E1", birth_date=TODAY)
    assert normalize_person(born_today, on=TODAY).minor is True
