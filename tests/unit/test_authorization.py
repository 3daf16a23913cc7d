"""The authorization matrix the agency folders declare, walked cell by cell against a table written out here
from the law: a folder whose permissions contradict the law fails here."""

import pytest

from adapters.registry import agency_types, permissions
from gateway.domain.enums import AgencyType, Kind, Level, Stage
from gateway.domain.model import Agency
from gateway.errors import GatewayError
from gateway.rules.authorization import authorize

MATRIX = permissions()

# Stages in this column order: inv = investigation, rev = review for prosecution, 1st = first instance,
# 2nd = second instance, re = retrial, dpr = death-penalty review, med = compulsory medical treatment.
COLUMNS = ("investigation", "review_for_prosecution", "first_instance", "second_instance", "retrial",
           "death_penalty_review", "compulsory_medical")  # fmt: skip

# "Y": the agency type may send the kind at that stage; ".": stage-not-allowed. A row that is missing means
# the type may never send the kind (kind-not-allowed). Read off LAL 25, 28, 36, 37, 39 and CPL 4, 19, 35, 36,
# 173-174, 293, 304, independently of the folders' declarations. The table knows organs before a folder serves
# them; every declared type is walked against it.
EXPECTED = {
    #                                            inv rev 1st 2nd re  dpr med
    ("court", "notify_defense"):                ". . Y Y Y Y Y",
    ("court", "duty_lawyer"):                   ". . Y Y Y . .",
    ("court", "application_transfer"):          ". . Y Y Y . .",
    ("procuratorate", "notify_defense"):        "Y Y . . . . .",
    ("procuratorate", "duty_lawyer"):           "Y Y . . . . .",
    ("procuratorate", "application_transfer"):  "Y Y . . . . .",
    ("police", "notify_defense"):               "Y . . . . . .",
    ("police", "duty_lawyer"):                  "Y Y Y Y Y . .",  # the detention centre: CPL 36 ¶2
    ("police", "application_transfer"):         "Y Y Y Y Y . .",
    # CPL 4: the state security organs handle cases endangering state security with the police's powers; they
    # investigate, and their detainees are held in the police's detention centres, which forward later on.
    ("state_security", "notify_defense"):       "Y . . . . . .",
    ("state_security", "duty_lawyer"):          "Y . . . . . .",
    ("state_security", "application_transfer"): "Y . . . . . .",
}  # fmt: skip

# The articles that give each permission: LAL 25 and 36 (notice), 28 and CPL 304 (compulsory medical), CPL 293
# (in absentia), LAL 37 and CPL 36 (duty lawyer), CPL 173-174 (plea), LAL 39 (transfer), CPL 19 (who investigates).
BASIS = {
    ("court", "notify_defense"): "LAL 25, 28, 36; CPL 35, 293, 304",
    ("court", "duty_lawyer"): "LAL 37; CPL 36",
    ("court", "application_transfer"): "LAL 39; CPL 35",
    ("procuratorate", "notify_defense"): "LAL 25, 36; CPL 19, 35",
    ("procuratorate", "duty_lawyer"): "LAL 37; CPL 36, 173, 174",
    ("procuratorate", "application_transfer"): "LAL 39; CPL 35",
    ("police", "notify_defense"): "LAL 25, 36; CPL 19, 35",
    ("police", "duty_lawyer"): "LAL 37; CPL 36",
    ("police", "application_transfer"): "LAL 39; CPL 35",
    ("state_security", "notify_defense"): "LAL 25, 36; CPL 4, 35",
    ("state_security", "duty_lawyer"): "LAL 37; CPL 4, 36",
    ("state_security", "application_transfer"): "LAL 39; CPL 4, 35",
}

# Where each agency sits, and case districts: its own, elsewhere in its city, in another city.
HOME = {Level.DISTRICT: "370202", Level.CITY: "370200"}
PLACES = {
    "own": {Level.DISTRICT: "370202", Level.CITY: "370200"},
    "in_city": {Level.DISTRICT: "370203", Level.CITY: "370203"},
    "other_city": {Level.DISTRICT: "370602", Level.CITY: "370602"},
}


def expected_outcome(agency_type: str, kind: str, stage: str, level: Level, place: str) -> str:
    """The refusal (or "allowed") the table above gives, checked in the documented order.

    A district agency's case elsewhere in its city is lawful (CPL 25-27: residence, designated jurisdiction)
    and only flagged; a case in another city is refused.
    """
    row = EXPECTED.get((agency_type, kind))
    if row is None:
        return "kind-not-allowed"
    if row.split()[COLUMNS.index(stage)] != "Y":
        return "stage-not-allowed"
    if place == "other_city":
        return "outside-jurisdiction"
    return "allowed, flagged" if place == "in_city" and level is Level.DISTRICT else "allowed"


def outcome(agency: Agency, kind: Kind, stage: Stage, district: str) -> str:
    try:
        decision = authorize(agency, agency.type, kind, stage, district, MATRIX)
    except GatewayError as exc:
        return exc.code
    assert (decision.agency_code, decision.kind, decision.stage, decision.jurisdiction) == (
        agency.code,
        kind,
        stage,
        district,
    )
    assert decision.basis == BASIS[(agency.type.value, kind.value)]
    assert decision.flags in ((), ("outside_usual_jurisdiction",))
    return "allowed, flagged" if decision.flags else "allowed"


CELLS = [
    (agency_type, level, kind, stage, place)
    for agency_type in agency_types()
    for level in Level
    for kind in Kind
    for stage in Stage
    for place in PLACES
]


def test_the_expected_table_covers_every_stage_in_order() -> None:
    assert COLUMNS == tuple(stage.value for stage in Stage)
    assert all(len(row.split()) == len(COLUMNS) for row in EXPECTED.values())


@pytest.mark.parametrize(
    ("agency_type", "level", "kind", "stage", "place"),
    CELLS,
    ids=[f"{t.value}-{lv.value}-{k.value}-{s.value}-{p}" for t, lv, k, s, p in CELLS],
)
def test_every_cell_of_the_matrix(agency_type: AgencyType, level: Level, kind: Kind, stage: Stage, place: str) -> None:
    agency = Agency("a1", "某机关", agency_type, level, HOME[level], frozenset(Kind))

    assert outcome(agency, kind, stage, PLACES[place][level]) == expected_outcome(
        agency_type.value, kind.value, stage.value, level, place
    )


def test_a_case_without_a_district_is_the_agencys_own() -> None:
    court = Agency("c1", "市南区人民法院", AgencyType.COURT, Level.DISTRICT, "370202", frozenset(Kind))
    decision = authorize(court, AgencyType.COURT, Kind.NOTIFY_DEFENSE, Stage.FIRST_INSTANCE, None, MATRIX)
    assert decision.jurisdiction == "370202"


def test_a_city_level_agency_may_send_for_the_city_itself() -> None:
    city = Agency("p0", "青岛市人民检察院", AgencyType.PROCURATORATE, Level.CITY, "370200", frozenset(Kind))
    assert outcome(city, Kind.NOTIFY_DEFENSE, Stage.REVIEW_FOR_PROSECUTION, "370200") == "allowed"


def test_a_district_level_agency_sending_for_the_city_is_flagged_not_refused() -> None:
    court = Agency("c1", "市南区人民法院", AgencyType.COURT, Level.DISTRICT, "370202", frozenset(Kind))
    assert outcome(court, Kind.NOTIFY_DEFENSE, Stage.FIRST_INSTANCE, "370200") == "allowed, flagged"


@pytest.mark.parametrize("service", [t for t in agency_types() if t is not AgencyType.COURT])
def test_an_agency_on_another_types_service_is_refused_before_anything_else(service: AgencyType) -> None:
    court = Agency("c1", "市南区人民法院", AgencyType.COURT, Level.DISTRICT, "370202", frozenset(Kind))
    with pytest.raises(GatewayError) as refused:
        authorize(court, service, Kind.NOTIFY_DEFENSE, Stage.FIRST_INSTANCE, "370202", MATRIX)
    assert refused.value.code == "kind-not-allowed"


def test_the_registry_can_narrow_an_agency_to_fewer_kinds_than_its_type() -> None:
    police = Agency("p1", "市北分局", AgencyType.POLICE, Level.DISTRICT, "370203", frozenset({Kind.DUTY_LAWYER}))
    assert outcome(police, Kind.DUTY_LAWYER, Stage.INVESTIGATION, "370203") == "allowed"
    assert outcome(police, Kind.APPLICATION_TRANSFER, Stage.INVESTIGATION, "370203") == "kind-not-allowed"


def test_refusals_name_the_field_in_the_canonical_model() -> None:
    court = Agency("c1", "市南区人民法院", AgencyType.COURT, Level.DISTRICT, "370202", frozenset(Kind))
    with pytest.raises(GatewayError) as stage:
        authorize(court, AgencyType.COURT, Kind.NOTIFY_DEFENSE, Stage.INVESTIGATION, None, MATRIX)
    with pytest.raises(GatewayError) as place:
        authorize(court, AgencyType.COURT, Kind.NOTIFY_DEFENSE, Stage.FIRST_INSTANCE, "370602", MATRIX)
    assert stage.value.errors == {
        "case.stage": ["must be one of: first_instance, second_instance, retrial, death_penalty_review, "
                       "compulsory_medical"]
    }  # fmt: skip
    assert place.value.errors == {"case.district": ["must be within the city 3702xx"]}
    assert str(stage.value) == "a court does not send notify_defense messages at stage investigation"
    assert str(place.value) == "agency c1 acts for the city 3702xx, not for cases in 370602"
    assert (stage.value.status, place.value.status) == (422, 403)


def test_the_matrix_has_a_cell_for_each_agency_type_level_kind_stage_and_place() -> None:
    walked = {agency_type.value for agency_type, *_ in CELLS}
    assert {"court", "procuratorate", "police", "legal_aid_centre"} <= walked
    assert len(set(CELLS)) == len(walked) * 2 * 3 * 7 * 3


def test_every_declared_type_is_an_organ_the_law_table_knows() -> None:
    known = {agency_type for agency_type, _ in EXPECTED}
    assert {agency_type.value for agency_type in agency_types()} - known == {"legal_aid_centre"}


def test_a_city_agency_outside_its_city_is_told_its_scope() -> None:
    city = Agency("p0", "青岛市人民检察院", AgencyType.PROCURATORATE, Level.CITY, "370200", frozenset(Kind))
    with pytest.raises(GatewayError) as refused:
        authorize(city, AgencyType.PROCURATORATE, Kind.NOTIFY_DEFENSE, Stage.INVESTIGATION, "370602", MATRIX)
    assert str(refused.value) == "agency p0 acts for the city 3702xx, not for cases in 370602"
    assert refused.value.errors == {"case.district": ["must be within the city 3702xx"]}


def test_kind_refusals_say_who_and_what() -> None:
    police = Agency("p1", "市北分局", AgencyType.POLICE, Level.DISTRICT, "370203", frozenset({Kind.DUTY_LAWYER}))
    with pytest.raises(GatewayError) as narrowed:
        authorize(police, AgencyType.POLICE, Kind.NOTIFY_DEFENSE, Stage.INVESTIGATION, None, MATRIX)
    with pytest.raises(GatewayError) as service:
        authorize(police, AgencyType.COURT, Kind.DUTY_LAWYER, Stage.INVESTIGATION, None, MATRIX)
    assert str(narrowed.value) == "agency p1 may not send notify_defense messages"
    assert str(service.value) == "agency p1 is a police; this service is for court agencies"
    assert (narrowed.value.status, service.value.status) == (403, 403)
