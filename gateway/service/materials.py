"""Missing materials (LAL 43 ¶2): the forwarder supplies what the centre asked for once, or the application is
deemed withdrawn when the centre's date passes."""

import json
from datetime import datetime
from typing import Protocol

from gateway.domain.enums import RequestState
from gateway.domain.lifecycle import Event
from gateway.domain.model import Agency, Attachment
from gateway.errors import IllegalTransition, InvalidInput
from gateway.rules.calendar import WorkCalendar
from gateway.rules.deadlines import CHINA_TZ, CLOCK_SKEW, count_days
from gateway.service.messages import materials_message
from gateway.service.ports import Clock, StoredRequest
from gateway.service.request_status import HistoryStore, find_own_request
from gateway.service.transitions import Change, Transitions
from schemas.fields import china_iso

REVIEW_DAYS = 7  # LAL 43 ¶1
ACTOR = "gateway"


class MaterialsStore(HistoryStore, Protocol):
    """What the materials use case needs of the store."""

    def awaiting_materials_past(self, now: datetime) -> list[str]: ...


class Materials:
    """The agency's supply of missing materials, and the deemed withdrawal of an application left without them.

    LAL 43 ¶2 says what happens when nothing comes (deemed withdrawn) but not what becomes of the 7-day review
    clock (LAL 43 ¶1) while the applicant gathers the materials. The gateway's choice: the clock stops, since
    the time the applicant takes is not the centre's, and once the materials are supplied the centre has what
    was left of its 7 days, counted from the supply and at least one day, so that the request is never due
    before the centre has seen them.
    """

    def __init__(self, store: MaterialsStore, transitions: Transitions, clock: Clock, calendar: WorkCalendar) -> None:
        self._store = store
        self._transitions = transitions
        self._clock = clock
        self._calendar = calendar

    def supply(
        self, agency: Agency, request_id: str, supplied_at: datetime, documents: tuple[Attachment, ...]
    ) -> StoredRequest:
        """Record the documents and send them to the centre; the review resumes. A repeat changes nothing."""
        stored = find_own_request(self._store, request_id, agency)
        if self._supplied(stored):
            return stored
        if stored.state is not RequestState.AWAITING_MATERIALS:
            raise IllegalTransition(f"a request that is {stored.state.value} awaits no materials (LAL 43 ¶2)")
        requested = self._store.latest_answers(request_id)["materials_request"]
        self._check_date(supplied_at, datetime.fromisoformat(requested["requested_at"]))
        if supplied_at > stored.due_at + CLOCK_SKEW:  # while awaiting, due_at is the centre's date
            raise InvalidInput(
                "supplied after the centre's date: the application is deemed withdrawn (LAL 43 ¶2); see errors",
                errors={"supplied_at": ["after the date the centre set"]},
            )
        change = Change(
            actor=agency.code,
            detail={"documents": len(documents), "supplied_at": china_iso(supplied_at)},
            messages=(materials_message(stored, supplied_at, documents),),
            deadline=self._review_resumes(stored, datetime.fromisoformat(requested["requested_at"]), supplied_at),
        )
        return self._transitions.apply(request_id, Event.MATERIALS_SUPPLIED, change, already=self._supplied)

    def _supplied(self, stored: StoredRequest) -> bool:
        """Whether the materials are recorded (asked again at the write: of two concurrent calls, one records them
        and the other answers as a repeat)."""
        return Event.MATERIALS_SUPPLIED.value in [str(entry["event"]) for entry in self._store.audit_trail(stored.id)]

    def expire(self) -> int:
        """Deem withdrawn every application whose materials did not come by the centre's date (LAL 43 ¶2)."""
        expired = 0
        for request_id in self._store.awaiting_materials_past(self._clock.now()):
            stored = self._store.get(request_id)
            if stored is None:
                continue
            change = Change(actor=ACTOR, detail={"supply_by": china_iso(stored.due_at)})
            try:
                self._transitions.apply(request_id, Event.DEEMED_WITHDRAWN, change)
            except IllegalTransition:
                continue  # supplied in the meantime
            expired += 1
        return expired

    def _check_date(self, supplied_at: datetime, requested_at: datetime) -> None:
        if supplied_at < requested_at - CLOCK_SKEW:
            raise InvalidInput(
                "the materials are dated before they were asked for; see errors",
                errors={"supplied_at": ["before the centre asked for them"]},
            )
        if supplied_at > self._clock.now() + CLOCK_SKEW:
            raise InvalidInput(
                "the materials are dated in the future; see errors", errors={"supplied_at": ["in the future"]}
            )

    def _review_resumes(
        self, stored: StoredRequest, requested_at: datetime, supplied_at: datetime
    ) -> tuple[datetime, str, str]:
        """What is left of the 7 days (the receipt's day not counted, CPL 105), from the supply."""
        used = (requested_at.astimezone(CHINA_TZ).date() - stored.received_at.astimezone(CHINA_TZ).date()).days
        left = max(REVIEW_DAYS - used, 1)
        canonical = json.loads(self._store.canonical_body(stored.id) or "{}")
        detained = bool(canonical.get("person", {}).get("custody", {}).get("detained"))
        due = count_days(supplied_at, left, detained=detained, calendar=self._calendar)
        return (due, "decide_application", "LAL 43")
