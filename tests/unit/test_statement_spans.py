"""The store's statement spans (exported only on request): made only inside a trace, and an error keeps its
status and type but never the driver's text, which may quote the failing row's names and ID numbers."""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from gateway.tracing import _InsideATrace

# As psycopg words a check violation on PostgreSQL: the DETAIL line quotes the row.
DRIVER_TEXT = 'new row violates check constraint "ck"\nDETAIL:  Failing row contains (2, 王小明, 370202201003150310).'


def _exported() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def test_a_failed_statements_span_keeps_the_error_but_not_the_rows_values() -> None:
    provider, exporter = _exported()
    statements = _InsideATrace(provider).get_tracer("sqlalchemy")

    with provider.get_tracer("lagw").start_as_current_span("POST /api/v1/court/defense-notices"):
        span = statements.start_span("INSERT test", kind=trace.SpanKind.CLIENT)
        span.set_status(Status(StatusCode.ERROR, DRIVER_TEXT))
        span.record_exception(ValueError(DRIVER_TEXT))
        span.end()

    [statement] = [span for span in exporter.get_finished_spans() if span.name == "INSERT test"]
    assert statement.status.status_code is StatusCode.ERROR and not statement.status.description
    assert [dict(event.attributes or {}) for event in statement.events] == [{"exception.type": "ValueError"}]
    assert "王小明" not in str(statement.to_json()) and "370202201003150310" not in str(statement.to_json())


def test_a_statement_outside_any_trace_makes_no_span() -> None:
    provider, exporter = _exported()
    statements = _InsideATrace(provider).get_tracer("sqlalchemy")

    with statements.start_as_current_span("connect", kind=trace.SpanKind.CLIENT) as connect:
        polled = statements.start_span("SELECT outbox", kind=trace.SpanKind.CLIENT)
        polled.end()

    assert not connect.is_recording() and not polled.is_recording()
    assert exporter.get_finished_spans() == ()
