"""`lagw audit …`, `lagw hold …`, `lagw retention …`: the record's integrity and how long originals are kept."""

import getpass
import sys
from datetime import UTC, datetime

import click

from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.service.ports import ChainHeadMismatch
from gateway.store.audit_verify import Checkpoint, verify_chain
from schemas.fields import CHINA_TIME


def _operator() -> str:
    """Who runs the command, as the audit log names them."""
    return f"cli:{getpass.getuser()}"[:64]


@click.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@click.option(
    "--contains",
    "noted",
    default=None,
    help="A checkpoint kept elsewhere (`<count>:<hash>`, or a head hash): fail unless the chain still holds it.",
)
@click.option(
    "--max-unlinked-age",
    type=float,
    default=300.0,
    show_default=True,
    help="Fail when a record has waited longer than this many seconds to be linked (the sequencer has stopped).",
)
def audit_verify(noted: str | None, max_unlinked_age: float) -> None:
    """Walk the audit hash chain; exit 1 naming the first broken link, 0 with the count when intact."""
    try:
        checkpoint = Checkpoint.parse(noted) if noted is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--contains") from exc
    report = verify_chain(build_services(Settings.from_env()).engine, contains=checkpoint)
    age = report.backlog.oldest_age_seconds(datetime.now(UTC))
    waiting = f"; {report.backlog.unlinked} record(s) not yet linked (oldest {age:.1f} s)"
    if report.broken is not None:
        where = f"record {report.broken.record_id}" if report.broken.record_id is not None else "the start"
        click.echo(f"audit chain BROKEN at {where} ({report.broken.problem}): {report.broken.explanation}", err=True)
        click.echo(f"{report.linked} record(s) verified before the break{waiting}", err=True)
        sys.exit(1)
    if checkpoint is not None and not report.found:
        click.echo(f"audit chain REWRITTEN: the chain does not hold the checkpoint {noted}", err=True)
        sys.exit(1)
    if age > max_unlinked_age:
        click.echo(
            f"audit chain BEHIND: {report.linked} record(s) linked{waiting}: "
            "is a `lagw relay` (the sequencer) running?",
            err=True,
        )
        sys.exit(1)
    click.echo(f"audit chain intact: {report.linked} record(s) linked{waiting}")
    click.echo(f"checkpoint {report.linked}:{report.head_hash or '(empty)'}")


@audit.command("link")
def audit_link() -> None:
    """Link every committed audit record now and publish a checkpoint if one is due (`lagw relay` does it too)."""
    try:
        outcome = build_services(Settings.from_env()).audit.run_once()
    except ChainHeadMismatch as exc:
        raise click.ClickException(f"nothing linked: {exc}") from exc
    click.echo(f"linked {outcome.linked} record(s)")
    if outcome.checkpoint is not None:
        click.echo(f"checkpoint {outcome.checkpoint.count}:{outcome.checkpoint.head_hash} published")


@audit.command("access")
@click.option("--request", "request_id", default=None, help="Whose data: every view of this request's personal data.")
@click.option("--account", default=None, help="Who looked: every view by this staff account (its user name).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=500, show_default=True, help="Newest views shown.")
def audit_access(request_id: str | None, account: str | None, limit: int) -> None:
    """Who saw whose personal data in clear: one line per view, newest first (time in China, account, request, what)."""
    if (request_id is None) == (account is None):
        raise click.UsageError("name either --request or --account")
    log = build_services(Settings.from_env()).access_log
    views = log.of_request(request_id, limit) if request_id else log.of_account(f"staff:{account}", limit)
    if not views:
        click.echo("no views recorded")
        return
    for view in views:
        at = view.at.astimezone(CHINA_TIME).isoformat(timespec="seconds")
        click.echo(f"{at}  {view.actor.removeprefix('staff:')}  {view.request_id}  {','.join(view.shown)}")


@click.group()
def hold() -> None:
    """Legal holds: keep a request's original message past the retention period."""


@hold.command("set")
@click.argument("request_id")
@click.option(
    "--reason",
    required=True,
    help="Why it is kept (e.g. the order or case that requires it); recorded in the audit log, so no personal data.",
)
@click.option("--by", "actor", default=None, help="Who sets it, for the audit log. Default: cli:<login name>.")
def hold_set(request_id: str, reason: str, actor: str | None) -> None:
    """Set a legal hold on a request (again: replace its reason)."""
    try:
        outcome = build_services(Settings.from_env()).retention.set_hold(request_id, reason, actor or _operator())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--reason") from exc
    if not outcome.found:
        raise click.ClickException(f"no request {request_id}")
    click.echo(f"legal hold set on {request_id}")
    if outcome.purged_at is not None:
        click.echo(f"note: its original message was already purged on {outcome.purged_at.date().isoformat()}")


@hold.command("clear")
@click.argument("request_id")
@click.option("--by", "actor", default=None, help="Who clears it, for the audit log. Default: cli:<login name>.")
def hold_clear(request_id: str, actor: str | None) -> None:
    """Clear a request's legal hold; the retention policy applies to it again."""
    outcome = build_services(Settings.from_env()).retention.clear_hold(request_id, actor or _operator())
    if not outcome.found:
        raise click.ClickException(f"no request {request_id}")
    click.echo(f"legal hold cleared on {request_id}" if outcome.changed else f"{request_id} had no legal hold")


@click.group()
def retention() -> None:
    """How long original messages are kept (LAGW_PAYLOAD_RETENTION_DAYS)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Count what is due; purge nothing.")
def retention_run(dry_run: bool) -> None:
    """Purge the original messages past the retention period, except those under a legal hold."""
    policy = build_services(Settings.from_env()).retention
    result = policy.run(dry_run=dry_run)
    verb = "would purge" if dry_run else "purged"
    click.echo(
        f"{verb} {result.purged} original message(s) received before {result.cutoff.isoformat()} "
        f"({policy.days} days); kept {result.held} under a legal hold"
    )
