"""One error root for the gateway; each subclass carries a stable code and its fields."""

from collections.abc import Mapping


class GatewayError(Exception):
    """Base of every error the gateway reports to a caller.

    `code` is stable and machine-readable: REST answers it as the problem `type`
    (`/problems/<code>`), SOAP as the fault detail code.
    """

    code = "internal-error"
    status = 500
    title = "Internal error"
    retry_after: int | None = None  # seconds a caller should wait before trying again (503, 429)

    def __init__(self, detail: str, *, errors: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors: dict[str, list[str]] = dict(errors or {})


class InvalidInput(GatewayError):
    """The message is well-formed but its fields are wrong."""

    code = "validation-failed"
    status = 422
    title = "The message failed validation"


class MalformedBody(GatewayError):
    """The body cannot be parsed at all."""

    code = "malformed-body"
    status = 400
    title = "The body is not well-formed"


class UnsupportedMediaType(GatewayError):
    """The body is not of a media type the resource takes."""

    code = "unsupported-media-type"
    status = 415
    title = "Unsupported media type"


class PayloadTooLarge(GatewayError):
    """The body is over the size limit."""

    code = "payload-too-large"
    status = 413
    title = "The body is too large"


class InvalidIdNumber(InvalidInput):
    """A resident ID number fails GB 11643."""

    code = "invalid-id-number"
    title = "The identity number is not valid"


class IdentityMismatch(InvalidInput):
    """What the agency declared contradicts what the ID number encodes."""

    code = "identity-mismatch"
    title = "Declared data contradict the identity number"


class GroundsInvalid(InvalidInput):
    """The grounds of a notify-defense notice are missing or contradict the data."""

    code = "grounds-invalid"
    title = "The grounds do not agree with the data"


class StageNotAllowed(InvalidInput):
    """The agency cannot handle a case at the stage it declared."""

    code = "stage-not-allowed"
    title = "The agency cannot be at this stage"


class Unauthenticated(GatewayError):
    """No credentials, or credentials that match no agency."""

    code = "unauthenticated"
    status = 401
    title = "Authentication required"


class KindNotAllowed(GatewayError):
    """The agency may not send this kind of message, or uses another agency type's service."""

    code = "kind-not-allowed"
    status = 403
    title = "The agency may not send this kind of message"


class NotFromThisAddress(GatewayError):
    """The resource answers only its own host (or a caller with its token): `/metrics` without
    LAGW_METRICS_TOKEN."""

    code = "not-from-this-address"
    status = 403
    title = "Not answered to this address"


class OutsideJurisdiction(GatewayError):
    """The case is in another city than the agency's; another district of its own city is only flagged."""

    code = "outside-jurisdiction"
    status = 403
    title = "The case is outside the agency's jurisdiction"


class RateLimited(GatewayError):
    """The agency (or, at the console's sign-in, the address) sent more than its limit; retry after `Retry-After`."""

    code = "rate-limited"
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RequestNotFound(GatewayError):
    """No request with this id is visible to the caller."""

    code = "request-not-found"
    status = 404
    title = "No such request"


class ReferenceConflict(GatewayError):
    """The agency reused a reference for a different message."""

    code = "reference-conflict"
    status = 409
    title = "The reference was already used for a different message"

    def __init__(self, agency: str, reference: str, existing_id: str) -> None:
        super().__init__(
            f"reference {reference!r} of agency {agency} was already used for request "
            f"{existing_id} with a different body; send a new reference for a new message"
        )
        self.agency = agency
        self.reference = reference
        self.existing_id = existing_id


class NoRoute(GatewayError):
    """No legal aid centre is configured for the agency's level and district."""

    code = "no-route"
    status = 422
    title = "No legal aid centre serves this agency"


class ServiceUnavailable(GatewayError):
    """A dependency the request needs is not available now."""

    code = "service-unavailable"
    status = 503
    title = "Service temporarily unavailable"
    retry_after = 5


class DocumentUnwritable(ServiceUnavailable):
    """The official document a decision issues cannot be written (no Chinese font installed): nothing is changed."""

    code = "document-unwritable"
    title = "The decision's official document cannot be written"


class StoreBusy(ServiceUnavailable):
    """The store did not answer in time (pool exhausted, a lock, a slow disk): try again shortly."""

    code = "store-busy"
    title = "The gateway is busy"
    retry_after = 2


class ForbiddenXml(MalformedBody):
    """The XML carries a construct the gateway never parses: a DOCTYPE, entity declarations, an external DTD."""

    code = "forbidden-xml"
    title = "The XML uses a forbidden construct"


class VersionMismatch(GatewayError):
    """The SOAP envelope is not in the namespace of the SOAP version the request declared."""

    code = "version-mismatch"
    status = 400
    title = "Unsupported SOAP envelope version"


class MustUnderstand(GatewayError):
    """A SOAP header block marked mustUnderstand is one the gateway does not process."""

    code = "must-understand"
    status = 400
    title = "A mandatory SOAP header is not understood"


class UnknownOperation(GatewayError):
    """The SOAP Body holds no element that an operation of this service takes."""

    code = "unknown-operation"
    status = 400
    title = "No such operation"


class StaleSecurityToken(Unauthenticated):
    """The UsernameToken's Created time is outside the accepted window; send a fresh token."""

    code = "stale-security-token"
    title = "The security token is too old or from the future"


class ReplayedSecurityToken(Unauthenticated):
    """The UsernameToken's nonce was already used inside the replay window; send a fresh nonce."""

    code = "replayed-security-token"
    title = "The security token was already used"


class IllegalTransition(GatewayError):
    """The request is in a state from which this change is not allowed; nothing was changed."""

    code = "illegal-transition"
    status = 409
    title = "The request cannot make this change in its current state"


class CredentialsUnreadable(GatewayError):
    """The gateway cannot open an agency's sealed key: its credential key changed. Ours to fix."""

    code = "credentials-unreadable"
    status = 500
    title = "The gateway cannot check this credential"
