"""Agency identity from credentials: who sent a message comes from them, never from the body.

Three ways, strongest first: a registered client certificate (mutual TLS), a signed request
(`LAGW-HMAC-SHA256`, see gateway.security.request_signing), or `Authorization: Bearer <key>`.
"""

import ssl
import time
from ipaddress import ip_address
from urllib.parse import unquote

from flask import g, request

from gateway.config import proxy_networks
from gateway.domain.model import Agency
from gateway.errors import ReplayedSecurityToken, StaleSecurityToken, Unauthenticated
from gateway.security.request_signing import SCHEME, BadSignatureHeader, parse_credential, signature_matches
from gateway.web.context import services
from gateway.web.rate_limits import count_agency_call

_HOW = (
    "present a registered client certificate, sign the request ('Authorization: LAGW-HMAC-SHA256 …'), "
    "or send the agency's API key as 'Authorization: Bearer <key>'"
)


def authenticate_agency() -> Agency:
    """The agency the request's credentials prove, or Unauthenticated."""
    by_certificate = _by_client_certificate()
    scheme, _, parameters = request.headers.get("Authorization", "").partition(" ")
    if scheme == SCHEME:
        claimed: Agency | None = _by_signature(parameters)
    elif scheme.lower() == "bearer" and parameters.strip():
        claimed = services().agencies.by_api_key(parameters.strip())
        if claimed is None:
            raise Unauthenticated("the API key matches no registered agency")
    elif scheme:
        raise Unauthenticated(f"unsupported authorization scheme; {_HOW}")
    else:
        claimed = None
    if by_certificate is not None and claimed is not None and by_certificate.code != claimed.code:
        raise Unauthenticated("the client certificate and the credentials belong to different agencies")
    agency = by_certificate or claimed
    if agency is None:
        raise Unauthenticated(_HOW)
    g.agency = agency
    count_agency_call(agency.code)
    return agency


def check_client_certificate(agency: Agency) -> None:
    """For transports with their own credentials (SOAP's UsernameToken): a presented certificate must be
    registered, and to the same agency."""
    by_certificate = _by_client_certificate()
    if by_certificate is not None and by_certificate.code != agency.code:
        raise Unauthenticated("the client certificate and the credentials belong to different agencies")


def current_agency() -> Agency:
    """The agency authenticated for this request."""
    agency: Agency | None = g.get("agency")
    return agency if agency is not None else authenticate_agency()


def _by_client_certificate() -> Agency | None:
    """The presented certificate's agency; a certificate must be registered."""
    der = _presented_certificate()
    if not der:
        return None
    code = services().certificates.agency_of(der)
    agency = services().agencies.by_code(code) if code else None
    if agency is None:
        raise Unauthenticated("the client certificate is not registered to any agency (or has expired)")
    return agency


def _presented_certificate() -> bytes | None:
    """From gunicorn serving TLS itself (it hands the socket over), or from a TLS-terminating proxy that verified
    it and passes it URL-escaped in LAGW_CLIENT_CERT_HEADER, believed only from LAGW_TRUSTED_PROXIES."""
    sock = request.environ.get("gunicorn.socket")
    if isinstance(sock, ssl.SSLSocket):
        der: bytes | None = sock.getpeercert(binary_form=True)
        if der:
            return der
    settings = services().settings
    forwarded = request.headers.get(settings.client_cert_header) if settings.client_cert_header else None
    if not forwarded or not _from_trusted_proxy(request.remote_addr, settings.trusted_proxies):
        return None
    try:
        return ssl.PEM_cert_to_DER_cert(unquote(forwarded).strip())
    except ValueError as exc:
        raise Unauthenticated(f"the proxy's {settings.client_cert_header} header holds no PEM certificate") from exc


def _from_trusted_proxy(address: str | None, proxies: tuple[str, ...]) -> bool:
    try:
        peer = ip_address(address or "")
    except ValueError:
        return False
    return any(peer in network for network in proxy_networks(proxies))


def _by_signature(parameters: str) -> Agency:
    try:
        credential = parse_credential(parameters)
    except BadSignatureHeader as exc:
        raise Unauthenticated(str(exc)) from exc
    registry = services().agencies
    agency = registry.by_code(credential.agency_code)
    # The request target as the client sent it on the wire (gunicorn: RAW_URI; werkzeug: REQUEST_URI).
    path = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path.removesuffix("?")
    body = request.get_data(cache=True)
    if agency is None or not signature_matches(registry.keys_of(agency.code), credential, request.method, path, body):
        raise Unauthenticated("the signature does not match the request under the agency's key")
    window = services().settings.token_window_seconds
    if abs(time.time() - credential.timestamp) > window:
        raise StaleSecurityToken(f"the signature's Timestamp is more than {window} s from the gateway's clock")
    if not services().nonces.remember(agency.code, f"hmac:{credential.nonce}", services().clock.now()):
        raise ReplayedSecurityToken("this Nonce was already used: a replayed request")
    return agency
