"""The withdrawal use case: an agency takes back its notice; the centre learns it through the bus."""

from typing import Protocol

from gateway.domain.enums import RequestState, WithdrawalReason
from gateway.domain.model import Agency, Withdrawal
from gateway.errors import IllegalTransition, InvalidInput
from gateway.outbox import withdrawal_message
from gateway.ports import Clock, OutboxMessage, StoredRequest
from gateway.request_status import find_own_request

# Before the centre has acted, an agency may withdraw; the way back (appointments) adds its states later.
WITHDRAWABLE = frozenset({RequestState.RECEIVED, RequestState.QUEUED})


class WithdrawalStore(Protocol):
    """What the withdrawal needs of the store."""

    def get(self, request_id: str) -> StoredRequest | None: ...

    def withdraw(self, withdrawal: Withdrawal, from_state: RequestState, message: OutboxMessage) -> bool: ...


class Withdrawals:
    """Withdraws an agency's own request once; a repeated withdrawal answers the same."""

    def __init__(self, store: WithdrawalStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def withdraw(self, agency: Agency, request_id: str, reason: WithdrawalReason, note: str | None) -> StoredRequest:
        """Withdraw the request and queue `withdrawal.<centre>`; IllegalTransition if it is too late."""
        if reason is WithdrawalReason.OTHER and not note:
            raise InvalidInput(
                "a withdrawal for reason 'other' needs a note", errors={"note": ["required for 'other'"]}
            )
        for _attempt in range(3):
            stored = find_own_request(self._store, request_id, agency)
            if stored.state is RequestState.WITHDRAWN:
                return stored
            if stored.state not in WITHDRAWABLE:
                raise IllegalTransition(f"request {request_id} is {stored.state.value} and can no longer be withdrawn")
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
            if self._store.withdraw(withdrawal, stored.state, withdrawal_message(withdrawal)):
                return find_own_request(self._store, request_id, agency)
        raise IllegalTransition(f"request {request_id} kept changing state; try again")
