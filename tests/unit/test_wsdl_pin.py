"""A SOAP callback's WSDL is taken only whole in itself and pointing at the registered host."""

from importlib import resources

import pytest

from gateway.notify.targets import CallbackTargetRefused
from gateway.notify.wsdl_pin import PinnedTransport, check_wsdl

URL = "https://court.example.cn/soap/court-callback?wsdl"
SHIPPED = resources.files("adapters.court.wsdl").joinpath("court-callback.wsdl").read_bytes()


def _at(address: str, wsdl: bytes = SHIPPED) -> bytes:
    return wsdl.replace(b"http://localhost/soap/court-callback", address.encode())


def test_the_agencys_wsdl_on_its_own_host_is_taken() -> None:
    check_wsdl(_at("https://court.example.cn/soap/court-callback"), URL)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (_at("http://10.0.0.5:5672/"), "not to the registered host court.example.cn"),
        (_at("https://court.example.cn.evil.example/x"), "not to the registered host"),
        (
            _at("https://court.example.cn/s").replace(
                b"<xs:schema", b'<xs:schema><xs:import schemaLocation="file:///etc/passwd"/></xs:schema><xs:schema', 1
            ),
            "file:///etc/passwd",
        ),
        (
            _at("https://court.example.cn/s").replace(
                b"<wsdl:types>",
                b'<wsdl:import namespace="urn:x" location="http://court.example.cn/more.wsdl"/><wsdl:types>',
                1,
            ),
            "whole in itself",
        ),
        (_at("https://court.example.cn/s").replace(b":address ", b":elsewhere "), "names no service address"),
        (b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', "not a plain XML document"),
        (b"not xml", "not a plain XML document"),
    ],
    ids=["another host", "a look-alike host", "xs:import of a file", "wsdl:import", "no address", "DOCTYPE", "not XML"],
)
def test_a_wsdl_that_could_steer_or_read_is_refused(document: bytes, reason: str) -> None:
    with pytest.raises(CallbackTargetRefused, match=reason):
        check_wsdl(document, URL)


def test_the_pinned_transport_serves_only_the_stored_wsdl() -> None:
    transport = PinnedTransport(URL, b"<stored/>", timeout=1)

    assert transport.load(URL) == b"<stored/>"
    for other in ("file:///etc/passwd", "https://court.example.cn/other.xsd"):
        with pytest.raises(CallbackTargetRefused):
            transport.load(other)
