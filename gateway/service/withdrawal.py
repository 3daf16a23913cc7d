"""The withdrawal use case: an agency takes back its notice; the centre learns it through the bus."""

from gateway.domain.enums import RequestState, WithdrawalReason
from gateway.domain.lifecycle import Event
from gateway.domain.model import Agency, Withdrawal
from gateway.errors import InvalidInput
from gateway.service.messages import withdrawal_message
from gateway.service.ports import Clock, StoredRequest
from gateway.service.request_status import StatusStore, find_own_request
from gateway.service.transitions import Change, Transitions


class Withdrawals:
    """Withdraws an agency's own request once; a repeated withdrawal answers the same."""

    def __init__(self, store: StatusStore, transitions: Transitions, clock: Clock) -> None:
        self._store = store
        self._transitions = transitions
        self._clock = clock

    def withdraw(self, agency: Agency, request_id: str, reason: WithdrawalReason, note: str | None) -> StoredRequest:
        """Withdraw the request and queue `withdrawal.<centre>`; IllegalTransition if it is too late."""
        if reason is WithdrawalReason.OTHER and not note:
            raise InvalidInput("a withdrawal for reason 'other' needs a note", errors={"note": ["required"]})
        stored = find_own_request(self._store, request_id, agency)
        if stored.state is RequestState.WITHDRAWN:
            return stored
        withdrawal = Withdrawal(
            request_id=stored.id,
            kind=stored.kind,
            agency_code=agency.code,
            reference=stored.reference,
            centre_code=stored.centre_code,
            reason=reason,
            note=note,
            at=self._clock.now(),
        )
        change = Change(
            actor=agency.code,
            # The note is the agency's free text (it may name a person): it goes to the centre on the bus,
            # sealed in the outbox, never into the audit log, which is kept for good and cannot be purged.
            detail={"reason": reason.value, "note_given": bool(note)},
            messages=(withdrawal_message(withdrawal),),
        )
        # Asked again at the write: of two concurrent withdrawals, one is recorded and the other answers as a repeat.
        return self._transitions.apply(request_id, Event.WITHDRAWN, change, already=_withdrawn)


def _withdrawn(stored: StoredRequest) -> bool:
    return stored.state is RequestState.WITHDRAWN
