"""`lagw staff …`: the console's staff accounts."""

import re
import sys

import click

from gateway.bootstrap import Services, build_services
from gateway.config import Settings
from gateway.domain.enums import AgencyType
from gateway.domain.staff import Role, StaffMember
from gateway.service.staff_auth import MIN_PASSWORD_LENGTH, WeakPassword
from gateway.store.staff import StaffExists

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,23}$")


@click.group()
def staff() -> None:
    """The console's staff accounts."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    prompt = f"Password (at least {MIN_PASSWORD_LENGTH} characters)"
    password: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return password


def _services() -> Services:
    return build_services(Settings.from_env())


@staff.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The person's name as the console greets them.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--centre", "centre_code", default=None, help="The centre's agency code (centre staff only).")
@click.option("--personal-data", is_flag=True, help="May see suspects' names and ID numbers in clear.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def staff_add(
    username: str, display_name: str, role: str, centre_code: str | None, personal_data: bool, password_stdin: bool
) -> None:
    """Create a staff account: centre staff see their centre's requests, supervisors all and the reports."""
    if not USERNAME_PATTERN.fullmatch(username):
        raise click.BadParameter("2–24 characters: lower-case letters, digits, '.', '_' or '-'", param_hint="USERNAME")
    services = _services()
    member_role = Role(role)
    if member_role is Role.CENTRE_STAFF:
        centre = services.agencies.by_code(centre_code or "")
        if centre is None or centre.type != AgencyType.LEGAL_AID_CENTRE:
            raise click.BadParameter(
                "centre staff need the code of a registered legal aid centre", param_hint="--centre"
            )
    elif centre_code:
        raise click.BadParameter("only centre staff belong to one centre", param_hint="--centre")
    member = StaffMember(username, display_name, member_role, centre_code, personal_data)
    try:
        services.staff_auth.create(member, _password(password_stdin))
    except WeakPassword as exc:
        raise click.BadParameter(str(exc), param_hint="password") from exc
    except StaffExists as exc:
        raise click.ClickException(f"an account named {username} exists already") from exc
    click.echo(f"created {username} ({member_role.value}{', ' + centre_code if centre_code else ''})")


@staff.command("list")
def staff_list() -> None:
    """Every account with its role, centre and state."""
    for account in _services().staff.all():
        member = account.member
        state = "disabled" if account.disabled else ("locked" if account.locked_until else "active")
        flags = "personal-data" if member.personal_data else "-"
        click.echo(f"{member.username}\t{member.role.value}\t{member.centre_code or '-'}\t{flags}\t{state}")


@staff.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def staff_set_password(username: str, password_stdin: bool) -> None:
    """A new password; the account's open sessions end."""
    try:
        found = _services().staff_auth.set_password(username, _password(password_stdin))
    except WeakPassword as exc:
        raise click.BadParameter(str(exc), param_hint="password") from exc
    if not found:
        raise click.ClickException(f"no account named {username}")
    click.echo(f"password set for {username}")


@staff.command("unlock")
@click.argument("username")
def staff_unlock(username: str) -> None:
    """Lift a lockout after repeated failed passwords."""
    if not _services().staff.unlock(username):
        raise click.ClickException(f"no account named {username}")
    click.echo(f"unlocked {username}")


@staff.command("disable")
@click.argument("username")
def staff_disable(username: str) -> None:
    """Disable an account and end its sessions."""
    if not _services().staff.set_disabled(username, True):
        raise click.ClickException(f"no account named {username}")
    click.echo(f"disabled {username}")
