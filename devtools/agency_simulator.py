"""An agency's system as the way back sees it: a SOAP callback service and a webhook receiver.

The demo runs it as the agencies' side; the tests use it to prove what an agency receives.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from types import SimpleNamespace
from typing import Any

from flask import Flask, Response, request
from lxml import etree
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug.serving import make_server

from gateway.contracts.hardened import PARSER
from gateway.logs import REQUEST_ID_HEADER
from gateway.notify.webhook import IDEMPOTENCY_HEADER
from gateway.web.soap.envelope import SOAP11
from gateway.web.soap.security import TokenVerifier, read_username_token

USERNAME, PASSWORD = "gateway", "callback-password"
WEBHOOK_SECRET = "whsec_YWdlbmN5LXNpbXVsYXRvci13ZWJob29rLWtleSE="  # Standard Webhooks form: whsec_ + base64 key


@dataclass
class AgencySimulator:
    """What the agency received, and how it misbehaves.

    `failing` answers every call with that status; `stall` records the notice, then waits that many
    seconds before answering (a caller with a shorter timeout sees a timeout for a notice that arrived);
    `wsdl_served` replaces a service's WSDL with other bytes (a WSDL changed after registration, or a hostile
    one).
    """

    base: str = ""
    failing: int | None = None
    stall: float = 0.0
    received: dict[str, dict[str, Any]] = field(default_factory=dict)  # idempotency key -> notice
    calls: int = 0
    wsdl_served: dict[str, bytes] = field(default_factory=dict)  # service -> the bytes served for its ?wsdl

    def wsdl_url(self, agency: str) -> str:
        """Where the gateway finds the agency's callback WSDL."""
        return f"{self.base}/soap/{agency}-callback?wsdl"


class _Credentials:
    """The one account the agency gave the gateway."""

    def by_code(self, code: str) -> Any:
        return SimpleNamespace(code=code) if code == USERNAME else None

    def keys_of(self, code: str) -> list[str]:
        return [PASSWORD] if code == USERNAME else []

    def by_api_key(self, api_key: str) -> Any:
        return SimpleNamespace(code=USERNAME) if api_key == PASSWORD else None


class _Nonces:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def remember(self, agency_code: str, nonce: str, at: Any) -> bool:
        fresh = nonce not in self.seen
        self.seen.add(nonce)
        return fresh


def _app(sim: AgencySimulator) -> Flask:
    app = Flask("agency-simulator")
    verifier = TokenVerifier(_Credentials(), _Nonces(), lambda: datetime.now(UTC), timedelta(minutes=5))
    lock = threading.Lock()

    @app.get("/soap/<service>")
    def wsdl(service: str) -> Response:
        if service in sim.wsdl_served:
            return Response(sim.wsdl_served[service], content_type="text/xml")
        agency = service.removesuffix("-callback")
        wsdl_file = resources.files(f"adapters.{agency}.wsdl").joinpath(f"{service}.wsdl")
        document = etree.ElementTree(etree.fromstring(wsdl_file.read_bytes(), PARSER))
        for node in document.iter("{*}address"):
            node.set("location", f"{sim.base}/soap/{service}")
        return Response(etree.tostring(document), content_type="text/xml")

    @app.post("/soap/<service>")
    def soap(service: str) -> Response:
        with lock:
            sim.calls += 1
        if sim.failing:
            return Response("unavailable", status=sim.failing)
        root = etree.fromstring(request.get_data(), PARSER)
        header = root.find(SOAP11.qname("Header"))
        verifier.verify(read_username_token(header, SOAP11))  # raises on a bad token: a 500 to the gateway
        operation = root.find(SOAP11.qname("Body"))[0]
        namespace = etree.QName(operation).namespace
        notice = {etree.QName(child).localname: child for child in operation}
        key = notice["IdempotencyKey"].text
        with lock:
            entry = sim.received.setdefault(key, {"element": operation, "calls": 0})
            entry["calls"] += 1
            entry["request_id"] = request.headers.get(REQUEST_ID_HEADER)
            entry["traceparent"] = request.headers.get("traceparent")
        time.sleep(sim.stall)
        answer = (
            f'<S:Envelope xmlns:S="{SOAP11.namespace}"><S:Body><a:ReceiveLegalAidReplyResponse xmlns:a="{namespace}">'
            "<a:Received>true</a:Received></a:ReceiveLegalAidReplyResponse></S:Body></S:Envelope>"
        )
        return Response(answer, content_type="text/xml; charset=utf-8")

    @app.post("/webhook")
    def webhook() -> Response:
        with lock:
            sim.calls += 1
        if sim.failing:
            return Response("unavailable", status=sim.failing)
        body = request.get_data()
        try:  # as an agency's receiver would: a Standard Webhooks library, with the secret
            Webhook(WEBHOOK_SECRET).verify(body, dict(request.headers), json_parse=False)
        except WebhookVerificationError:
            return Response("bad signature", status=401)
        with lock:
            entry = sim.received.setdefault(
                request.headers[IDEMPOTENCY_HEADER], {"json": request.get_json(), "calls": 0}
            )
            entry["calls"] += 1
            entry["request_id"] = request.headers.get(REQUEST_ID_HEADER)
            entry["traceparent"] = request.headers.get("traceparent")
        time.sleep(sim.stall)
        return Response(status=204)

    return app


@contextmanager
def running_agency() -> Iterator[AgencySimulator]:
    """The simulator on a free local port, in a thread."""
    sim = AgencySimulator()
    server = make_server("127.0.0.1", 0, _app(sim), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sim.base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield sim
    finally:
        server.shutdown()
        thread.join(timeout=5)
