"""The request's lifecycle: which event may move it from which state, and nothing else."""

from dataclasses import dataclass
from enum import StrEnum

from gateway.domain.enums import Kind, RequestState

S = RequestState


class Event(StrEnum):
    """What happens to a request, named as the audit log and the events exchange name it."""

    QUEUED = "queued"
    GRANTED = "granted"
    DECLINED = "declined"
    ASSIGNED = "assigned"
    REPLACED = "replaced"
    INFORMED = "informed"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"
    SERVED = "served"  # the forwarder handed the written decision to the applicant (送达)
    MATERIALS_REQUESTED = "materials_requested"
    MATERIALS_SUPPLIED = "materials_supplied"
    DEEMED_WITHDRAWN = "deemed_withdrawn"
    OBJECTION_UPHELD = "objection_upheld"
    OBJECTION_CORRECTED = "objection_corrected"


@dataclass(frozen=True)
class Rule:
    """An event's allowed starting states and where it leads (None: it is recorded, the state stays);
    `kinds` limits it to some kinds."""

    sources: frozenset[RequestState]
    target: RequestState | None
    kinds: frozenset[Kind] = frozenset(Kind)


_OPEN = frozenset({S.RECEIVED, S.QUEUED})
_APPLICATION = frozenset({Kind.APPLICATION_TRANSFER})
_OBJECTED = frozenset({S.DECLINED, S.TERMINATED})  # the decisions LAL 49 lets a person object to

RULES: dict[Event, Rule] = {
    Event.QUEUED: Rule(frozenset({S.RECEIVED}), S.QUEUED),
    # LAL 43: only an application is decided; a notice or a duty request needs no decision.
    Event.GRANTED: Rule(_OPEN, S.GRANTED, _APPLICATION),
    Event.DECLINED: Rule(_OPEN, S.DECLINED, _APPLICATION),
    # A notice or duty request is assigned straight away; an application only once granted (below).
    Event.ASSIGNED: Rule(_OPEN | {S.GRANTED}, S.ASSIGNED),
    Event.REPLACED: Rule(frozenset({S.ASSIGNED, S.INFORMED}), S.ASSIGNED),
    Event.INFORMED: Rule(frozenset({S.ASSIGNED}), S.INFORMED),
    # LAL 48: a person who retains his own lawyer ends the aid, at any point before it is over.
    Event.WITHDRAWN: Rule(_OPEN | {S.AWAITING_MATERIALS, S.GRANTED, S.ASSIGNED, S.INFORMED}, S.WITHDRAWN),
    # LAL 48: the centre ends aid under way (granted, or a lawyer assigned) on one of the law's grounds.
    Event.TERMINATED: Rule(frozenset({S.GRANTED, S.ASSIGNED, S.INFORMED}), S.TERMINATED),
    # LAL 49: a refused applicant or a terminated person objects to the justice bureau, which upholds the
    # centre's decision (the state stays) or orders it corrected (the request is open again).
    Event.OBJECTION_UPHELD: Rule(_OBJECTED, None),
    Event.OBJECTION_CORRECTED: Rule(_OBJECTED, S.QUEUED),
    # LAL 43 ¶2: the centre tells the applicant once what is missing; supplied, the review goes on; not
    # supplied by the date the centre set, the application is deemed withdrawn.
    Event.MATERIALS_REQUESTED: Rule(_OPEN, S.AWAITING_MATERIALS, _APPLICATION),
    Event.MATERIALS_SUPPLIED: Rule(frozenset({S.AWAITING_MATERIALS}), S.QUEUED, _APPLICATION),
    Event.DEEMED_WITHDRAWN: Rule(frozenset({S.AWAITING_MATERIALS}), S.WITHDRAWN, _APPLICATION),
    # LAL 43 ¶1: the decision reaches the applicant in writing, through the organ that forwarded the application
    # (LAL 39); its acknowledgment is recorded once the application is decided, and moves nothing.
    Event.SERVED: Rule(frozenset({S.GRANTED, S.DECLINED, S.ASSIGNED, S.INFORMED}), None, _APPLICATION),
}

# Requests whose legal clock is still running (the deadline watcher looks at these only).
CLOCK_RUNNING = frozenset({S.RECEIVED, S.QUEUED, S.GRANTED})


class TransitionRefused(Exception):
    """The event is not allowed for this request in its current state."""


def next_state(kind: Kind, state: RequestState, event: Event) -> RequestState:
    """The state after `event`, or TransitionRefused saying why not."""
    rule = RULES[event]
    if kind not in rule.kinds:
        raise TransitionRefused(f"a {kind.value} request cannot be {event.value}")
    if event is Event.ASSIGNED and (kind is Kind.APPLICATION_TRANSFER) != (state is S.GRANTED):
        if kind is Kind.APPLICATION_TRANSFER:
            raise TransitionRefused("an application must be granted before a lawyer is assigned (LAL 43)")
        raise TransitionRefused(f"a {kind.value} request is never granted; it cannot be assigned from {state.value}")
    if state not in rule.sources:
        allowed = ", ".join(sorted(s.value for s in rule.sources))
        raise TransitionRefused(f"a request that is {state.value} cannot be {event.value} (only from: {allowed})")
    if event is Event.OBJECTION_CORRECTED and kind is Kind.APPLICATION_TRANSFER and state is S.TERMINATED:
        return S.GRANTED  # the grant stands: the aid is given again, a lawyer assigned (LAL 49)
    return rule.target or state
