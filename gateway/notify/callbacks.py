"""The Notifier port: a notice sent by the agency's own callback, a signed webhook or its SOAP service."""

from collections.abc import Callable, Mapping
from datetime import datetime

from gateway.contracts.xsd import OperationContract
from gateway.domain.enums import AgencyType
from gateway.notify.soap import SoapNotifier
from gateway.notify.webhook import WebhookNotifier
from gateway.service.ports import FAILED, Attempt, Callback, Delivery


class CallbackNotifier:
    """A webhook is POSTed and signed; a SOAP callback is called with its agency type's contract."""

    def __init__(
        self, contracts: Mapping[AgencyType, OperationContract], now: Callable[[], datetime], timeout: float = 10.0
    ) -> None:
        self._contracts = contracts
        self._now = now
        self._webhook = WebhookNotifier(now, timeout)
        self._soap = SoapNotifier(now, timeout)

    def send(self, callback: Callback, agency_type: AgencyType, delivery: Delivery) -> Attempt:
        """One attempt at one notice."""
        if callback.kind == "webhook":
            return self._webhook.send(callback, delivery)
        contract = self._contracts.get(agency_type)
        if callback.kind != "soap" or contract is None:
            return Attempt(self._now(), FAILED, error=f"no {callback.kind} callback for a {agency_type.value}")
        return self._soap.send(callback, contract, delivery)
