"""An agency's callback URL is checked when it is registered: the gateway calls only public http(s) hosts,
or hosts the operator allowed by name or network."""

import ipaddress
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gateway.bootstrap import build_services
from gateway.cli.main import main
from gateway.config import Settings
from gateway.notify.targets import CallbackTargetRefused, check_callback_url
from gateway.service.ports import Callback

HOSTS = {
    "court.example.cn": ["203.0.113.7"],  # documentation range: not public
    "public.example.cn": ["8.8.4.4"],
    "mixed.example.cn": ["8.8.4.4", "10.0.0.5"],  # one public, one private address: refused
    "metadata.example.cn": ["169.254.169.254"],
    "mapped.example.cn": ["::ffff:127.0.0.1"],
}


def _resolver(host: str) -> list[str]:
    if host in HOSTS:
        return HOSTS[host]
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        raise OSError("no such host") from None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "not an http or https URL"),
        ("gopher://public.example.cn/", "not an http or https URL"),
        ("not a url", "not an http or https URL"),
        ("http:///no-host", "not an http or https URL"),
        ("http://127.0.0.1:5672/", "loopback, private"),
        ("http://[::1]/hook", "loopback, private"),
        ("http://169.254.169.254/latest/meta-data/", "loopback, private"),
        ("http://metadata.example.cn/", "169.254.169.254"),
        ("http://mapped.example.cn/", "127.0.0.1"),
        ("http://10.1.2.3/hook", "loopback, private"),
        ("https://mixed.example.cn/hook", "10.0.0.5"),
        ("https://nowhere.example.cn/hook", "does not resolve"),
        ("https://user:pw@public.example.cn/hook", "no user name or password"),
        ("https://public.example.cn:99999/hook", "no valid port"),
    ],
)
def test_a_callback_the_gateway_must_not_call_is_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(CallbackTargetRefused, match=reason):
        check_callback_url(url, (), _resolver)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://public.example.cn/legalaid?wsdl", ()),
        ("http://court.example.cn/hook", ("court.example.cn",)),  # allowed by name
        ("http://10.1.2.3:8080/hook", ("10.1.0.0/16",)),  # allowed by network
        ("http://127.0.0.1:8080/hook", ("127.0.0.1",)),  # a simulator on the same host
    ],
)
def test_a_public_or_allowed_callback_is_taken(url: str, allowed: tuple[str, ...]) -> None:
    check_callback_url(url, allowed, _resolver)


def test_an_allowed_network_does_not_open_the_others() -> None:
    with pytest.raises(CallbackTargetRefused):
        check_callback_url("http://10.2.0.1/hook", ("10.1.0.0/16",), _resolver)


def _cli(tmp_path: Path, *args: str, allowed: str = "") -> Result:
    env = {"LAGW_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3", "LAGW_CALLBACK_ALLOWED_HOSTS": allowed}
    return CliRunner().invoke(main, list(args), env=env)


def test_set_callback_refuses_a_loopback_url_and_stores_nothing(tmp_path: Path) -> None:
    court = ("--code", "C1", "--name", "市南区人民法院", "--type", "court", "--district", "370202")
    added = _cli(tmp_path, "agency", "add", *court)
    assert added.exit_code == 0, added.output
    webhook = ("agency", "set-callback", "--code", "C1", "--kind", "webhook", "--url")

    refused = _cli(tmp_path, *webhook, "http://127.0.0.1:5672/")
    stored_after_refusal = _callback(tmp_path)
    allowed = _cli(tmp_path, *webhook, "http://127.0.0.1:8080/hook", allowed="127.0.0.1")

    assert refused.exit_code == 1
    assert "callback refused" in refused.output and "LAGW_CALLBACK_ALLOWED_HOSTS" in refused.output
    assert stored_after_refusal is None
    assert allowed.exit_code == 0, allowed.output
    stored = _callback(tmp_path)
    assert stored is not None and stored.url == "http://127.0.0.1:8080/hook"


def _callback(tmp_path: Path) -> Callback | None:
    services = build_services(Settings(database_url=f"sqlite:///{tmp_path}/cli.sqlite3"))
    try:
        return services.agencies.callback_of("C1")
    finally:
        services.engine.dispose()
