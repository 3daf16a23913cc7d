"""The lifecycle walked whole: every event from every state, for every kind."""

import pytest

from gateway.domain.enums import Kind, RequestState
from gateway.domain.lifecycle import Event, TransitionRefused, next_state

S = RequestState

# The transitions the law and the design allow; everything else is refused.
ALLOWED = {
    (Event.QUEUED, S.RECEIVED): S.QUEUED,
    (Event.GRANTED, S.RECEIVED): S.GRANTED,
    (Event.GRANTED, S.QUEUED): S.GRANTED,
    (Event.DECLINED, S.RECEIVED): S.DECLINED,
    (Event.DECLINED, S.QUEUED): S.DECLINED,
    (Event.ASSIGNED, S.RECEIVED): S.ASSIGNED,
    (Event.ASSIGNED, S.QUEUED): S.ASSIGNED,
    (Event.ASSIGNED, S.GRANTED): S.ASSIGNED,
    (Event.REPLACED, S.ASSIGNED): S.ASSIGNED,
    (Event.REPLACED, S.INFORMED): S.ASSIGNED,
    (Event.INFORMED, S.ASSIGNED): S.INFORMED,
    (Event.WITHDRAWN, S.RECEIVED): S.WITHDRAWN,
    (Event.WITHDRAWN, S.QUEUED): S.WITHDRAWN,
    (Event.WITHDRAWN, S.GRANTED): S.WITHDRAWN,
    (Event.WITHDRAWN, S.ASSIGNED): S.WITHDRAWN,
    (Event.WITHDRAWN, S.INFORMED): S.WITHDRAWN,
    (Event.WITHDRAWN, S.AWAITING_MATERIALS): S.WITHDRAWN,  # e.g. a lawyer retained while gathering materials
    # LAL 48: aid under way ends on one of the law's grounds.
    (Event.TERMINATED, S.GRANTED): S.TERMINATED,
    (Event.TERMINATED, S.ASSIGNED): S.TERMINATED,
    (Event.TERMINATED, S.INFORMED): S.TERMINATED,
    # LAL 49: the justice bureau upholds a refusal or termination (the state stays) or orders it corrected.
    (Event.OBJECTION_UPHELD, S.DECLINED): S.DECLINED,
    (Event.OBJECTION_UPHELD, S.TERMINATED): S.TERMINATED,
    (Event.OBJECTION_CORRECTED, S.DECLINED): S.QUEUED,
    (Event.OBJECTION_CORRECTED, S.TERMINATED): S.QUEUED,
    # LAL 43 ¶2: asked once for missing materials, the application waits; supplied, it is reviewed on; not
    # supplied by the centre's date, it is deemed withdrawn.
    (Event.MATERIALS_REQUESTED, S.RECEIVED): S.AWAITING_MATERIALS,
    (Event.MATERIALS_REQUESTED, S.QUEUED): S.AWAITING_MATERIALS,
    (Event.MATERIALS_SUPPLIED, S.AWAITING_MATERIALS): S.QUEUED,
    (Event.DEEMED_WITHDRAWN, S.AWAITING_MATERIALS): S.WITHDRAWN,
    # LAL 43 ¶1: the written decision's service is recorded once there is a decision; the state stays.
    (Event.SERVED, S.GRANTED): S.GRANTED,
    (Event.SERVED, S.DECLINED): S.DECLINED,
    (Event.SERVED, S.ASSIGNED): S.ASSIGNED,
    (Event.SERVED, S.INFORMED): S.INFORMED,
}
APPLICATION_ONLY = {
    Event.GRANTED,
    Event.DECLINED,
    Event.SERVED,
    Event.MATERIALS_REQUESTED,
    Event.MATERIALS_SUPPLIED,
    Event.DEEMED_WITHDRAWN,
}
# The states each event may start from, as the refusal names them (sorted).
FROM = {
    Event.QUEUED: "received",
    Event.GRANTED: "queued, received",
    Event.DECLINED: "queued, received",
    Event.ASSIGNED: "granted, queued, received",
    Event.REPLACED: "assigned, informed",
    Event.INFORMED: "assigned",
    Event.WITHDRAWN: "assigned, awaiting_materials, granted, informed, queued, received",
    Event.TERMINATED: "assigned, granted, informed",
    Event.SERVED: "assigned, declined, granted, informed",
    Event.MATERIALS_REQUESTED: "queued, received",
    Event.MATERIALS_SUPPLIED: "awaiting_materials",
    Event.DEEMED_WITHDRAWN: "awaiting_materials",
    Event.OBJECTION_UPHELD: "declined, terminated",
    Event.OBJECTION_CORRECTED: "declined, terminated",
}


def _expected(kind: Kind, event: Event, state: RequestState) -> RequestState | None:
    target = ALLOWED.get((event, state))
    if target is None:
        return None
    if event in APPLICATION_ONLY and kind is not Kind.APPLICATION_TRANSFER:
        return None
    if event is Event.ASSIGNED and kind is Kind.APPLICATION_TRANSFER and state is not S.GRANTED:
        return None  # LAL 43: decide first
    if event is Event.ASSIGNED and kind is not Kind.APPLICATION_TRANSFER and state is S.GRANTED:
        return None  # only an application is ever granted
    if event is Event.OBJECTION_CORRECTED and kind is Kind.APPLICATION_TRANSFER and state is S.TERMINATED:
        return S.GRANTED  # the grant stands: aid given again means a lawyer assigned again
    return target


def _refusal(kind: Kind, event: Event, state: RequestState) -> str:
    """What staff read when the event is refused, checked in this order."""
    if event in APPLICATION_ONLY and kind is not Kind.APPLICATION_TRANSFER:
        return f"a {kind.value} request cannot be {event.value}"  # LAL 43: only applications are decided
    if event is Event.ASSIGNED and kind is Kind.APPLICATION_TRANSFER and state is not S.GRANTED:
        return "an application must be granted before a lawyer is assigned (LAL 43)"
    if event is Event.ASSIGNED and kind is not Kind.APPLICATION_TRANSFER and state is S.GRANTED:
        return f"a {kind.value} request is never granted; it cannot be assigned from granted"
    return f"a request that is {state.value} cannot be {event.value} (only from: {FROM[event]})"


CASES = [(kind, event, state) for kind in Kind for event in Event for state in RequestState]


@pytest.mark.parametrize(("kind", "event", "state"), CASES, ids=[f"{k}-{e}-{s}" for k, e, s in CASES])
def test_every_event_from_every_state(kind: Kind, event: Event, state: RequestState) -> None:
    expected = _expected(kind, event, state)
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            next_state(kind, state, event)
        assert str(refused.value) == _refusal(kind, event, state)
    else:
        assert next_state(kind, state, event) is expected
