"""Fuzzing a live gateway: the right agency's key for each path, and proof that refused input stored nothing."""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from schemathesis import Case
from schemathesis.core.transport import Response

from devtools.demo import DEMO_AGENCIES
from gateway.rules.routing import load_routing_table
from gateway.store.audit import ensure_chain_head
from gateway.store.tables import inbound_payloads, metadata
from gateway.store.tables import requests as requests_table
from tests.support.gateway import LiveGateway

# The sender of each agency resource, and the centre its notices are routed to (gateway/rules/data/routing.toml).
SENDERS = {f"/api/v1/{demo.folder}/": demo.agency.code for demo in DEMO_AGENCIES}
CENTRE_OF = {demo.agency.code: load_routing_table().centre_for(demo.agency).code for demo in DEMO_AGENCIES}
CENTRE_OPERATIONS = ("/appointment", "/decision", "/replacement", "/termination", "/objection", "/materials-request")


def store_digest(gateway: LiveGateway) -> dict[str, str]:
    """A digest of every row of every table: any insert, update or delete changes it."""
    digests = {}
    with gateway.services.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in conn.execute(sa.select(table)))
            digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def row_count(gateway: LiveGateway, table: sa.Table) -> int:
    """How many rows a table holds."""
    with gateway.services.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


@dataclass
class ApiFuzzer:
    """Calls the gateway as the agency each path belongs to and checks what each answer left in the store."""

    gateway: LiveGateway
    created: dict[str, str] = field(default_factory=dict)  # gateway id -> the agency that sent it
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)

    def agency_for(self, case: Case) -> str:
        """The agency whose key this path takes: the sender, or for an answer the centre the request went to."""
        path = case.operation.path
        for prefix, agency in SENDERS.items():
            if path.startswith(prefix):
                return agency
        sender = self.created.get(str((case.path_parameters or {}).get("request_id")), "court-370202")
        return CENTRE_OF[sender] if path.endswith(CENTRE_OPERATIONS) else sender

    def headers_for(self, case: Case) -> dict[str, str]:
        """The Authorization header of the path's agency."""
        return {"Authorization": f"Bearer {self.gateway.keys[self.agency_for(case)]}"}

    def call(self, case: Case) -> Response:
        """Send the case as its agency and check the store against the answer."""
        before = store_digest(self.gateway)
        # The generated case may carry a header of its own; the path's agency key wins (ignored_auth tries none).
        case.headers = {**(case.headers or {}), **self.headers_for(case)}
        response = case.call(timeout=30)
        self.check_side_effects(case, response, before)
        return response

    def check_side_effects(self, case: Case, response: Response, before: dict[str, str]) -> None:
        """Refused, resent or read: nothing changed. Created: one request, its payload and its outbox row."""
        after = store_digest(self.gateway)
        status = response.status_code
        self.statuses[(case.operation.label, status)] += 1
        if status == 202:
            body = response.json()
            # A document naming several persons creates a request for each: the receipt's and its companions'.
            for request_id in (body["id"], *(companion["id"] for companion in body.get("companions", []))):
                assert request_id not in self.created, "a 202 for an id already created"
                self.created[request_id] = self.agency_for(case)
            changed = {name for name in after if after[name] != before[name]}
            assert {"requests", "inbound_payloads", "outbox", "audit_log"} <= changed, changed
            return
        if status >= 300 or case.method.upper() == "GET" or case.operation.path in _INTAKE_PATHS:
            assert after == before, f"{case.operation.label} answered {status} but changed {_changed(before, after)}"

    def forget_requests(self) -> None:
        """Empty every table but the agency registry, so the next scenario meets the store as the first did."""
        with self.gateway.services.engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                if table.name not in _KEPT:
                    conn.execute(table.delete())
            ensure_chain_head(conn)  # the audit chain starts anew, as in a new store
        self.created.clear()

    def assert_stored_rows_match_creations(self) -> None:
        """Every stored request and raw payload comes from a 202 the fuzzer saw; nothing else was stored."""
        assert row_count(self.gateway, requests_table) == len(self.created), self.statuses
        assert row_count(self.gateway, inbound_payloads) == len(self.created), self.statuses


_KEPT = {"agencies", "staff_accounts"}
_INTAKE_PATHS = {
    f"/api/v1/{agency}/{resource}"
    for agency in ("court", "procuratorate", "police")
    for resource in ("defense-notices", "duty-lawyer-requests", "application-transfers")
}


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in after if after[name] != before.get(name)]
