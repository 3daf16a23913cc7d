"""Every error becomes an RFC 9457 problem document, mapped here and nowhere else."""

import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy.exc
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from gateway.errors import GatewayError, StoreBusy
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
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: Mapping[str, list[str]] | None = None,
    retry_after: int | None = None,
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
    g.problem_code = code  # for the intake metrics
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="legal-aid-gateway"'
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
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


def register_error_handlers(app: Flask) -> None:
    """Map GatewayError and HTTP errors to problem documents; never leak a stack trace."""

    app.register_error_handler(GatewayError, gateway_error_response)
    app.register_error_handler(sqlalchemy.exc.TimeoutError, _store_busy)
    app.register_error_handler(sqlalchemy.exc.OperationalError, _store_busy)

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
        response = problem_response(status, code, exc.name, detail, errors)
        allowed = getattr(exc, "valid_methods", None)
        if status == 405 and allowed:  # RFC 9110 15.5.6: a 405 says which methods the resource takes
            response.headers["Allow"] = ", ".join(sorted(allowed))
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_soap():
            return fault_response(GatewayError("the gateway could not process the request"))
        return problem_response(500, "internal-error", "Internal error", "the gateway could not process the request")


def gateway_error_response(exc: GatewayError) -> Response:
    """The error as problem+json, or as a SOAP Fault on a /soap/ path; with Retry-After when it has one."""
    if _is_soap():
        return fault_response(exc)
    return problem_response(exc.status, exc.code, exc.title, exc.detail, exc.errors, exc.retry_after)


def _store_busy(exc: Exception) -> Response:
    # Fail fast instead of queueing threads behind a slow store; the transaction rolled back.
    log.warning("store did not answer in time on %s %s: %s", request.method, request.path, type(exc).__name__)
    return gateway_error_response(StoreBusy("the store is slow or unreachable; nothing was stored, send it again"))


def _is_soap() -> bool:
    return request.path.startswith("/soap/")


def _as_gateway_error(status: int, code: str, title: str, detail: str) -> GatewayError:
    """An HTTP error (405, 413 …) as a GatewayError, so SOAP callers get a Fault with the same code."""
    error = GatewayError(detail)
    error.status, error.code, error.title = status, code, title
    return error
