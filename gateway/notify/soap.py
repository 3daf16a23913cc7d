"""SOAP callbacks: the agency's own callback WSDL, called with zeep and a WS-Security UsernameToken."""

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import requests
from marshmallow import Schema, fields
from zeep import Client
from zeep import Settings as ZeepSettings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.wsse.username import UsernameToken

from gateway.contracts.dialect import pascal_case
from gateway.contracts.xsd import OperationContract, item_name
from gateway.logs import REQUEST_ID_HEADER
from gateway.notify.targets import CallbackTargetRefused
from gateway.notify.wsdl_pin import PinnedTransport, check_wsdl, fetch_wsdl
from gateway.service.ports import DELIVERED, FAILED, Attempt, Callback, Delivery
from gateway.tracing import TRACEPARENT, current_traceparent

log = logging.getLogger(__name__)


def zeep_arguments(schema: Schema, document: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON document as the keyword arguments zeep takes for the operation the schema describes."""
    arguments: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if document.get(name) is None:
            continue
        element = pascal_case(field.data_key or name)
        arguments[element] = _argument(element, field, document[name])
    return arguments


def _argument(element: str, field: fields.Field[Any], value: Any) -> Any:
    if isinstance(field, fields.List):
        return {item_name(element, field): [_argument(element, field.inner, item) for item in value]}
    if isinstance(field, fields.Nested):
        return zeep_arguments(field.schema, value)
    return value


class SoapNotifier:
    """Calls `contract` on the agency's service; a zeep client per callback WSDL is kept."""

    def __init__(self, now: Callable[[], datetime], timeout: float = 10.0) -> None:
        self._now = now
        self._timeout = timeout
        self._clients: dict[tuple[str, str | None, str], Client] = {}

    def send(self, callback: Callback, contract: OperationContract, delivery: Delivery) -> Attempt:
        """One attempt at one notice: the operation's answer must acknowledge it."""
        try:
            client = self._client(callback)
            headers = {REQUEST_ID_HEADER: delivery.http_request_id} if delivery.http_request_id else {}
            traceparent = current_traceparent()  # the delivery's span, in the notice's trace
            if traceparent:
                headers[TRACEPARENT] = traceparent
            operation = getattr(client.service, contract.name)
            arguments = _known_to(client, contract.name, zeep_arguments(contract.request_schema, delivery.body))
            with client.settings(extra_http_headers=headers):
                answer = operation(**arguments)
        except Fault as exc:  # the agency's faultstring is its own text: only a code-shaped code is kept
            code = exc.detail.findtext(".//{*}Code") if exc.detail is not None else None
            shown = _code(code) or _code(str(exc.code)) or "unknown"
            return Attempt(self._now(), FAILED, http_status=500, fault_code=shown, error=f"SOAP Fault {shown}")
        except TransportError as exc:  # its message quotes the body the agency answered
            return Attempt(self._now(), FAILED, http_status=exc.status_code, error=f"HTTP {exc.status_code}")
        except CallbackTargetRefused as exc:  # the WSDL fetched for an older registration did not pass
            return Attempt(self._now(), FAILED, error=f"callback WSDL refused: {exc}"[:500])
        except ZeepError as exc:  # an answer zeep could not read: its message may quote it
            self._clients.pop(_key(callback), None)  # the WSDL may have changed
            return Attempt(self._now(), FAILED, error=f"{type(exc).__name__}: the agency's answer could not be read")
        except (requests.RequestException, OSError) as exc:  # the connection: the gateway's own words
            self._clients.pop(_key(callback), None)
            return Attempt(self._now(), FAILED, error=f"{type(exc).__name__}: {exc}"[:500])
        if getattr(answer, "Received", answer) is not True:
            return Attempt(self._now(), FAILED, http_status=200, error="the agency did not acknowledge the notice")
        return Attempt(self._now(), DELIVERED, http_status=200)

    def _client(self, callback: Callback) -> Client:
        key = _key(callback)
        if key not in self._clients:
            # The WSDL stored at registration; for a callback registered before that was done, fetched now
            # and checked as at registration. zeep loads nothing else.
            document = callback.wsdl
            if document is None:
                document = fetch_wsdl(callback.url, self._timeout)
                check_wsdl(document, callback.url)
            self._clients[key] = Client(  # type: ignore[no-untyped-call]
                callback.url,
                settings=ZeepSettings(strict=True, forbid_external=True, forbid_dtd=True, forbid_entities=True),
                transport=PinnedTransport(callback.url, document, self._timeout),
                wsse=UsernameToken(callback.username or "", callback.secret, use_digest=True),  # type: ignore[no-untyped-call]
            )
        return self._clients[key]


def _known_to(client: Client, operation: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments the agency's WSDL declares: one kept from an older contract lacks the elements added
    since (a `Termination`, say); it still hears the event, and reads the rest with GetStatus."""
    try:
        declared = {name for name, _ in client.service._binding.get(operation).input.body.type.elements}
    except (AttributeError, ValueError):  # not a document/literal wrapped operation: zeep will say what is wrong
        return arguments
    dropped = sorted(set(arguments) - declared)
    if dropped:
        log.warning("callback WSDL of %s lacks %s: sent without them", client.wsdl.location, ", ".join(dropped))
    return {name: value for name, value in arguments.items() if name in declared}


_CODE = re.compile(r"[A-Za-z][A-Za-z0-9:._-]{0,63}")


def _code(text: str | None) -> str | None:
    """A fault code as the agency sent it if it looks like one (a QName or a token), else None."""
    return text.strip() if text and _CODE.fullmatch(text.strip()) else None


def _key(callback: Callback) -> tuple[str, str | None, str]:
    """A client per WSDL and credentials: a changed password or a newly registered WSDL takes effect at once."""
    wsdl = hashlib.sha256(callback.wsdl).hexdigest() if callback.wsdl is not None else ""
    secret = hashlib.sha256(callback.secret.encode("utf-8")).hexdigest()
    return callback.url, callback.username, secret + wsdl
