"""`/metrics` for Prometheus (prometheus-client): intake and latency counted by every worker, and gauges of the
store and the broker read at each scrape, so one scrape of any instance shows the whole pipeline.

Under gunicorn the workers count into PROMETHEUS_MULTIPROC_DIR (`lagw serve` makes one), and a scrape adds
them up, whichever worker answers it.
"""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from gateway.errors import NotFromThisAddress, Unauthenticated
from gateway.rules.calendar import WorkCalendar
from gateway.rules.deadlines import CHINA_TZ
from gateway.store.gauges import StoreGauges, read_gauges
from gateway.web.context import services
from gateway.web.health import check_broker, check_store

INTAKE = Counter(
    "lagw_intake",
    "Messages received for intake, by agency, kind, channel and outcome",
    ["agency", "kind", "channel", "outcome"],
)
INTAKE_SECONDS = Histogram(
    "lagw_intake_duration_seconds",
    "Time from a message's arrival to the gateway's answer",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HTTP_SECONDS = Histogram(
    "lagw_http_request_duration_seconds", "Every HTTP request's time to answer, by route", ["method", "route", "status"]
)
log = logging.getLogger(__name__)
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # set by `lagw serve` (gateway.cli.serve)


def init_metrics(app: Flask, intake_blueprints: set[str]) -> None:
    """Time every request, count the intake ones, and serve `/metrics`."""

    def _start_clock() -> None:
        g.metrics_started = time.perf_counter()

    app.before_request_funcs.setdefault(None, []).insert(0, _start_clock)  # before any hook that may refuse

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is None or request.path == "/metrics":
            return response
        elapsed = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule else "unmatched"
        HTTP_SECONDS.labels(request.method, route, str(response.status_code)).observe(elapsed)
        channel = _intake_channel(intake_blueprints)
        if channel:
            INTAKE.labels(_agency(), g.get("intake_kind", "unknown"), channel, _outcome(response)).inc()
            INTAKE_SECONDS.labels(channel).observe(elapsed)
        return response

    app.add_url_rule("/metrics", "metrics", _scrape)


def _scrape() -> Response:
    _check_scraper()
    pipeline = CollectorRegistry()
    pipeline.register(_PipelineCollector())
    if os.environ.get(MULTIPROCESS_DIR):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
    else:
        counted = REGISTRY  # one process: its own counters
    return Response(generate_latest(counted) + generate_latest(pipeline), content_type=CONTENT_TYPE_LATEST)


def _check_scraper() -> None:
    """With LAGW_METRICS_TOKEN, the caller must send it as a bearer token; without, only this host's loopback
    is answered (not a request relayed by a trusted proxy): the metrics name every agency and the backlog."""
    settings = services().settings
    if settings.metrics_token:
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            sent.strip().encode(), settings.metrics_token.encode()
        ):
            raise Unauthenticated("send the metrics token (LAGW_METRICS_TOKEN) as Authorization: Bearer <token>")
        return
    address = request.remote_addr or ""
    if not _is_loopback(address) or address in settings.trusted_proxies:
        raise NotFromThisAddress("/metrics answers only this host; set LAGW_METRICS_TOKEN to scrape it from elsewhere")


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class _PipelineCollector(Collector):
    """Gauges read now: outbox backlog, notices to agencies, legal clocks, store and broker reachable."""

    def collect(self) -> Iterator[Metric]:
        found = services()
        store = check_store()
        broker = check_broker(found.settings.amqp_url)
        gauges = None
        if store["ok"]:
            try:
                now = found.clock.now()
                lead = timedelta(hours=found.settings.deadline_lead_hours)
                gauges = read_gauges(found.engine, now, lead, unconfirmed_spans(found.calendar, now))
            except sa.exc.SQLAlchemyError:
                log.warning("metrics: the store did not answer the gauges' read")  # the counters still go out
        yield _gauge("lagw_store_up", "1 when the store answers", float(gauges is not None))
        yield _gauge("lagw_broker_up", "1 when the broker answers AMQP", float(broker["ok"]))
        if gauges is not None:
            yield from _pipeline_gauges(gauges)


def _pipeline_gauges(gauges: StoreGauges) -> Iterator[Metric]:
    yield _gauge("lagw_outbox_unsent", "Outbox rows not yet confirmed by the broker", gauges.outbox_unsent)
    yield _gauge(
        "lagw_outbox_oldest_unsent_age_seconds", "Age of the oldest unsent outbox row", gauges.oldest_unsent_age_seconds
    )
    deliveries = GaugeMetricFamily("lagw_deliveries", "Notices to agencies by state", labels=["state"])
    for state in ("pending", "delivered", "parked"):
        deliveries.add_metric([state], gauges.deliveries_by_state.get(state, 0))
    yield deliveries
    clocks = GaugeMetricFamily("lagw_deadlines", "Open requests due within the lead, or past due", labels=["status"])
    clocks.add_metric(["at_risk"], gauges.deadlines_at_risk)
    clocks.add_metric(["missed"], gauges.deadlines_missed)
    yield clocks
    yield _gauge(
        "lagw_deadlines_calendar_unconfirmed",
        "Open requests due in a year whose State Council holiday notice is not loaded (lagw calendar load)",
        gauges.deadlines_calendar_unconfirmed,
    )
    yield _gauge("lagw_audit_unlinked", "Audit records not yet linked onto the chain", gauges.audit_unlinked)
    yield _gauge(
        "lagw_audit_oldest_unlinked_age_seconds",
        "How long the oldest unlinked audit record has waited for the sequencer (lagw relay)",
        gauges.audit_oldest_unlinked_age_seconds,
    )


def unconfirmed_spans(calendar: WorkCalendar, now: datetime) -> list[tuple[datetime, datetime]]:
    """This year and the next, in China time, where their holiday notice is not loaded (CPL 105 needs it)."""
    year = now.astimezone(CHINA_TZ).year
    return [
        (datetime(y, 1, 1, tzinfo=CHINA_TZ), datetime(y + 1, 1, 1, tzinfo=CHINA_TZ))
        for y in (year, year + 1)
        if not calendar.is_confirmed(y)
    ]


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _intake_channel(intake_blueprints: set[str]) -> str | None:
    if request.method != "POST":
        return None
    if request.blueprint in intake_blueprints:
        return "rest"
    # A SOAP call counts once its operation is an intake one, or when it was refused before one was read.
    if request.path.startswith("/soap/") and (g.get("intake_kind") or not g.get("soap_operation")):
        return "soap"
    return None


def _agency() -> str:
    agency: Any = g.get("agency")
    return agency.code if agency is not None else "unidentified"  # refused before its credentials proved one


def _outcome(response: Response) -> str:
    code: str | None = g.get("problem_code") or g.get("intake_outcome")
    if code:
        return code
    return {202: "accepted", 200: "resend"}.get(response.status_code, str(response.status_code))
