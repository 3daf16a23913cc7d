"""Every error becomes an RFC 9457 problem document, mapped here and nowhere else."""

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from gateway.errors import GatewayError, RateLimited
from gateway.web.soap.faults import fault_response

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/problems/"

_HTTP_CODES = {
    400: "malformed-body",
    401: "unauthenticated",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
}


def problem_response(
    status: int, code: str, title: str, detail: str, errors: Mapping[str, list[str]] | None = None
) -> Response:
    """A problem+json response with a stable `type` and optional per-field `errors`."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        "code": code,
    }
    if errors:
        body["errors"] = dict(errors)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MEDIA_TYPE
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="legal-aid-gateway"'
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into `{"a.b.0.c": ["..."]}`."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": list(messages)}
    flat: dict[str, list[str]] = {}
    items = messages.items() if isinstance(messages, dict) else enumerate(messages)
    for key, value in items:
        flat.update(flatten_messages(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def gateway_error_response(exc: GatewayError) -> Response:
    """A Fault under /soap/, a problem document elsewhere; over a rate limit, with Retry-After."""
    if _is_soap():
        response = fault_response(exc)
    else:
        response = problem_response(exc.status, exc.code, exc.title, exc.detail, exc.errors)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def register_error_handlers(app: Flask) -> None:
    """Map GatewayError and HTTP errors to problem documents; never leak a stack trace."""

    @app.errorhandler(GatewayError)
    def _gateway_error(exc: GatewayError) -> Response:
        return gateway_error_response(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = _HTTP_CODES.get(status, "http-error")
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages")
        errors = None
        if messages:
            # webargs nests by location ("json"); the location is noise to the caller.
            errors = flatten_messages(messages.get("json", messages) if isinstance(messages, dict) else messages)
        if status == 400 and messages:
            code = "malformed-body"
            errors = None
        detail = exc.description or exc.name
        if status == 422:
            detail = "the message does not match the schema; see errors"
        if _is_soap():
            return fault_response(_as_gateway_error(status, code, exc.name, detail))
        return problem_response(status, code, exc.name, detail, errors)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_soap():
            return fault_response(GatewayError("the gateway could not process the request"))
        return problem_response(500, "internal-error", "Internal error", "the gateway could not process the request")


def _is_soap() -> bool:
    return request.path.startswith("/soap/")


def _as_gateway_error(status: int, code: str, title: str, detail: str) -> GatewayError:
    """An HTTP error (405, 413 …) as a GatewayError, so SOAP callers get a Fault with the same code."""
    error = GatewayError(detail)
    error.status, error.code, error.title = status, code, title
    return error
