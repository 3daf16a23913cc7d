"""A SOAP callback's WSDL is fetched and checked when the operator registers it and kept in the store: a WSDL
changed afterwards cannot move the gateway's calls, and one that imports a local file is refused, never read.
Against the agency simulator on a live socket."""

from collections.abc import Iterator

import pytest
import requests
from click.testing import CliRunner, Result

from devtools.agency_simulator import PASSWORD, USERNAME, AgencySimulator, running_agency
from gateway.cli.main import main as cli
from gateway.service.ports import Callback
from tests.integration.test_delivery import COURT, _assigned_court_notice, _deliverer
from tests.support.gateway import LiveGateway

pytestmark = pytest.mark.integration

WSDL = "court-callback"


@pytest.fixture
def agency() -> Iterator[AgencySimulator]:
    with running_agency() as sim:
        yield sim


def _register(gateway: LiveGateway, agency: AgencySimulator) -> Result:
    settings = gateway.services.settings
    env = {
        "LAGW_DATABASE_URL": settings.database_url,
        "LAGW_CREDENTIAL_KEY": settings.credential_key,
        "LAGW_CALLBACK_ALLOWED_HOSTS": "127.0.0.1",
        "LAGW_CALLBACK_SECRET": PASSWORD,
    }
    options = ["--code", COURT, "--kind", "soap", "--url", agency.wsdl_url("court"), "--username", USERNAME]
    return CliRunner().invoke(cli, ["agency", "set-callback", *options], env=env)


def _served(agency: AgencySimulator) -> bytes:
    return requests.get(agency.wsdl_url("court"), timeout=10).content


def test_deliveries_use_the_wsdl_kept_at_registration_not_a_later_one(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    registered = _register(gateway, agency)
    original = _served(agency)
    # Afterwards the agency's WSDL sends calls to another service on the gateway's network.
    agency.wsdl_served[WSDL] = original.replace(agency.base.encode(), b"http://127.0.0.1:9")
    request_id = _assigned_court_notice(gateway)

    tried = _deliverer(gateway).run_once()

    assert registered.exit_code == 0, registered.output
    stored = gateway.services.agencies.callback_of(COURT)
    assert stored is not None and stored.wsdl == original
    assert tried == 1
    assert [notice["element"].findtext("{*}RequestId") for notice in agency.received.values()] == [request_id]


def test_a_wsdl_importing_a_local_file_is_refused_at_registration(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    original = _served(agency)
    agency.wsdl_served[WSDL] = original.replace(
        b"<wsdl:types>", b'<wsdl:types><xs:schema><xs:import schemaLocation="file:///etc/hostname"/></xs:schema>', 1
    )

    refused = _register(gateway, agency)

    assert refused.exit_code == 1
    assert "callback refused" in refused.output and "file:///etc/hostname" in refused.output
    assert gateway.services.agencies.callback_of(COURT) is None


def test_a_callback_registered_before_wsdls_were_kept_is_checked_at_delivery(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    # Registered as an older release did: no WSDL kept; the agency now serves one that reads a local file.
    callback = Callback(kind="soap", url=agency.wsdl_url("court"), secret=PASSWORD, username=USERNAME)
    gateway.services.agencies.set_callback(COURT, callback)
    agency.wsdl_served[WSDL] = _served(agency).replace(
        b"<wsdl:types>", b'<wsdl:types><xs:schema><xs:import schemaLocation="file:///etc/hostname"/></xs:schema>', 1
    )
    request_id = _assigned_court_notice(gateway)

    _deliverer(gateway).run_once()

    [delivery] = gateway.services.deliveries.find(request_id=request_id)
    attempts = gateway.services.deliveries.attempts(delivery.id)
    assert attempts and {attempt.outcome for attempt in attempts} == {"failed"}
    assert all((attempt.error or "").startswith("callback WSDL refused") for attempt in attempts)
    assert agency.received == {}


def test_an_attempt_keeps_the_status_not_the_body_the_agency_answered(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    assert _register(gateway, agency).exit_code == 0
    agency.failing = 502  # the simulator answers its own text ("unavailable") with this status
    request_id = _assigned_court_notice(gateway)

    _deliverer(gateway, max_attempts=1).run_once()

    [delivery] = gateway.services.deliveries.find(request_id=request_id)
    errors = {attempt.error for attempt in gateway.services.deliveries.attempts(delivery.id)}
    assert errors == {"HTTP 502"}
