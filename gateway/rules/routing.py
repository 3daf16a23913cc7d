"""Route a request to the legal aid centre where the sending agency sits (LAL 38; Shandong reg. 11); a
detainee's application to the centre where the organ handling the case sits, whoever forwards it."""

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from gateway.domain.enums import Kind, Level
from gateway.domain.model import Agency, OrganSeat, Routing
from gateway.errors import NoRoute


@dataclass(frozen=True)
class Centre:
    """A legal aid centre that receives requests."""

    code: str
    name: str


@dataclass(frozen=True)
class RoutingTable:
    """City-level agencies notify the city centre; district-level ones their district's centre."""

    centres: dict[str, Centre]
    city_centres: dict[str, str]  # city prefix (4 digits of GB/T 2260) -> centre code
    district_centres: dict[str, str]  # district code (6 digits) -> centre code

    def centre_for(self, agency: Agency) -> Centre:
        """The centre that serves the agency, or NoRoute."""
        return self.centre_at(agency.level, agency.district)

    def centre_at(self, level: Level, district: str) -> Centre:
        """The same-level centre of the place: the city's for a city-level organ, else the district's; NoRoute."""
        if level is Level.CITY:
            code = self.city_centres.get(district[:4])
        else:
            code = self.district_centres.get(district)
        if code is None or code not in self.centres:
            raise NoRoute(f"no legal aid centre is configured for a {level.value} agency in {district}")
        return self.centres[code]

    def seat_of(self, centre_code: str) -> str | None:
        """The GB/T 2260 code of where a centre sits: a district centre's district, a city centre's city
        (`<prefix>00`); None for a centre the table does not place."""
        for district, code in self.district_centres.items():
            if code == centre_code:
                return district
        for prefix, code in self.city_centres.items():
            if code == centre_code:
                return f"{prefix}00"
        return None


def route_request(kind: Kind, agency: Agency, table: RoutingTable, seat: OrganSeat | None = None) -> Routing:
    """The centre and the topic routing key `<kind>.<centre_code>`.

    A notice or a duty-lawyer request goes to the centre where the sending agency sits (LAL 38: it is the
    organ handling the case). An application goes where the handling organ sits, which for a detention
    centre forwarding it may be another district's or the city's (LAL 38, 39; Shandong regulation art. 11).
    """
    if kind is Kind.APPLICATION_TRANSFER and seat is not None:
        centre = table.centre_at(seat.level, seat.district)
    else:
        centre = table.centre_for(agency)
    return Routing(centre_code=centre.code, routing_key=f"{kind.value}.{centre.code}")


def load_routing_table(path: Path | None = None) -> RoutingTable:
    """Read the routing table (TOML); the shipped default covers Qingdao."""
    if path is None:
        text = resources.files("gateway.rules").joinpath("data/routing.toml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    centres = {code: Centre(code=code, name=entry["name"]) for code, entry in data["centres"].items()}
    for code in (*data.get("city", {}).values(), *data.get("district", {}).values()):
        if "." in code or code not in centres:
            raise ValueError(f"routing table names an unknown or malformed centre code {code!r}")
    return RoutingTable(
        centres=centres, city_centres=dict(data.get("city", {})), district_centres=dict(data.get("district", {}))
    )
