"""`lagw config …`: the configuration as the processes will read it."""

import os

import click

from gateway.config import ConfigError, Settings, unknown_variables
from gateway.config_check import check_settings, describe


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
