"""`lagw demo`: the whole path on one machine, from the agencies' sample messages to the assignment queue."""

import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pika
import requests

from adapters.registry import declarations, kinds_for
from devtools.agency_simulator import PASSWORD as SIM_PASSWORD
from devtools.agency_simulator import USERNAME as SIM_USERNAME
from devtools.agency_simulator import WEBHOOK_SECRET as SIM_SECRET
from devtools.agency_simulator import AgencySimulator, running_agency
from devtools.demo_centre import answers_for, publish_answers, show_states, wait_for_notices
from devtools.demo_console import open_console
from devtools.demo_traffic import SOAP_AGENCIES, SOAP_SENDS, send_rest, send_soap
from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.contracts.agency import AgencyDeclaration
from gateway.documents.pdf import NoChineseFont, find_font
from gateway.domain.enums import AgencyType, Level
from gateway.domain.model import SCHEMA_VERSION, Agency
from gateway.logs import configure_logging
from gateway.messaging.publisher import CONNECTION_ERRORS, ConfirmedPublisher, connection_parameters
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.security.privacy import mask_id_number, mask_name
from gateway.service.ports import Callback


@dataclass(frozen=True)
class DemoAgency:
    """One agency of the demo and the examples it sends."""

    agency: Agency
    folder: str
    resources: dict[str, str]  # example file -> API path


def _agency(code: str, name: str, type_: AgencyType, district: str) -> Agency:
    level = Level.CITY if district.endswith("00") else Level.DISTRICT
    return Agency(code, name, type_, level, district, kinds_for(type_))


def _from_declaration(declared: AgencyDeclaration) -> DemoAgency:
    """The agency a folder names for the demo, sending each of its JSON samples to its resource."""
    agency = _agency(declared.demo.code, declared.demo.name, declared.type, declared.demo.district)
    resources = {operation.sample: f"/api/v1/{declared.type}/{operation.resource}" for operation in declared.operations}
    return DemoAgency(agency, declared.type.value, resources)


# One agency of each type an agency folder declares, in folder order (the court first).
DEMO_AGENCIES = tuple(_from_declaration(declared) for declared in declarations())


def demo_agency(agency_type: AgencyType) -> Agency:
    """The demo's agency of one type."""
    return next(demo.agency for demo in DEMO_AGENCIES if demo.agency.type is agency_type)


# The legal aid centres the demo agencies' notices are routed to (gateway/rules/data/routing.toml).
DEMO_CENTRES = tuple(
    DemoAgency(_agency(code, name, AgencyType.LEGAL_AID_CENTRE, district), "", {})
    for code, name, district in (
        ("lac370200", "青岛市法律援助中心", "370200"),
        ("lac370202", "青岛市市南区法律援助中心", "370202"),
        ("lac370203", "青岛市市北区法律援助中心", "370203"),
    )
)


def run_demo(port: int = 0, console: bool = False) -> int:
    """Run the demo; returns the process exit status. With `console`, keep serving the staff console after."""
    amqp_url = Settings.from_env().amqp_url
    if not _broker_answers(amqp_url):
        click.echo(f"RabbitMQ does not answer at {amqp_url}. Start it (e.g. `rabbitmq-server -detached`) and retry.")
        return 2
    try:  # every appointment and decision issues its official document, set in a Chinese font
        find_font(Settings.from_env().document_font)
    except NoChineseFont as exc:
        click.echo(f"{exc}. `make documents` installs it.")
        return 2
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the simulated agencies' access log
    with tempfile.TemporaryDirectory(prefix="lagw-demo-") as workdir:
        env = {
            **os.environ,
            "LAGW_DATABASE_URL": f"sqlite:///{workdir}/demo.sqlite3",
            "LAGW_AMQP_URL": amqp_url,
            "LAGW_ID_HASH_KEY": os.environ.get("LAGW_ID_HASH_KEY", secrets.token_hex(32)),
            "LAGW_CREDENTIAL_KEY": os.environ.get("LAGW_CREDENTIAL_KEY", secrets.token_hex(32)),
            "LAGW_CONSOLE_SECRET": os.environ.get("LAGW_CONSOLE_SECRET", secrets.token_hex(32)),
            # The demo serves plain HTTP on loopback; a deployment keeps the console's cookie Secure (TLS).
            "LAGW_CONSOLE_COOKIE_SECURE": "false",
        }
        with running_agency() as agency:
            keys = _register(Settings.from_env(env), agency)
            click.echo(f"registered {len(keys)} agencies on a fresh SQLite store in {workdir}")
            _declare_topology(amqp_url)
            port = port or _free_port()
            base = f"http://127.0.0.1:{port}"
            serve = ["serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
            processes = [
                _start([sys.executable, "-m", "gateway.cli.main", *command], env, Path(workdir) / f"{command[0]}.log")
                for command in (serve, ["relay"], ["answers"], ["deliver"])
            ]
            try:
                _wait_healthy(base, processes[0], Path(workdir) / "serve.log")
                click.echo(f"gateway serving at {base}; relay, answers consumer and delivery worker running\n")
                status = _run_loop(base, amqp_url, keys, agency)
                if console and status == 0:
                    open_console(Settings.from_env(env), base, keys[demo_agency(AgencyType.COURT).code])
                return status
            finally:
                _stop(processes)


def _register(settings: Settings, agency: AgencySimulator) -> dict[str, str]:
    """The agencies and centres, and how each hears back (see `_callback`)."""
    services = build_services(settings)
    keys = {demo.agency.code: services.agencies.add(demo.agency) for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)}
    for demo in DEMO_AGENCIES:
        callback = _callback(demo.agency.type, agency)
        if callback is not None:
            services.agencies.set_callback(demo.agency.code, callback)
    services.engine.dispose()
    return keys


def _callback(agency_type: AgencyType, agency: AgencySimulator) -> Callback | None:
    """The court hears back over SOAP, the procuratorate reads the status; every other type by webhook."""
    if agency_type is AgencyType.COURT:
        return Callback(kind="soap", url=agency.wsdl_url("court"), secret=SIM_PASSWORD, username=SIM_USERNAME)
    if agency_type is AgencyType.PROCURATORATE:
        return None
    return Callback(kind="webhook", url=f"{agency.base}/webhook", secret=SIM_SECRET)


def _run_loop(base: str, amqp_url: str, keys: dict[str, str], agency: AgencySimulator) -> int:
    """Notices in, assignment queue, the centre's answers, the agencies told in their own protocols."""
    expected = _send_examples(base, keys)
    status, messages = _show_assignments(amqp_url, expected)
    if status:
        return status
    answers = {message["id"]: answers_for(message) for message in messages}
    publish_answers(amqp_url, [answer for sent in answers.values() for answer in sent])
    # Each answer to an agency that has a callback is one notice to it: the lawyer assigned, an application
    # granted then assigned.
    heard = {demo.agency.code for demo in DEMO_AGENCIES if _callback(demo.agency.type, agency) is not None}
    told = wait_for_notices(
        agency, expected=sum(len(answers[m["id"]]) for m in messages if m["source"]["agency_code"] in heard)
    )
    click.echo("\nwhat each agency reads now:")
    show_states(base, keys, {message["id"]: message["source"]["agency_code"] for message in messages})
    if not told:
        click.echo("not every notice reached its agency in time")
        return 1
    click.echo("\nthe whole loop ran: notices in, assignment queue, the centre's answers, the agencies informed.")
    return 0


def _send_examples(base: str, keys: dict[str, str]) -> set[str]:
    expected: set[str] = set()
    for demo in DEMO_AGENCIES:
        if demo.agency.code not in SOAP_AGENCIES:
            expected |= send_rest(base, keys[demo.agency.code], demo.agency.name, demo.folder, demo.resources)
    for code, service, sample, media_type in SOAP_SENDS:
        request_ids, created = send_soap(base, code, keys[code], service, sample, media_type)
        if created:
            expected.update(request_ids)
    court = demo_agency(AgencyType.COURT).code
    request_ids, created = send_soap(base, court, keys[court], "court", "NotifyDefense.soap11.xml", "text/xml")
    click.echo(
        f"the court's notice again, now over SOAP: id={request_ids[0] if request_ids else None} created={created} "
        "(a resend: nothing new)\n"
    )
    return expected


def _show_assignments(amqp_url: str, expected: set[str], timeout: float = 30.0) -> tuple[int, list[dict[str, Any]]]:
    """Consume legalaid.assignment as the centre's assignment system would, printing each message."""
    connection = pika.BlockingConnection(connection_parameters(amqp_url))
    channel = connection.channel()
    ours: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    click.echo(f"waiting for {len(expected)} message(s) in {ASSIGNMENT_QUEUE} …")
    try:
        for method, properties, body in channel.consume(ASSIGNMENT_QUEUE, inactivity_timeout=1.0):
            if method is not None:
                message = json.loads(body)
                if message.get("schema") == SCHEMA_VERSION:
                    _print_message(method.routing_key, message, properties.message_id in expected)
                    if properties.message_id in expected:
                        ours[properties.message_id] = message
                channel.basic_ack(method.delivery_tag)
            if expected <= set(ours) or time.monotonic() > deadline:
                break
        channel.cancel()
    finally:
        connection.close()
    missing = expected - set(ours)
    if missing:
        click.echo(f"{len(missing)} message(s) did not arrive in time: {sorted(missing)}")
        return 1, []
    click.echo(f"\nall {len(expected)} notices arrived in {ASSIGNMENT_QUEUE}, once each.")
    return 0, list(ours.values())


def _print_message(routing_key: str, message: dict[str, Any], ours: bool) -> None:
    person = message["person"]
    label = "" if ours else "  (left over from an earlier run)"
    click.echo(
        f"  ← {routing_key:<32} {message['kind']:<21} {mask_name(person['name'])} "
        f"{mask_id_number(person.get('id_number'))}  due {message['deadline']['due_at']} "
        f"({message['deadline']['basis']}){' flags=' + ','.join(message['flags']) if message['flags'] else ''}{label}"
    )


def _broker_answers(url: str) -> bool:
    try:
        pika.BlockingConnection(connection_parameters(url)).close()
    except CONNECTION_ERRORS:
        return False
    return True


def _declare_topology(url: str) -> None:
    publisher = ConfirmedPublisher(url)
    publisher.connect()
    publisher.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """One of the demo's processes, its output in `log` (shown if the gateway does not start)."""
    with log.open("wb") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)


def _wait_healthy(base: str, gateway: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    """Until the gateway answers /healthz; if it exits or stays silent, what it printed says why."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and gateway.poll() is None:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    status = "stopped" if gateway.poll() is not None else f"did not answer within {timeout:.0f} s"
    printed = log.read_text(errors="replace").splitlines()[-20:]
    raise click.ClickException("\n".join([f"the gateway at {base} {status}; it printed:", *printed]))


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@click.command("demo")
@click.option("--port", type=int, default=0, help="Port for the demo gateway; default: a free one.")
@click.option(
    "--console", is_flag=True, help="Then keep serving, with open notices and accounts for the staff console."
)
def command(port: int, console: bool) -> None:
    """Start gateway and relay on a fresh SQLite file and push the sample notices through RabbitMQ."""
    if "LAGW_LOG_FORMAT" not in os.environ:
        configure_logging("text", force=True)  # a person reads the demo at a terminal
    # SIGTERM stops the demo as Ctrl-C does: its gateway, relay, answers and delivery processes are stopped
    # and its temporary folder removed (Python's default for SIGTERM ends the process and skips that).
    signal.signal(signal.SIGTERM, _interrupt)
    sys.exit(run_demo(port, console))


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
