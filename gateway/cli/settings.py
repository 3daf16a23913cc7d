"""`lagw config …` and `lagw calendar …`: the configuration as the processes will read it, and the work
calendar's yearly State Council notice."""

import os
from datetime import date, datetime

import click

from gateway.cli.config_check import check_settings, describe
from gateway.config import ConfigError, Settings, unknown_variables
from gateway.rules.calendar import add_notice, load_calendar
from gateway.rules.deadlines import CHINA_TZ


@click.group()
def config() -> None:
    """The settings from the environment and LAGW_CONFIG_FILE."""


@config.command("check")
@click.option("--offline", is_flag=True, help="Check the values only; do not try the store and the broker.")
def config_check(offline: bool) -> None:
    """Validate the settings and try what they connect to; print them without secrets; exit 1 on an error."""
    environ = dict(os.environ)
    try:
        settings = Settings.from_env(environ)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    for name, value in describe(settings):
        click.echo(f"{name:40} {value}")
    click.echo("")
    findings = check_settings(settings, connect=not offline)
    for variable in unknown_variables(environ):
        click.echo(f"warning  {variable}: no setting reads it (a typo?)")
    for finding in findings:
        click.echo(f"{finding.level:8} {finding.subject}: {finding.text}")
    errors = sum(finding.level == "error" for finding in findings)
    click.echo(f"{errors} error(s)")
    if errors:
        raise SystemExit(1)


@click.group()
def calendar() -> None:
    """The years whose holidays and make-up working days are known (CPL 105 counts with them)."""


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@calendar.command("show")
@click.option("--from", "first", type=int, help="First year (default: last year).")
@click.option("--to", "last", type=int, help="Last year (default: next year).")
def calendar_show(first: int | None, last: int | None) -> None:
    """Which years are confirmed by a State Council notice, and from where; exit 1 if this year is not."""
    this_year = datetime.now(CHINA_TZ).year
    try:
        work = load_calendar(_settings().calendar_file)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"LAGW_CALENDAR_FILE: {exc}") from exc
    for year in range(first or this_year - 1, (last or this_year + 1) + 1):
        source = work.source(year)
        state = (
            f"confirmed    {source}" if source else "unconfirmed  no State Council notice loaded: `lagw calendar load`"
        )
        click.echo(f"{year}  {state}")
    if not work.is_confirmed(this_year):
        raise SystemExit(1)


@calendar.command("load")
@click.option("--year", type=int, required=True, help="The year the notice is for.")
@click.option("--source", required=True, help="The notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知.")
@click.option("--rest-day", "rest_days", multiple=True, type=click.DateTime(["%Y-%m-%d"]), help="A day off.")
@click.option(
    "--working-day", "working_days", multiple=True, type=click.DateTime(["%Y-%m-%d"]), help="A make-up working day."
)
def calendar_load(year: int, source: str, rest_days: tuple[datetime, ...], working_days: tuple[datetime, ...]) -> None:
    """Enter a year's notice (its holidays and make-up working days) in LAGW_CALENDAR_FILE."""
    path = _settings().calendar_file
    if path is None:
        raise click.ClickException("set LAGW_CALENDAR_FILE to the override file to write (it is created if missing)")
    rest: list[date] = [day.date() for day in rest_days]
    working: list[date] = [day.date() for day in working_days]
    try:
        add_notice(path, year, source, rest, working)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{year} confirmed by {source}: {len(rest)} rest day(s), {len(working)} working day(s) in {path}")
    click.echo("restart the gateway's processes to use it")
