"""The demo's legal aid centre: answers each notice from the assignment queue over `legalaid.appointments`."""

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import click
import pika
import requests

from devtools.agency_simulator import AgencySimulator
from gateway.messaging.publisher import connection_parameters
from gateway.messaging.topology import APPOINTMENTS_QUEUE
from schemas.answer_message import ANSWER_SCHEMA

LAWYER = {
    "name": "周律师",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
    "years_of_practice": 8,
}


def answers_for(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """What the centre's assignment system sends for one request: (message_id, legalaid.answer/1 body)."""
    now = datetime.now(UTC).replace(microsecond=0)
    request_id, centre = message["id"], message["routing"]["centre_code"]
    appointment: dict[str, Any] = {"lawyer": LAWYER, "appointed_at": now.isoformat()}
    if message["kind"] == "duty_lawyer":
        appointment |= {"duty_place": "看守所值班律师工作站", "duty_time": (now + timedelta(days=1)).isoformat()}
    sent: list[tuple[str, dict[str, Any]]] = []
    if message["kind"] == "application_transfer":
        decision = {"outcome": "granted", "decided_at": now.isoformat()}
        sent.append((f"{request_id}.decision", _answer("decision", request_id, centre, decision)))
    sent.append((f"{request_id}.appointment", _answer("appointment", request_id, centre, appointment)))
    return sent


def publish_answers(amqp_url: str, answers: list[tuple[str, dict[str, Any]]]) -> None:
    """Publish persistently, with confirms, to the queue the gateway consumes."""
    connection = pika.BlockingConnection(connection_parameters(amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    for message_id, body in answers:
        properties = pika.BasicProperties(message_id=message_id, delivery_mode=2, content_type="application/json")
        channel.basic_publish("", APPOINTMENTS_QUEUE, json.dumps(body, ensure_ascii=False).encode(), properties)
    connection.close()
    click.echo(f"\nthe centre answered with {len(answers)} message(s) on {APPOINTMENTS_QUEUE}")


def wait_for_notices(agency: AgencySimulator, expected: int, timeout: float = 60.0) -> bool:
    """Wait until the simulated agencies have received `expected` notices; print them."""
    deadline = time.monotonic() + timeout
    while len(agency.received) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    for key, notice in agency.received.items():
        via = "SOAP ReceiveLegalAidReply" if "element" in notice else "signed webhook"
        click.echo(f"  → agency received {key} by {via}")
    return len(agency.received) >= expected


def show_states(base: str, keys: dict[str, str], sent: dict[str, str]) -> None:
    """Each request's state as its sender reads it."""
    for request_id, code in sent.items():
        status = requests.get(
            f"{base}/api/v1/requests/{request_id}", headers={"Authorization": f"Bearer {keys[code]}"}, timeout=10
        ).json()
        lawyer = (status.get("appointment") or {}).get("lawyer", {}).get("name", "-")
        events = " → ".join(entry["event"] for entry in status["history"] if not entry["event"].startswith("deadline"))
        click.echo(f"  {code:<15} {status['kind']:<21} {status['state']:<9} lawyer={lawyer}  {events}")


def _answer(kind: str, request_id: str, centre: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"schema": ANSWER_SCHEMA, "type": kind, "request_id": request_id, "centre_code": centre, "body": body}
