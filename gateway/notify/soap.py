"""SOAP callbacks: the agency's own callback WSDL, called with zeep and a WS-Security UsernameToken."""

import hashlib
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

from gateway.logs import REQUEST_ID_HEADER
from gateway.notify.targets import CallbackTargetRefused
from gateway.notify.wsdl_pin import PinnedTransport, check_wsdl, fetch_wsdl
from gateway.ports import Callback
from gateway.store.deliveries import DELIVERED, Attempt, Delivery
from gateway.web.soap.dialect import pascal_case
from gateway.web.soap.xsd import OperationContract, item_name

FAILED = "failed"


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
            operation = getattr(client.service, contract.name)
            with client.settings(extra_http_headers=headers):
                answer = operation(**zeep_arguments(contract.request_schema, delivery.body))
        except Fault as exc:
            code = exc.detail.findtext(".//{*}Code") if exc.detail is not None else None
            return Attempt(self._now(), FAILED, http_status=500, fault_code=code or str(exc.code), error=exc.message)
        except TransportError as exc:
            return Attempt(self._now(), FAILED, http_status=exc.status_code, error=str(exc)[:500])
        except CallbackTargetRefused as exc:  # the WSDL fetched for an older registration did not pass
            return Attempt(self._now(), FAILED, error=f"callback WSDL refused: {exc}"[:500])
        except (ZeepError, requests.RequestException, OSError) as exc:
            self._clients.pop(_key(callback), None)  # the WSDL may have changed
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


def _key(callback: Callback) -> tuple[str, str | None, str]:
    """A client per WSDL and credentials: a changed password or a newly registered WSDL takes effect at once."""
    wsdl = hashlib.sha256(callback.wsdl).hexdigest() if callback.wsdl is not None else ""
    secret = hashlib.sha256(callback.secret.encode("utf-8")).hexdigest()
    return callback.url, callback.username, secret + wsdl
