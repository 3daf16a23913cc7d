"""Route a request to the legal aid centre where the sending agency sits (LAL 38; Shandong reg. 11)."""

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from gateway.domain.enums import Kind, Level
from gateway.domain.model import Agency, Routing
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
        if agency.level is Level.CITY:
            code = self.city_centres.get(agency.district[:4])
        else:
            code = self.district_centres.get(agency.district)
        if code is None or code not in self.centres:
            raise NoRoute(f"no legal aid centre is configured for a {agency.level.value} agency in {agency.district}")
        return self.centres[code]


def route_request(kind: Kind, agency: Agency, table: RoutingTable) -> Routing:
    """The centre and the topic routing key `<kind>.<centre_code>`."""
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
