"""Agency identity from credentials: who sent a message comes from the key, never from the body."""

from flask import g, request

from gateway.domain.model import Agency
from gateway.errors import Unauthenticated
from gateway.web.context import services
from gateway.web.rate_limits import count_agency_call


def authenticate_agency() -> Agency:
    """The agency holding the request's `Authorization: Bearer <key>` and within its rate limit."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthenticated("send the agency's API key as 'Authorization: Bearer <key>'")
    agency = services().agencies.by_api_key(key.strip())
    if agency is None:
        raise Unauthenticated("the API key matches no registered agency")
    g.agency = agency
    count_agency_call(agency.code)
    return agency


def current_agency() -> Agency:
    """The agency authenticated for this request."""
    agency: Agency | None = g.get("agency")
    return agency if agency is not None else authenticate_agency()
