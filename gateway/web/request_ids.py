"""X-Request-Id: taken from the agency's call (or made), logged with every line, returned on the answer,
and carried on the bus message and the callback; and the call's span, under the caller's `traceparent`."""

from flask import Flask, Response, g, request

from gateway.logs import REQUEST_ID_HEADER as HEADER
from gateway.logs import request_id_from, request_id_var
from gateway.tracing import end_server_span, start_server_span

PROPAGATED = ("traceparent", "tracestate", "baggage")  # W3C Trace Context and Baggage: all the span reads


def init_request_ids(app: Flask) -> None:
    """Give every request an id before anything else runs, and echo it back."""

    def _take_request_id() -> None:
        g.request_id = request_id_from(request.headers.get(HEADER))
        g.request_id_token = request_id_var.set(g.request_id)
        name = f"{request.method} {request.url_rule.rule if request.url_rule else request.path}"
        # The call's span, under the caller's traceparent if it sent one.
        headers = request.headers
        trace_context = {key: value for key in PROPAGATED if (value := headers.get(key)) is not None}
        g.trace_span = start_server_span(trace_context, name)

    app.before_request_funcs.setdefault(None, []).insert(0, _take_request_id)  # before any hook that may refuse

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers[HEADER] = g.request_id
        return response

    @app.teardown_request
    def _forget_request_id(_error: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id_var.reset(token)
        span = g.pop("trace_span", None)
        if span is not None:
            end_server_span(*span)


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    found: str | None = g.get("request_id")
    return found
