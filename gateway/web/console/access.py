"""Who saw whose personal data: supervisors read the record per account and per request (PIPL art. 28, LAL 21)."""

from dataclasses import dataclass

from flask import render_template, request

from gateway.domain.staff import StaffMember
from gateway.store.access_log import DOCUMENT, ORIGINAL, PARTICULARS, SEARCH, Access
from gateway.web.console.blueprint import blp, current_member, requires
from gateway.web.context import services

SHOWN_WORDS = {PARTICULARS: "当事人信息", ORIGINAL: "原始报文", SEARCH: "检索结果", DOCUMENT: "法律文书"}
STAFF_PREFIX = "staff:"


@dataclass(frozen=True)
class AccessLine:
    """One view as the page shows it."""

    access: Access
    account: str
    shown: str


def lines(accesses: list[Access]) -> list[AccessLine]:
    """The views in words: the account without its prefix, what was shown in Chinese."""
    return [
        AccessLine(
            access,
            access.actor.removeprefix(STAFF_PREFIX),
            "、".join(SHOWN_WORDS.get(shown, shown) for shown in access.shown),
        )
        for access in accesses
    ]


def record_view(request_ids: list[str], shown: list[str]) -> None:
    """Record that the signed-in member was shown these requests' personal data in clear (if they may see it)."""
    member = current_member()
    if member.personal_data and request_ids:
        services().access_log.record(member.actor, request_ids, shown, services().clock.now())


@blp.get("/access")
@requires(StaffMember.sees_reports)
def access() -> str:
    """An account's views of personal data, newest first (the account is asked for by name)."""
    account = request.args.get("account", "").strip()[:64]
    views = lines(services().access_log.of_account(STAFF_PREFIX + account)) if account else []
    return render_template("console/access.html", account=account, views=views, accounts=_accounts())


def _accounts() -> list[tuple[str, str]]:
    """(user name, display name) of every account that may see personal data or has been recorded seeing it:
    one whose permission was withdrawn is the one whose past views matter most."""
    members = {found.member.username: found.member for found in services().staff.all()}
    viewed = {actor.removeprefix(STAFF_PREFIX) for actor in services().access_log.viewers()}
    names = sorted(viewed | {name for name, member in members.items() if member.personal_data})
    return [(name, members[name].display_name if name in members else name) for name in names]
