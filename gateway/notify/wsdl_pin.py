"""An agency's callback WSDL, fetched once when the operator registers it, checked, and kept in the store.

The WSDL says where the gateway's SOAP calls go. Fetched afresh at each delivery it would let the agency (or
whoever answers at its address) move them anywhere, and an `xs:import` of a `file://` location would be read
from the gateway's disk. So the document is fetched at registration, through the same checks as any
callback URL; it must be whole in itself (no import or include of another document) and its service
addresses must be on the registered host. Deliveries use the stored copy and load nothing else.
"""

from urllib.parse import urlsplit

import requests
from lxml import etree
from zeep.transports import Transport

from gateway.contracts.hardened import parse_untrusted
from gateway.errors import GatewayError
from gateway.notify.targets import CallbackTargetRefused

MAX_WSDL_BYTES = 1024 * 1024
_LOADS = ("import", "include", "redefine")  # WSDL and XML Schema elements that pull in another document
_LOCATIONS = ("location", "schemaLocation")
_ADDRESS = "address"  # soap:address and soap12:address (and wsdl 2 endpoints' address attribute)


def fetch_wsdl(url: str, timeout: float) -> bytes:
    """The document at `url` (no redirect followed, at most 1 MiB), or CallbackTargetRefused saying why."""
    try:
        with requests.get(url, timeout=timeout, allow_redirects=False, stream=True) as response:
            if response.status_code != 200:
                raise CallbackTargetRefused(f"the WSDL URL answered HTTP {response.status_code}, not 200")
            body = response.raw.read(MAX_WSDL_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise CallbackTargetRefused(f"the WSDL could not be fetched: {type(exc).__name__}") from exc
    if len(body) > MAX_WSDL_BYTES:
        raise CallbackTargetRefused(f"the WSDL is over {MAX_WSDL_BYTES} bytes")
    return bytes(body)


def check_wsdl(document: bytes, url: str) -> None:
    """CallbackTargetRefused unless the WSDL is whole in itself and its services are on the host of `url`."""
    try:
        root = parse_untrusted(document)
    except GatewayError as exc:  # the parser's refusals: not XML, a DOCTYPE, too many declarations
        raise CallbackTargetRefused(f"the WSDL is not a plain XML document: {exc}") from exc
    host = urlsplit(url).hostname
    addresses = []
    for element in root.iter(etree.Element):
        name = etree.QName(element).localname
        if name in _LOADS and any(element.get(attribute) for attribute in _LOCATIONS):
            raise CallbackTargetRefused(
                f"the WSDL {name}s another document ({element.get('location') or element.get('schemaLocation')}); "
                "it must be whole in itself, its types inline"
            )
        if name == _ADDRESS and element.get("location"):
            addresses.append(element.get("location", ""))
    if not addresses:
        raise CallbackTargetRefused("the WSDL names no service address (soap:address)")
    elsewhere = sorted({address for address in addresses if urlsplit(address).hostname != host})
    if elsewhere:
        raise CallbackTargetRefused(
            f"the WSDL sends calls to {', '.join(elsewhere)}, not to the registered host {host}"
        )


class PinnedTransport(Transport):
    """zeep's transport with the stored WSDL as the only document it will load; calls go out as usual."""

    def __init__(self, url: str, document: bytes, timeout: float) -> None:
        super().__init__(timeout=timeout, operation_timeout=timeout)  # type: ignore[no-untyped-call]
        self._url = url
        self._document = document

    def load(self, url: str) -> bytes:
        """The stored WSDL for its own URL; anything else (an import, a file) is refused."""
        if url == self._url:
            return self._document
        raise CallbackTargetRefused(f"the callback WSDL may load no other document ({url})")
