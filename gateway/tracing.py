"""Traces by W3C Trace Context with OpenTelemetry: one notice is one trace.

The agency's `traceparent` (or a new trace) is the intake's span; the request keeps it, and every later step
of that notice continues the same trace under it: its message on the bus, each state change and its event,
each callback to the agency (`traceparent` on the webhook or SOAP call). `X-Request-Id` stays beside it.
The store's statements are spans too when they are exported.
Spans are exported only when the standard variables ask for it (`OTEL_TRACES_EXPORTER=otlp`, with
`OTEL_EXPORTER_OTLP_ENDPOINT` and the rest read by the OTLP exporter); by default nothing leaves the process.
"""

import os
import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

TRACEPARENT = "traceparent"
_configured = False
_exporting = False  # spans leave the process (OTEL_TRACES_EXPORTER=otlp)


def configure_tracing() -> None:
    """Once per process: spans with real ids (so traces continue across processes), exported only on request."""
    global _configured
    if _configured:
        return
    _configured = True
    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "lagw")}))
    exporters = {name.strip() for name in os.environ.get("OTEL_TRACES_EXPORTER", "none").split(",")}
    if "otlp" in exporters:
        global _exporting
        _exporting = True
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    if _exporting:
        _instrument_store()


def exporting() -> bool:
    """Whether spans leave the process (then the store's statements are spans too)."""
    return _exporting


def _instrument_store() -> None:
    """Each store statement a CLIENT span in the trace it runs in: OpenTelemetry's SQLAlchemy instrumentation
    wraps `create_engine`, so every engine made after this is traced. Only when spans leave the process: a span
    per statement nobody reads is work on every notice. The spans name the SQL text, never its bound values
    (names, ID numbers)."""
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # It declares SQLAlchemy < 2.1 and would skip itself on 2.1, whose engine events it hooks are unchanged
    # (tests/integration/test_exported_traces.py shows the statements' spans).
    SQLAlchemyInstrumentor().instrument(
        enable_commenter=False, skip_dep_check=True, tracer_provider=_InsideATrace(trace.get_tracer_provider())
    )


class _InsideATrace(trace.TracerProvider):
    """Tracers whose spans exist only inside a trace: the workers' polls of the store, outside any notice, are
    not exported as traces of their own (thousands an hour of one statement each)."""

    def __init__(self, provider: trace.TracerProvider) -> None:
        self._provider = provider

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return _ChildSpansOnly(self._provider.get_tracer(*args, **kwargs))


class _ChildSpansOnly(trace.Tracer):
    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer

    def start_span(self, name: str, context: Context | None = None, *args: Any, **kwargs: Any) -> trace.Span:
        if not trace.get_current_span(context).get_span_context().is_valid:
            return trace.INVALID_SPAN
        return _WithoutErrorText(self._tracer.start_span(name, context, *args, **kwargs))

    @contextmanager
    def start_as_current_span(  # type: ignore[override]
        self, name: str, context: Context | None = None, *args: Any, end_on_exit: bool = True, **kwargs: Any
    ) -> Iterator[trace.Span]:
        kwargs.pop("record_exception", None)
        kwargs.pop("set_status_on_exception", None)
        with trace.use_span(self.start_span(name, context, *args, **kwargs), end_on_exit=end_on_exit) as span:
            yield span


@cache
def _tracer() -> trace.Tracer:
    """The gateway's tracer, made once (before `configure_tracing` it is a proxy that follows the provider)."""
    return trace.get_tracer("lagw")


def current_traceparent() -> str | None:
    """The `traceparent` of the span now current, if there is one."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT)


def traceparent_or(stored: str | None) -> str | None:
    """The current span's `traceparent` when it continues the trace `stored` names; else `stored` itself."""
    current = current_traceparent()
    if current is None or stored is None:
        return current or stored
    return current if current.split("-")[1:2] == stored.split("-")[1:2] else stored


@contextmanager
def span_in(traceparent: str | None, name: str, kind: trace.SpanKind = trace.SpanKind.INTERNAL) -> Iterator[None]:
    """A span continuing the trace `traceparent` names (the caller's own span is linked), or the current one."""
    if traceparent is None:
        with _tracer().start_as_current_span(name, kind=kind):
            yield
        return
    caller = trace.get_current_span().get_span_context()
    links = [trace.Link(caller)] if caller.is_valid else []
    parent = propagate.extract({TRACEPARENT: traceparent})
    with _tracer().start_as_current_span(name, context=parent, kind=kind, links=links):
        yield


def producer_traceparent(traceparent: str, name: str) -> str:
    """A PRODUCER span (the publish, ended at once) in the trace `traceparent` names, under it; the span's own
    `traceparent`, for the message, so its consumer's span hangs under the publish.

    On the relay's hot path: when no span leaves the process, the publish gets its own span id without the
    SDK's work (a span nobody exports is only its id).
    """
    if not _exporting:
        version, trace_id, _parent, flags = [*traceparent.split("-"), "", "", "", ""][:4]
        if version == "00" and len(trace_id) == 32 and len(flags) == 2:
            # A span id need not be secret: random bits as OpenTelemetry's own generator makes them, never all zero.
            return f"00-{trace_id}-{random.getrandbits(64) or 1:016x}-{flags}"
        return traceparent
    span = _tracer().start_span(name, context=propagate.extract({TRACEPARENT: traceparent}),
                                kind=trace.SpanKind.PRODUCER)  # fmt: skip
    try:
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(span))
        return carrier.get(TRACEPARENT, traceparent)
    finally:
        span.end()


def start_server_span(headers: Mapping[str, str], name: str) -> tuple[trace.Span, object]:
    """The span of one incoming call, under the caller's `traceparent` if it sent one; (span, token to detach).
    `headers` need only hold those the propagators read (`traceparent`, `tracestate`, `baggage`)."""
    carrier = {key.lower(): value for key, value in headers.items()}
    span = _tracer().start_span(name, context=propagate.extract(carrier), kind=trace.SpanKind.SERVER)
    return span, context.attach(trace.set_span_in_context(span))


def end_server_span(span: trace.Span, token: object) -> None:
    """End the call's span and restore the context before it."""
    span.end()
    context.detach(token)  # type: ignore[arg-type]


class _WithoutErrorText(trace.Span):
    """A statement's span that keeps an error's status and type but never its text: the driver's message may
    quote the failing row (PostgreSQL's DETAIL), names and ID numbers with it, which `hide_parameters` keeps out
    of the logs and must keep out of exported spans too."""

    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        self._span.set_status(status.status_code if isinstance(status, Status) else status)

    def record_exception(self, exception: BaseException, *_args: Any, **_kwargs: Any) -> None:
        self._span.add_event("exception", {"exception.type": type(exception).__qualname__})

    def end(self, end_time: int | None = None) -> None:
        self._span.end(end_time)

    def get_span_context(self) -> trace.SpanContext:
        return self._span.get_span_context()

    def is_recording(self) -> bool:
        return self._span.is_recording()

    def set_attribute(self, key: str, value: Any) -> None:
        self._span.set_attribute(key, value)

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        self._span.set_attributes(attributes)

    def add_event(self, name: str, attributes: Any = None, timestamp: int | None = None) -> None:
        self._span.add_event(name, attributes, timestamp)

    def update_name(self, name: str) -> None:
        self._span.update_name(name)
