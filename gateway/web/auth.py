"""Agency identity from credentials: who sent a message comes from them, never from the body.

Three ways, strongest first: a registered client certificate (mutual TLS), a request signed by RFC 9421 (HTTP
Message Signatures, see gateway.security.request_signing), or `Authorization: Bearer <key>`.
"""

import ssl
from ipaddress import ip_address
from urllib.parse import unquote

from flask import g, request
from requests.structures import CaseInsensitiveDict

from gateway.config import proxy_networks
from gateway.domain.model import Agency
from gateway.errors import ReplayedSecurityToken, StaleSecurityToken, Unauthenticated
from gateway.security.request_signing import BadSignature, Message, claimed_signer, is_signed, verify
from gateway.web.content_encoding import SENT_BODY, SENT_ENCODING
from gateway.web.context import services
from gateway.web.rate_limits import count_agency_call

_HOW = (
    "present a registered client certificate, sign the request (RFC 9421: Signature-Input and Signature), "
    "or send the agency's API key as 'Authorization: Bearer <key>'"
)


def authenticate_agency() -> Agency:
    """The agency the request's credentials prove, or Unauthenticated."""
    by_certificate = _by_client_certificate()
    scheme, _, parameters = request.headers.get("Authorization", "").partition(" ")
    headers = CaseInsensitiveDict(request.headers.items())
    if is_signed(headers):
        if scheme:
            raise Unauthenticated("send either a signature or an Authorization header, not both")
        claimed: Agency | None = _by_signature(headers)
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


def _by_signature(headers: CaseInsensitiveDict[str]) -> Agency:
    registry = services().agencies
    # The request target as the client sent it on the wire (gunicorn: RAW_URI; werkzeug: REQUEST_URI).
    target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path.removesuffix("?")
    url = target if not target.startswith("/") else f"http://gateway{target}"  # the authority is not covered
    try:
        agency = registry.by_code(claimed_signer(headers))
        if agency is None:
            raise BadSignature('the signature\'s "keyid" names no registered agency')
        body = request.environ.get(SENT_BODY) or request.get_data(cache=True)  # as sent: before any gzip is undone
        headers = _as_sent(headers)
        signed = verify(Message(request.method, url, headers), body, registry.keys_of(agency.code))
    except BadSignature as exc:
        raise Unauthenticated(str(exc)) from exc
    window = services().settings.token_window_seconds
    if abs(services().clock.now() - signed.created).total_seconds() > window:
        raise StaleSecurityToken(f"the signature's created time is more than {window} s from the gateway's clock")
    if not services().nonces.remember(agency.code, f"hmac:{signed.nonce}", services().clock.now()):
        raise ReplayedSecurityToken("this nonce was already used: a replayed request")
    return agency


def _as_sent(headers: CaseInsensitiveDict[str]) -> CaseInsensitiveDict[str]:
    """The header fields as the client signed them: a gzip body's Content-Encoding, taken off when the body was
    decoded, put back (it may be covered)."""
    encoding = request.environ.get(SENT_ENCODING)
    if encoding and "content-encoding" not in headers:
        headers = CaseInsensitiveDict(headers)
        headers["Content-Encoding"] = encoding
    return headers
