"""Routing to the centre where the agency sits (LAL 38; Shandong reg. 11), and linking a case's stages.

The shipped table is Qingdao's: the city centre and the ten districts and county-level cities (GB/T 2260).
"""

from pathlib import Path

import pytest

from gateway.domain.enums import AgencyType, Kind, Level, RequestState, Stage
from gateway.domain.model import Agency, OrganSeat, PersonMatch
from gateway.errors import NoRoute
from gateway.rules.linking import STAGE_ORDER, relate
from gateway.rules.routing import RoutingTable, load_routing_table, route_request

QINGDAO = [
    # level, district code, centre code, centre name
    (Level.CITY, "370200", "lac370200", "青岛市法律援助中心"),
    (Level.CITY, "370203", "lac370200", "青岛市法律援助中心"),  # a city organ with a district seat: still the city
    (Level.DISTRICT, "370202", "lac370202", "市南区法律援助中心"),
    (Level.DISTRICT, "370203", "lac370203", "市北区法律援助中心"),
    (Level.DISTRICT, "370211", "lac370211", "黄岛区法律援助中心"),
    (Level.DISTRICT, "370212", "lac370212", "崂山区法律援助中心"),
    (Level.DISTRICT, "370213", "lac370213", "李沧区法律援助中心"),
    (Level.DISTRICT, "370214", "lac370214", "城阳区法律援助中心"),
    (Level.DISTRICT, "370215", "lac370215", "即墨区法律援助中心"),
    (Level.DISTRICT, "370281", "lac370281", "胶州市法律援助中心"),
    (Level.DISTRICT, "370283", "lac370283", "平度市法律援助中心"),
    (Level.DISTRICT, "370285", "lac370285", "莱西市法律援助中心"),
]


@pytest.mark.parametrize(("level", "district", "code", "name"), QINGDAO)
@pytest.mark.parametrize("kind", list(Kind))
def test_an_application_reaches_the_centre_where_the_handling_organ_sits_whoever_forwards_it(
    level: Level, district: str, code: str, name: str, kind: Kind
) -> None:
    # LAL 38 (申请人向办案机关所在地的法律援助机构提出申请), Shandong regulation art. 11: by the handling organ's
    # seat and level. The forwarder, Laixi's detention centre here, decides nothing; a notice or a duty-lawyer
    # request is routed by its sender, the organ handling the case itself.
    forwarder = Agency("jail", "莱西市看守所", AgencyType.POLICE, Level.DISTRICT, "370285", frozenset(Kind))
    seat = OrganSeat(level, district)

    routing = route_request(kind, forwarder, load_routing_table(), seat)

    expected = code if kind is Kind.APPLICATION_TRANSFER else "lac370285"
    assert (routing.centre_code, routing.routing_key) == (expected, f"{kind.value}.{expected}")


@pytest.mark.parametrize(("level", "district", "code", "name"), QINGDAO)
@pytest.mark.parametrize("kind", list(Kind))
def test_every_agency_reaches_the_centre_where_it_sits(
    level: Level, district: str, code: str, name: str, kind: Kind
) -> None:
    agency = Agency("a1", "某机关", AgencyType.POLICE, level, district, frozenset(Kind))
    table = load_routing_table()

    routing = route_request(kind, agency, table)

    assert (routing.centre_code, routing.routing_key) == (code, f"{kind.value}.{code}")
    assert table.centres[code].name == name


@pytest.mark.parametrize(
    ("level", "district", "message"),
    [
        (Level.DISTRICT, "370200", "no legal aid centre is configured for a district agency in 370200"),
        (Level.DISTRICT, "370284", "no legal aid centre is configured for a district agency in 370284"),
        (Level.CITY, "370602", "no legal aid centre is configured for a city agency in 370602"),
        (Level.DISTRICT, "110105", "no legal aid centre is configured for a district agency in 110105"),
    ],
)
def test_an_agency_outside_the_table_has_no_route(level: Level, district: str, message: str) -> None:
    agency = Agency("a1", "某机关", AgencyType.COURT, level, district, frozenset(Kind))
    with pytest.raises(NoRoute) as refused:
        route_request(Kind.NOTIFY_DEFENSE, agency, load_routing_table())
    assert str(refused.value) == message


def test_the_table_has_eleven_centres_and_no_other_route() -> None:
    table = load_routing_table()
    assert sorted(table.centres) == sorted({code for _, _, code, _ in QINGDAO})
    assert table.city_centres == {"3702": "lac370200"}
    assert len(table.district_centres) == 10


def test_a_table_built_by_hand_with_a_missing_centre_has_no_route() -> None:
    table = RoutingTable(centres={}, city_centres={}, district_centres={"370202": "lac370202"})
    agency = Agency("a1", "某机关", AgencyType.COURT, Level.DISTRICT, "370202", frozenset(Kind))
    with pytest.raises(NoRoute):
        route_request(Kind.NOTIFY_DEFENSE, agency, table)


@pytest.mark.parametrize(
    ("section", "route", "reason"),
    [
        ("district", '"370202" = "lac999999"', "an unknown centre"),
        ("district", '"370202" = "lac.370202"', "a dot breaks the routing key"),
        ("city", '"3702" = "lac999999"', "an unknown city centre"),
    ],
)
def test_a_table_naming_a_bad_centre_is_refused_at_load(tmp_path: Path, section: str, route: str, reason: str) -> None:
    table = tmp_path / "routing.toml"
    # The dotted centre is listed, so only the dot refuses it.
    centres = 'lac370202 = { name = "市南区法律援助中心" }\n"lac.370202" = { name = "市南区法律援助中心" }\n'
    table.write_text(f"[centres]\n{centres}[{section}]\n{route}\n", "utf-8")
    with pytest.raises(ValueError, match="routing table names an unknown or malformed centre code"):
        load_routing_table(table)


def test_a_table_of_city_centres_only_routes_the_city(tmp_path: Path) -> None:
    table = tmp_path / "routing.toml"
    table.write_text('[centres]\nlac370200 = { name = "青岛市法律援助中心" }\n[city]\n"3702" = "lac370200"\n', "utf-8")
    loaded = load_routing_table(table)
    assert (loaded.city_centres, loaded.district_centres) == ({"3702": "lac370200"}, {})


def test_a_table_of_district_centres_only_routes_the_districts(tmp_path: Path) -> None:
    table = tmp_path / "routing.toml"
    table.write_text(
        '[centres]\nlac370202 = { name = "市南区法律援助中心" }\n[district]\n"370202" = "lac370202"\n', "utf-8"
    )
    loaded = load_routing_table(table)
    assert (loaded.city_centres, loaded.district_centres) == ({}, {"370202": "lac370202"})


# The order a case moves in (CPL parts 2 and 3): investigation, review for prosecution, first instance (or a
# compulsory medical hearing, at the same level), second instance, then retrial or death-penalty review.
LATER_THAN = {
    "investigation": set(),
    "review_for_prosecution": {"investigation"},
    "first_instance": {"investigation", "review_for_prosecution"},
    "compulsory_medical": {"investigation", "review_for_prosecution"},
    "second_instance": {"investigation", "review_for_prosecution", "first_instance", "compulsory_medical"},
    "retrial": {"investigation", "review_for_prosecution", "first_instance", "compulsory_medical", "second_instance"},
    "death_penalty_review": {
        "investigation",
        "review_for_prosecution",
        "first_instance",
        "compulsory_medical",
        "second_instance",
    },
}
PAIRS = [(new, old) for new in Stage for old in Stage]


@pytest.mark.parametrize(("new", "old"), PAIRS, ids=[f"{n}-after-{o}" for n, o in PAIRS])
def test_a_request_is_linked_to_each_earlier_stage_and_no_other(new: Stage, old: Stage) -> None:
    match = PersonMatch("r1", Kind.NOTIFY_DEFENSE, "other", old, RequestState.ASSIGNED)

    related, _ = relate(Kind.DUTY_LAWYER, new, "mine", [match])

    earlier = [r for r in related if r.relation == "earlier_stage"]
    assert bool(earlier) is (old.value in LATER_THAN[new.value])
    if earlier:
        assert (earlier[0].id, earlier[0].stage, earlier[0].agency_code) == ("r1", old, "other")


@pytest.mark.parametrize(
    ("state", "duplicate"),
    [
        (RequestState.RECEIVED, True),
        (RequestState.QUEUED, True),
        (RequestState.GRANTED, True),
        (RequestState.ASSIGNED, True),
        (RequestState.INFORMED, True),
        (RequestState.WITHDRAWN, False),  # ended: a new notice beside it is no duplicate
        (RequestState.DECLINED, False),
    ],
)
def test_only_a_standing_request_makes_a_probable_duplicate(state: RequestState, duplicate: bool) -> None:
    match = PersonMatch("r1", Kind.NOTIFY_DEFENSE, "other", Stage.FIRST_INSTANCE, state)

    related, flags = relate(Kind.NOTIFY_DEFENSE, Stage.FIRST_INSTANCE, "mine", [match])

    expected = [("r1", "probable_duplicate", Stage.FIRST_INSTANCE, "other")] if duplicate else []
    assert [(r.id, r.relation, r.stage, r.agency_code) for r in related] == expected
    assert flags == (("probable_duplicate",) if duplicate else ())


def test_a_match_without_a_stage_is_ignored_and_the_next_still_counts() -> None:
    unstaged = PersonMatch("r1", Kind.NOTIFY_DEFENSE, "other", None, RequestState.QUEUED)
    earlier = PersonMatch("r2", Kind.NOTIFY_DEFENSE, "police", Stage.INVESTIGATION, RequestState.ASSIGNED)

    related, flags = relate(Kind.NOTIFY_DEFENSE, Stage.FIRST_INSTANCE, "mine", [unstaged, earlier])

    assert [(r.id, r.relation) for r in related] == [("r2", "earlier_stage")]
    assert flags == ()


def test_every_stage_has_its_place_in_the_order() -> None:
    assert set(STAGE_ORDER) == set(Stage)
