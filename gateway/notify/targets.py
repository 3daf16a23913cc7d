"""Where the gateway may send an agency's callback: checked when an operator registers it.

An agency names the address its answers go to, so an unchecked one would let it steer the gateway's own
calls at the gateway's neighbours: the broker, the database, a cloud metadata service. Only http(s) URLs
are taken, whose host resolves to public addresses only, unless the operator allows the host by name or
its network (`LAGW_CALLBACK_ALLOWED_HOSTS`: agencies on a private government network).
"""

import ipaddress
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]


class CallbackTargetRefused(ValueError):
    """The callback URL is not one the gateway may call; the message says why and what to do."""


def resolve(host: str) -> list[str]:
    """Every address the host name resolves to (an address resolves to itself)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)})


def check_callback_url(url: str, allowed: Sequence[str], resolver: Resolver = resolve) -> None:
    """CallbackTargetRefused unless `url` is http(s) to a host that is public or allowed."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackTargetRefused(f"{url!r} is not an http or https URL with a host")
    if parts.username or parts.password:
        raise CallbackTargetRefused("a callback URL carries no user name or password; use --username and --secret")
    try:
        parts.port  # noqa: B018 (a malformed port raises here)
    except ValueError as exc:
        raise CallbackTargetRefused(f"{url!r} has no valid port") from exc
    host = parts.hostname.lower()
    if host in {entry.lower() for entry in allowed}:
        return
    try:
        addresses = [_unmapped(ipaddress.ip_address(found)) for found in resolver(host)]
    except (OSError, ValueError) as exc:
        raise CallbackTargetRefused(f"the host {host} does not resolve from the gateway") from exc
    networks = [_network(entry) for entry in allowed]
    for address in addresses:
        if not address.is_global and not any(address in network for network in networks if network):
            raise CallbackTargetRefused(
                f"the host {host} is at {address}, a loopback, private, link-local or reserved address; "
                "if the agency is really there, allow it with LAGW_CALLBACK_ALLOWED_HOSTS (its name or network)"
            )


def _unmapped(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return None  # a host name
