"""`lagw`: the gateway's command line."""

import importlib.metadata
import os
import signal
import threading
from datetime import timedelta

import click

from adapters.registry import agency_types, kinds_for
from gateway.bootstrap import build_services
from gateway.cli.certificates import add_cert, certs, remove_cert
from gateway.cli.db import db
from gateway.cli.keys import keys
from gateway.cli.records import audit, hold, retention
from gateway.cli.settings import calendar, config
from gateway.cli.staff import staff
from gateway.config import Settings, log_format_of
from gateway.domain.enums import AgencyType, Kind, Level
from gateway.domain.model import Agency
from gateway.errors import NoRoute
from gateway.logs import configure_logging
from gateway.notify.targets import CallbackTargetRefused, check_callback_url
from gateway.notify.webhook import new_secret, signing_key
from gateway.notify.wsdl_pin import check_wsdl, fetch_wsdl
from gateway.store.agencies import UnknownAgency
from gateway.tracing import configure_tracing


class _WithPlugins(click.Group):
    """`lagw` with the commands installed packages add under the entry-point group `lagw.commands` (the demo),
    each loaded only when it is run: the gateway imports none of them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(entry.name for entry in _plugins())})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        found = super().get_command(ctx, name)
        if found is not None:
            return found
        entry = next((entry for entry in _plugins() if entry.name == name), None)
        return None if entry is None else entry.load()


def _plugins() -> list[importlib.metadata.EntryPoint]:
    return list(importlib.metadata.entry_points(group="lagw.commands"))


@click.group(cls=_WithPlugins)
@click.version_option(package_name="legal-aid-gateway", prog_name="lagw", message="%(prog)s %(version)s")
def main() -> None:
    """Legal Aid Gateway."""
    configure_logging(log_format_of(dict(os.environ)))
    configure_tracing()


@main.group()
def agency() -> None:
    """The agency registry."""


@agency.command("add")
@click.option("--code", required=True, help="The agency's code, e.g. its organisation code.")
@click.option("--name", required=True)
@click.option(
    "--type",
    "type_",
    required=True,
    help="court, procuratorate, police … (a folder under adapters/) or legal_aid_centre.",
)
@click.option("--district", required=True, help="GB/T 2260 code, e.g. 370202 (or 370200 for the city).")
@click.option(
    "--level", type=click.Choice([lv.value for lv in Level]), default=None, help="Default: from the district code."
)
@click.option("--kinds", default=None, help="Comma-separated kinds; default: all its type may send.")
def agency_add(code: str, name: str, type_: str, district: str, level: str | None, kinds: str | None) -> None:
    """Register an agency; its API key is the last line printed."""
    types = {known.value: known for known in agency_types()}
    if type_ not in types:
        raise click.BadParameter(f"one of: {', '.join(types)}", param_hint="--type")
    agency_type = types[type_]
    services = build_services(Settings.from_env())
    allowed = kinds_for(agency_type)
    if kinds:
        asked = {k.strip() for k in kinds.split(",")}
        if not asked <= {kind.value for kind in allowed}:
            may = ", ".join(sorted(kind.value for kind in allowed)) or "none"
            raise click.BadParameter(f"a {agency_type.value} may send: {may}", param_hint="--kinds")
        allowed = frozenset(Kind(k) for k in asked)
    if not (len(district) == 6 and district.isdigit()):
        raise click.BadParameter("a six-digit GB/T 2260 code", param_hint="--district")
    new = Agency(
        code=code,
        name=name,
        type=agency_type,
        level=Level(level) if level else (Level.CITY if district.endswith("00") else Level.DISTRICT),
        district=district,
        allowed_kinds=allowed,
    )
    if agency_type != AgencyType.LEGAL_AID_CENTRE:
        try:
            centre = services.routing.centre_for(new)
        except NoRoute as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"registered {code} ({new.level.value} {agency_type.value}, {district}); routes to {centre.code}")
    key = services.agencies.add(new)
    click.echo("API key (shown once; keep it secret):")
    click.echo(key)


@agency.command("list")
def agency_list() -> None:
    """List registered agencies (never their keys)."""
    for found in build_services(Settings.from_env()).agencies.list():
        kinds = ",".join(sorted(k.value for k in found.allowed_kinds))
        click.echo(f"{found.code}\t{found.type.value}\t{found.level.value}\t{found.district}\t{found.name}\t{kinds}")


@agency.command("rotate-key")
@click.option("--code", required=True)
@click.option(
    "--grace-hours",
    type=float,
    default=0.0,
    show_default=True,
    help="How long the old key keeps working, so the agency can switch without downtime.",
)
def agency_rotate_key(code: str, grace_hours: float) -> None:
    """Give an agency a new API key; the old one stops at once or after the grace. The key is the last line."""
    try:
        key = build_services(Settings.from_env()).agencies.rotate_key(code, timedelta(hours=grace_hours))
    except UnknownAgency as exc:
        raise click.ClickException(f"no agency with code {code}") from exc
    click.echo("new API key (shown once; keep it secret):")
    click.echo(key)


@agency.command("set-callback")
@click.option("--code", required=True)
@click.option("--kind", type=click.Choice(["soap", "webhook", "none"]), required=True)
@click.option(
    "--url",
    help="SOAP: the agency's callback WSDL URL (fetched now, checked and kept); webhook: the URL to POST to.",
)
@click.option("--username", help="SOAP: the UsernameToken username the agency gave the gateway.")
@click.option(
    "--secret",
    envvar="LAGW_CALLBACK_SECRET",
    help="SOAP: the password; webhook: the signing secret, `whsec_<base64>` as Standard Webhooks libraries "
    "take it (or LAGW_CALLBACK_SECRET, kept out of `ps`). Default: a new random one, shown.",
)
def agency_set_callback(code: str, kind: str, url: str | None, username: str | None, secret: str | None) -> None:
    """How the agency hears back: its SOAP callback service, a signed webhook, or none (it reads the status)."""
    import secrets as random_secrets

    from gateway.service.ports import Callback

    settings = Settings.from_env()
    registry = build_services(settings).agencies
    callback = None
    if kind != "none":
        if not url:
            raise click.ClickException("--url is required for a callback")
        wsdl = None
        try:
            check_callback_url(url, settings.callback_allowed_hosts)
            if kind == "soap":  # fetched and checked once; every delivery uses this copy
                wsdl = fetch_wsdl(url, settings.callback_timeout_seconds)
                check_wsdl(wsdl, url)
        except CallbackTargetRefused as exc:
            raise click.ClickException(f"callback refused: {exc}") from exc
        if kind == "webhook" and secret:
            try:
                signing_key(secret)
            except ValueError as exc:
                raise click.ClickException(f"--secret: {exc}") from exc
        chosen = secret or (new_secret() if kind == "webhook" else random_secrets.token_urlsafe(32))
        callback = Callback(kind=kind, url=url, secret=chosen, username=username, wsdl=wsdl)
    try:
        registry.set_callback(code, callback)
    except UnknownAgency as exc:
        raise click.ClickException(f"no agency with code {code}") from exc
    if callback is not None and secret is None:
        click.echo("secret (shown once; give it to the agency):")
        click.echo(callback.secret)


@main.command()
@click.option("--once", is_flag=True, help="Send what is due, then exit.")
def deliver(once: bool) -> None:
    """Send the centre's answers back to the agencies (webhook or SOAP callback), with retries."""
    from adapters.registry import callback_contracts
    from gateway.notify.callbacks import CallbackNotifier
    from gateway.service.delivery import Deliverer, RetryPolicy

    settings = Settings.from_env()
    services = build_services(settings)
    notifier = CallbackNotifier(callback_contracts(), services.clock.now, settings.callback_timeout_seconds)
    worker = Deliverer(
        services.deliveries,
        services.agencies,
        services.transitions,
        notifier,
        services.clock,
        RetryPolicy.from_settings(settings),
    )
    if once:
        click.echo(f"tried {worker.run_once()} notice(s)")
        return
    stop = _stop_on_signals()
    worker.run(stop)


@main.group()
def deliveries() -> None:
    """Notices back to the agencies."""


@deliveries.command("list")
@click.option("--parked", is_flag=True, help="Only the parked ones (given up after the cap).")
def deliveries_list(parked: bool) -> None:
    """Notices with their state and last outcome; attempts are listed under each."""
    store = build_services(Settings.from_env()).deliveries
    for found in store.find(state="parked" if parked else None):
        click.echo(
            f"{found.id}\t{found.state}\t{found.agency_code}\t{found.event}\t{found.request_id}\t"
            f"attempts={found.attempts}\t{found.last_error or ''}"
        )
        for attempt in store.attempts(found.id):
            detail = attempt.http_status or attempt.fault_code or ""
            click.echo(f"\t{attempt.at.isoformat()}\t{attempt.outcome}\t{detail}\t{(attempt.error or '')[:100]}")


@deliveries.command("retry")
@click.argument("delivery_id", type=int)
def deliveries_retry(delivery_id: int) -> None:
    """Send a parked notice again now (the worker `lagw deliver` picks it up)."""
    if not build_services(Settings.from_env()).deliveries.retry(delivery_id):
        raise click.ClickException(f"no parked or pending notice {delivery_id}")
    click.echo(f"notice {delivery_id} will be sent again")


@main.command()
def answers() -> None:
    """Apply the centres' answers from the queue legalaid.appointments, each message once."""
    from gateway.documents.pdf import NoChineseFont, find_font
    from gateway.messaging.answers_consumer import AnswersConsumer

    settings = Settings.from_env()
    try:  # each decision issues its official document: without the font no answer could be applied
        find_font(settings.document_font)
    except NoChineseFont as exc:
        raise click.ClickException(str(exc)) from exc
    services = build_services(settings)
    consumer = AnswersConsumer(settings.amqp_url, services.answers, services.agencies, services.requests)
    stop = _stop_on_signals()
    consumer.run(stop)


@main.group(invoke_without_command=True)
@click.option("--once", is_flag=True, help="One pass, then exit.")
@click.option("--interval", type=float, default=60.0, show_default=True, help="Seconds between passes.")
@click.pass_context
def deadlines(context: click.Context, once: bool, interval: float) -> None:
    """Watch the legal clocks: deadline.at_risk and deadline.missed on legalaid.events, once each."""
    if context.invoked_subcommand is not None:
        return
    watcher = build_services(Settings.from_env()).deadlines
    if once:
        result = watcher.run_once()
        click.echo(f"published {result.at_risk} at-risk and {result.missed} missed warning(s)")
        return
    stop = _stop_on_signals()
    watcher.run(stop, interval)


@deadlines.command("report")
def deadlines_report() -> None:
    """Open requests by time left (negative: late), with the legal basis."""
    for request, left in build_services(Settings.from_env()).deadlines.report():
        hours = left.total_seconds() / 3600
        click.echo(
            f"{hours:8.1f} h\t{request.due_at.isoformat()}\t{request.kind.value}\t{request.state.value}\t"
            f"{request.centre_code}\t{request.agency_code}\t{request.id}\t{request.deadline_basis}"
        )


@main.command()
@click.option("--bind", default="127.0.0.1:8080", show_default=True)
@click.option("--workers", type=int, default=None, help="Default: the number of cores.")
@click.option("--threads", type=int, default=8, show_default=True)
@click.option(
    "--client-timeout",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Seconds a connection may stay silent (idle between requests, or stalled inside one) before it is closed.",
)
def serve(bind: str, workers: int | None, threads: int, client_timeout: int) -> None:
    """Serve the REST API, SOAP and the console under gunicorn; each request is read whole before a thread takes it
    (with LAGW_TLS_* set, gunicorn serves TLS itself, with optional client certificates, on its gthread worker)."""
    from gateway.cli.serve import Tls, server_options, unshared_limits_note
    from gateway.cli.serve import serve as run_server

    settings = Settings.from_env()
    build_services(settings)  # create the schema once, before the workers fork
    tls = None
    if settings.tls_certfile is not None or settings.tls_keyfile is not None:
        if settings.tls_certfile is None or settings.tls_keyfile is None:
            raise click.ClickException("TLS needs both LAGW_TLS_CERTFILE and LAGW_TLS_KEYFILE")
        tls = Tls(settings.tls_certfile, settings.tls_keyfile, settings.tls_client_ca)
    note = unshared_limits_note(settings, server_options(bind, workers, threads)["workers"])
    if note:
        click.echo(note, err=True)
    run_server(bind, workers, threads, tls, client_timeout)


@main.command()
@click.option("--once", is_flag=True, help="Publish what is pending, then exit.")
def relay(once: bool) -> None:
    """Publish the outbox to RabbitMQ with publisher confirms, woken by new rows (PostgreSQL) or polling (SQLite).

    Also links new audit records onto the hash chain and publishes its checkpoints (the audit sequencer).
    """
    from gateway.messaging.publisher import ConfirmedPublisher
    from gateway.messaging.relay import Relay
    from gateway.store.outbox_bell import doorbell_for

    settings = Settings.from_env()
    services = build_services(settings)
    worker = Relay(
        services.outbox,
        lambda: ConfirmedPublisher(settings.amqp_url, settings.broker_blocked_timeout_seconds),
        batch_size=settings.relay_batch_size,
        doorbell=doorbell_for(services.engine),
    )
    if once:
        linked = services.audit.run_once().linked
        click.echo(f"published {worker.drain()} message(s); linked {linked} audit record(s)")
        return
    stop = _stop_on_signals()
    # The audit sequencer beside it: wherever outbox rows are published, audit records are linked.
    # It waits (10 s at most) while the relay drains a backlog.
    sequencer = threading.Thread(
        target=services.audit.run, args=(stop,), kwargs={"busy": worker.draining}, name="audit-sequencer", daemon=True
    )
    sequencer.start()
    worker.run(stop)
    sequencer.join(timeout=10)


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so a long-running worker finishes its step and exits."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


main.add_command(staff)
for command in (add_cert, remove_cert, certs):
    agency.add_command(command)
main.add_command(keys)
main.add_command(audit)
main.add_command(hold)
main.add_command(retention)
main.add_command(db)
main.add_command(config)
main.add_command(calendar)

if __name__ == "__main__":
    main()
