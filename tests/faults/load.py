"""Steady load from the three agencies over REST and SOAP: distinct notices, each sent until it is answered."""

import copy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
import zeep.exceptions

from adapters.examples import sample_path
from adapters.soap import soap_services
from devtools.demo import DEMO_AGENCIES
from gateway.domain.resident_id import check_character
from tests.support.gateway import EXAMPLE_POSTS, example
from tests.support.soap import soap_client, zeep_arguments

RESIDENT_ID = re.compile(r"\d{17}[\dX]")
BIRTH_DATE_FIELDS = ("birth_date", "date_of_birth")
REFERENCE_FIELDS = ("notice_number", "document_number", "transfer_number", "request_number")
SOAP_AGENCIES = {demo.folder: demo.agency.code for demo in DEMO_AGENCIES}
# Answers after which the same notice is sent again: the gateway was busy, restarting or cut off.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Template:
    """One resource of one agency: REST path or SOAP operation, and its sample body."""

    agency: str
    channel: str  # "rest" or "soap"
    target: str  # the REST path, or "<service>.<operation>"
    body: dict[str, Any]


@dataclass
class Outcome:
    """What the agency learnt about one notice."""

    template: Template
    reference: str
    body: dict[str, Any]
    request_id: str | None = None
    centre: str | None = None
    attempts: int = 0
    created: bool | None = None  # the answer said: new (202 / Created=true) or a resend (200 / Created=false)
    errors: list[str] = field(default_factory=list)


def templates() -> list[Template]:
    """Every REST resource and every SOAP intake operation of the three agencies, each naming one person: a
    request per notice, so every id the queue carries is one an agency was told (several persons per document
    are tested in tests/unit/test_intake.py and tests/integration/test_intake_to_queue.py)."""
    found = [
        Template(code, "rest", path, _one_person(example(folder, name))) for folder, name, path, code in EXAMPLE_POSTS
    ]
    for service in soap_services():
        for contract in service.contracts:
            if contract.example:
                body = _one_person(json.loads(sample_path(contract.example).read_text(encoding="utf-8")))
                found.append(Template(SOAP_AGENCIES[service.name], "soap", f"{service.name}.{contract.name}", body))
    return found


def _one_person(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in CO_PERSON_FIELDS}


CO_PERSON_FIELDS = ("other_suspects", "other_defendants", "other_detainees")


def notices(run: str) -> Iterator[Outcome]:
    """Distinct notices without end, round-robin over the templates, each with its own reference and person."""
    pool = templates()
    for n in itertools.count():
        template = pool[n % len(pool)]
        body = copy.deepcopy(template.body)
        reference = ""
        for key in REFERENCE_FIELDS:
            if key in body:
                body[key] = reference = f"{body[key]}-{run}-{n}"
        _vary_person(body, n)
        yield Outcome(template, reference, body)


def _vary_person(body: Any, n: int) -> None:
    """Another valid ID number (same region, year and month; day and sequence vary), birth date to match."""
    day, sequence = 1 + (n // 100) % 28, n % 100
    items = body.items() if isinstance(body, dict) else enumerate(body) if isinstance(body, list) else ()
    for key, value in list(items):
        if isinstance(value, str) and RESIDENT_ID.fullmatch(value):
            first17 = f"{value[:12]}{day:02d}{sequence:02d}{value[16]}"
            body[key] = first17 + check_character(first17)
        elif key in BIRTH_DATE_FIELDS and isinstance(value, str):
            body[key] = f"{value[:8]}{day:02d}"
        else:
            _vary_person(value, n)


class AgencyClient:
    """Sends notices as the agencies' systems would, retrying the same notice until it is answered."""

    def __init__(self, base: str, keys: dict[str, str], abort: threading.Event, give_up_after: float = 120.0) -> None:
        self._base = base
        self._keys = keys
        self._abort = abort
        self._give_up_after = give_up_after
        self._local = threading.local()

    def send(self, outcome: Outcome) -> None:
        """Send until accepted (or the time is up); record every attempt's trouble."""
        send: Callable[[Outcome], bool] = self._rest if outcome.template.channel == "rest" else self._soap
        deadline = time.monotonic() + self._give_up_after
        while time.monotonic() < deadline and not self._abort.is_set():
            outcome.attempts += 1
            try:
                if send(outcome):
                    return
            except (requests.RequestException, zeep.exceptions.TransportError, OSError) as exc:
                outcome.errors.append(type(exc).__name__)
                self._local.__dict__.clear()  # a fresh client after a cut connection
            time.sleep(0.2)

    def _rest(self, outcome: Outcome) -> bool:
        response = requests.post(
            self._base + outcome.template.target,
            json=outcome.body,
            headers={"Authorization": f"Bearer {self._keys[outcome.template.agency]}"},
            timeout=30,
        )
        if response.status_code in (200, 202):
            receipt = response.json()
            outcome.request_id, outcome.centre = receipt["id"], receipt["centre_code"]
            outcome.created = response.status_code == 202
            return True
        outcome.errors.append(str(response.status_code))
        if response.status_code not in RETRY_STATUSES:
            raise AssertionError(f"notice refused: {response.status_code} {response.text[:300]}")
        time.sleep(float(response.headers.get("Retry-After", 0.2)))
        return False

    def _soap(self, outcome: Outcome) -> bool:
        service, operation = outcome.template.target.split(".")
        proxy, contract = self._soap_proxy(service, operation, outcome.template.agency)
        try:
            receipt = getattr(proxy, operation)(**zeep_arguments(contract.request(), outcome.body))
        except zeep.exceptions.Fault as exc:
            outcome.errors.append(f"Fault {exc.code}")
            if "over its limit" in str(exc.message):  # the rate limit (HTTP 429): wait as Retry-After says
                time.sleep(1.0)
                return False
            if "busy" not in str(exc.code).lower() and "unavailable" not in str(exc.message).lower():
                raise AssertionError(f"notice refused: {exc.code} {exc.message}") from exc
            return False
        outcome.request_id, outcome.centre, outcome.created = receipt.Id, receipt.CentreCode, receipt.Created
        return True

    def _soap_proxy(self, service: str, operation: str, agency: str) -> tuple[Any, Any]:
        cached = self._local.__dict__.get(service)
        if cached is None:
            _, proxy, _ = soap_client(self._base, service, agency, self._keys[agency])
            contracts = {
                contract.name: contract for s in soap_services() if s.name == service for contract in s.contracts
            }
            cached = self._local.__dict__[service] = (proxy, contracts)
        proxy, contracts = cached
        return proxy, contracts[operation]
