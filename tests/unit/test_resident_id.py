"""GB 11643 identity numbers."""

from datetime import date

import pytest

from gateway.domain.enums import Gender
from gateway.domain.resident_id import InvalidResidentId, parse_resident_id


@pytest.mark.parametrize(
    ("number", "born", "gender"),
    [
        ("11010519491231002X", date(1949, 12, 31), Gender.FEMALE),
        ("440524188001010014", date(1880, 1, 1), Gender.MALE),
        ("513101198201130014", date(1982, 1, 13), Gender.MALE),
    ],
)
def test_public_test_vectors_are_valid(number: str, born: date, gender: Gender) -> None:
    parsed = parse_resident_id(number)
    assert (parsed.number, parsed.birth_date, parsed.gender) == (number, born, gender)


def test_a_lower_case_x_is_accepted_and_normalized() -> None:
    assert parse_resident_id("11010519491231002x").number == "11010519491231002X"


def test_a_legacy_15_digit_number_is_converted_with_its_century_and_check_digit() -> None:
    parsed = parse_resident_id("110105491231002")
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(
    "number",
    ["110105194912310021", "11010519491331002X", "1101051949123100", "A1010519491231002X", "110105203012310026"],
    ids=["wrong check digit", "month 13", "too short", "letter", "born in the future"],
)
def test_invalid_numbers_are_refused(number: str) -> None:
    with pytest.raises(InvalidResidentId):
        parse_resident_id(number, today=date(2026, 11, 25))
