"""Identity, grounds, permissions and routing rules."""

from dataclasses import replace
from datetime import date

import pytest

from gateway.domain.enums import AgencyType, Disability, Gender, Ground, IdType, Kind, Level, Stage
from gateway.domain.model import Agency, Case, Person
from gateway.errors import GroundsInvalid, IdentityMismatch, InvalidIdNumber, NoRoute
from gateway.rules.grounds import check_grounds
from gateway.rules.identity import normalize_person
from gateway.rules.routing import load_routing_table, route_request
from tests.support.personal_data import register

register("张三", "John Doe", "E12345678")  # people invented below, besides the examples'

TODAY = date(2026, 11, 25)
MINOR = Person(name="王小明", id_type=IdType.RESIDENT_ID, id_number="370202201003150310")
ADULT = Person(name="李建国", id_type=IdType.RESIDENT_ID, id_number="370211197506200516")
TRIAL = Case(number="1", stage=Stage.FIRST_INSTANCE, charges=("盗窃罪",))


def test_birth_date_and_gender_are_derived_from_the_id() -> None:
    person = normalize_person(MINOR, on=TODAY)
    assert (person.birth_date, person.gender, person.minor) == (date(2010, 3, 15), Gender.MALE, True)


def test_a_declared_birth_date_that_contradicts_the_id_is_refused() -> None:
    with pytest.raises(IdentityMismatch) as caught:
        normalize_person(replace(MINOR, birth_date=date(2010, 3, 16)), on=TODAY)
    assert "person.birth_date" in caught.value.errors


def test_an_unknown_identity_is_allowed_without_a_number() -> None:
    person = normalize_person(Person(name="无名氏", id_type=IdType.UNKNOWN), on=TODAY)
    assert person.minor is None


def test_a_passport_is_not_checked_as_a_resident_id() -> None:
    person = normalize_person(Person(name="John Doe", id_type=IdType.PASSPORT, id_number="E12345678"), on=TODAY)
    assert person.id_number == "E12345678"


def test_a_resident_id_type_without_a_number_is_refused() -> None:
    with pytest.raises(InvalidIdNumber):
        normalize_person(Person(name="张三", id_type=IdType.RESIDENT_ID), on=TODAY)


def grounds(*given: Ground, person: Person = ADULT, case: Case = TRIAL, agency: AgencyType = AgencyType.COURT):  # type: ignore[no-untyped-def]
    return check_grounds(Kind.NOTIFY_DEFENSE, agency, given, normalize_person(person, on=TODAY), case, TODAY)


def test_a_minor_ground_needs_a_person_under_18() -> None:
    assert grounds(Ground.MINOR, person=MINOR) == ()
    with pytest.raises(GroundsInvalid):
        grounds(Ground.MINOR)


def test_a_person_who_was_a_minor_at_the_offence_only_is_flagged_not_refused() -> None:
    born_2008 = Person(name="赵", id_type=IdType.UNKNOWN, birth_date=date(2008, 1, 10))
    case = replace(TRIAL, offence_date=date(2025, 12, 1))
    assert grounds(Ground.MINOR, person=born_2008, case=case) == ("minor_at_offence_only",)


def test_a_minor_ground_without_a_birth_date_is_flagged_unverified() -> None:
    assert grounds(Ground.MINOR, person=Person(name="无名氏", id_type=IdType.UNKNOWN)) == ("minor_age_unverified",)


def test_court_only_grounds_are_refused_from_a_procuratorate() -> None:
    review = replace(TRIAL, stage=Stage.REVIEW_FOR_PROSECUTION)
    for ground in (Ground.TRIAL_IN_ABSENTIA, Ground.COMPULSORY_MEDICAL, Ground.FULL_COVERAGE_TRIAL):
        with pytest.raises(GroundsInvalid):
            grounds(ground, case=review, agency=AgencyType.PROCURATORATE)
    assert grounds(Ground.FULL_COVERAGE_REVIEW, case=review, agency=AgencyType.PROCURATORATE) == ()


def test_full_coverage_review_is_only_for_a_procuratorate() -> None:
    with pytest.raises(GroundsInvalid):
        grounds(Ground.FULL_COVERAGE_REVIEW)


def test_a_sensory_disability_ground_needs_a_declared_disability() -> None:
    with pytest.raises(GroundsInvalid):
        grounds(Ground.VISUAL_HEARING_SPEECH_DISABILITY)
    deaf = replace(ADULT, disabilities=(Disability.HEARING,))
    assert grounds(Ground.VISUAL_HEARING_SPEECH_DISABILITY, person=deaf) == ()


def test_other_kinds_carry_no_grounds() -> None:
    with pytest.raises(GroundsInvalid):
        check_grounds(Kind.DUTY_LAWYER, AgencyType.COURT, (Ground.MINOR,), ADULT, TRIAL, TODAY)


@pytest.mark.parametrize(
    ("level", "district", "centre"),
    [
        (Level.CITY, "370200", "lac370200"),
        (Level.DISTRICT, "370202", "lac370202"),
        (Level.DISTRICT, "370285", "lac370285"),
    ],
)
def test_requests_go_to_the_centre_where_the_agency_sits(level: Level, district: str, centre: str) -> None:
    agency = Agency("a", "a", AgencyType.COURT, level, district, frozenset(Kind))
    routing = route_request(Kind.NOTIFY_DEFENSE, agency, load_routing_table())
    assert (routing.centre_code, routing.routing_key) == (centre, f"notify_defense.{centre}")


def test_an_agency_outside_the_table_has_no_route() -> None:
    agency = Agency("a", "a", AgencyType.COURT, Level.DISTRICT, "110105", frozenset(Kind))
    with pytest.raises(NoRoute):
        route_request(Kind.NOTIFY_DEFENSE, agency, load_routing_table())
