"""The inbox: the centre's open requests, the least time left first, with filters and search.

A search looks through every state unless a state is chosen: a case number typed to find an assigned case
must find it, and the page says which states it searched. A supervisor, who sees every centre, can keep to one.
"""

from dataclasses import dataclass

from flask import render_template, request

from gateway.contracts import labels as L
from gateway.domain.staff import StaffMember
from gateway.store.access_log import SEARCH
from gateway.store.console import CaseRow, InboxFilter
from gateway.web.console.access import record_view
from gateway.web.console.blueprint import blp, current_member, requires
from gateway.web.console.casefile import CaseCard, case_card
from gateway.web.context import services

PAGE_SIZE = 200
OPEN = "open"
ALL = "all"


@dataclass(frozen=True)
class InboxQuery:
    """The inbox's filters, as the page's form sends them."""

    kind: str
    agency: str
    picked: str  # the state chosen in the form: a state, OPEN, ALL, or "" for the default
    search: str
    centre: str = ""

    @classmethod
    def from_args(cls) -> "InboxQuery":
        """Read the filters from the query string; unknown values mean no filter."""
        args = request.args
        kind, picked = args.get("kind", ""), args.get("state", "")
        return cls(
            kind=kind if kind in L.KINDS else "",
            agency=_printable(args.get("agency", ""))[:32],
            picked=picked if picked in L.STATES or picked in (OPEN, ALL) else "",
            search=_printable(args.get("q", ""))[:60],
            centre=_printable(args.get("centre", ""))[:32],
        )

    @property
    def state(self) -> str:
        """The state filter applied: the one chosen; by default the open requests, every state when searching."""
        return self.picked or (ALL if self.search else OPEN)

    def scope(self) -> str:
        """The states shown, in words: printed above the results so no filter applies unseen."""
        if self.state == OPEN:
            return "待办（期限计算中）"
        return "全部状态" if self.state == ALL else L.label(L.STATES, self.state)

    def states(self) -> tuple[str, ...]:
        """The request states this query shows."""
        if self.state == OPEN:
            return L.OPEN_STATES
        return () if self.state == ALL else (self.state,)


def _printable(text: str) -> str:
    """The text without control characters (a NUL is refused by PostgreSQL), trimmed."""
    return "".join(ch for ch in text if ch.isprintable()).strip()


def find_cards(member: StaffMember, query: InboxQuery) -> list[CaseRow]:
    """The requests the member may see that match the query, the least time left first.

    The search text is looked for in case numbers (any part); and, only for those who may see personal data
    (no confirming who is in custody), as a whole name or an ID number's last four characters, through the
    store's blind indexes: every request is searched, none is decrypted to search it.
    """
    search = query.search or None
    wanted = InboxFilter(
        centre_code=member.centres_in_view() or query.centre or None,
        states=query.states(),
        kind=query.kind or None,
        agency_code=query.agency or None,
        case_number=search,
        person=search if member.personal_data else None,
    )
    return services().console.cases(wanted, limit=PAGE_SIZE)


def cards_for(member: StaffMember, query: InboxQuery, in_clear: bool) -> list[CaseCard]:
    """The inbox's lines for the member; names and ID numbers in clear only with `in_clear` (a view recorded)."""
    names = services().console.agency_names()
    return [case_card(row, member, names, in_clear) for row in find_cards(member, query)]


@blp.get("/")
@requires(StaffMember.reads_cases)
def inbox() -> str:
    """The inbox page."""
    member = current_member()
    query = InboxQuery.from_args()
    # In clear only what a search found, and that is recorded as a view; a list of every open request would be
    # a view nobody records, so it shows names and ID numbers masked.
    cards = cards_for(member, query, in_clear=bool(query.search))
    if query.search and member.personal_data:
        # What a search found, in clear, is a view to record; the page's refreshes of the same list are not.
        record_view([card.id for card in cards], [SEARCH])
    senders = services().console.sender_names()
    centres = services().console.centre_names() if member.centres_in_view() is None else {}
    return render_template(
        "console/inbox.html", cards=cards, query=query, senders=senders, centres=centres, now=services().clock.now()
    )


@blp.get("/inbox/rows")
@requires(StaffMember.reads_cases)
def inbox_rows() -> str:
    """The inbox's rows alone: the page polls this to show new requests without a reload (a search's page does
    not poll, and these rows are never a recorded view: names and ID numbers masked)."""
    member = current_member()
    cards = cards_for(member, InboxQuery.from_args(), in_clear=False)
    centres = services().console.centre_names() if member.centres_in_view() is None else {}
    return render_template("console/_inbox_rows.html", cards=cards, centres=centres, now=services().clock.now())
