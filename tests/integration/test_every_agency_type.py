"""Every agency type a folder declares is served end to end on the real parts: its notice accepted over REST and
over SOAP, routed to its centre's assignment queue, answered by the centre, and the answer delivered through the
SOAP callback its folder's WSDL describes. Nothing here names a type: a new folder is walked as it lands."""

from collections.abc import Iterator

import pytest

from adapters.registry import callback_contracts, declaration
from devtools.agency_simulator import PASSWORD, USERNAME, AgencySimulator, running_agency
from devtools.demo import DEMO_AGENCIES, DemoAgency
from gateway.contracts.dialect import pascal_case
from gateway.domain.enums import Kind
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.notify.callbacks import CallbackNotifier
from gateway.rules.routing import load_routing_table
from gateway.service.delivery import Deliverer
from gateway.service.ports import Callback
from gateway.web.soap.envelope import SOAP11
from schemas.canonical import validate_message
from tests.support.broker import drain_queue
from tests.support.gateway import LiveGateway, example, running_relay, wait_for
from tests.support.moments import china_now
from tests.support.soap import post_envelope, sample_envelope

pytestmark = [pytest.mark.integration]

# Eight years of practice: enough for a notice on a possible life or death sentence (LAL 26).
LAWYER = {
    "name": "周律师",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
    "years_of_practice": 8,
}


@pytest.fixture
def agency() -> Iterator[AgencySimulator]:
    with running_agency() as sim:
        yield sim


@pytest.mark.parametrize("demo", DEMO_AGENCIES, ids=[demo.folder for demo in DEMO_AGENCIES])
def test_each_type_accepts_routes_and_hears_back_about_a_notice(
    gateway: LiveGateway, amqp_url: str, agency: AgencySimulator, demo: DemoAgency
) -> None:
    declared = declaration(demo.agency.type)
    assert declared is not None
    notice = declared.operation(Kind.NOTIFY_DEFENSE)
    assert notice is not None, "every type the law lets notify has a notify-defense operation"
    code, key = demo.agency.code, gateway.keys[demo.agency.code]
    body = example(demo.folder, notice.sample)
    centre = load_routing_table().centre_for(demo.agency).code

    rest = gateway.post(f"/api/v1/{demo.folder}/{notice.resource}", code, body)
    soap = post_envelope(gateway.base, demo.folder, sample_envelope(demo.folder, notice.soap_name, SOAP11, code, key))

    assert rest.status_code == 202, rest.text
    receipt = rest.json()
    assert (receipt["kind"], receipt["centre_code"]) == ("notify_defense", centre)
    # The same document over SOAP is a resend of the one REST stored: the same request, nothing new.
    assert soap.status_code == 200, soap.text
    assert f"<Id>{receipt['id']}</Id>".encode() in soap.content.replace(b"tns:", b"")
    assert b"<Created>false</Created>" in soap.content.replace(b"tns:", b"")

    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.services.outbox.pending_count() == 0, what="outbox drained")
    [(method, properties, message)] = drain_queue(amqp_url, ASSIGNMENT_QUEUE)
    assert (method.routing_key, properties.message_id) == (f"notify_defense.{centre}", receipt["id"])
    assert validate_message(message)["source"]["agency_type"] == demo.folder

    callback = Callback(kind="soap", url=agency.wsdl_url(demo.folder), secret=PASSWORD, username=USERNAME)
    gateway.services.agencies.set_callback(code, callback)
    answered = gateway.post(
        f"/api/v1/requests/{receipt['id']}/appointment", centre, {"lawyer": LAWYER, "appointed_at": china_now()}
    )
    assert answered.status_code == 200, answered.text
    services = gateway.services
    notifier = CallbackNotifier(callback_contracts(), services.clock.now)
    delivered = Deliverer(services.deliveries, services.agencies, services.transitions, notifier, services.clock)

    assert delivered.run_once() == 1
    [element] = [notice["element"] for notice in agency.received.values()]
    assert element.findtext("{*}RequestId") == receipt["id"]
    # The reply names the agency's document number (one of the sample's own fields) under the name its callback
    # contract gives it.
    reference = element.findtext(f"{{*}}{pascal_case(declared.reference_name)}")
    assert reference and reference in {value for value in body.values() if isinstance(value, str)}
    assert element.findtext("{*}Appointment/{*}Lawyer/{*}Name") == "周律师"
    status = gateway.get(f"/api/v1/requests/{receipt['id']}", code).json()
    assert status["state"] == "informed"
