"""The centre's side: appointments, decisions, replacements and terminations, on the requests routed to it."""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from gateway.domain.enums import AgencyType, DecisionOutcome, Ground, Kind, ObjectionOutcome, RequestState, Stage
from gateway.domain.lifecycle import Event
from gateway.domain.model import Agency, Appointment, Decision, MaterialsRequest, ObjectionDecision, Termination
from gateway.errors import IllegalTransition, InvalidInput, KindNotAllowed, RequestNotFound
from gateway.rules.calendar import WorkCalendar
from gateway.rules.deadlines import CLOCK_SKEW, count_days
from gateway.rules.grounds import SENIOR_YEARS, needs_senior_lawyer
from gateway.service.ports import AnswerAlreadyApplied, Clock, NewAnswer, StoredRequest
from gateway.service.transitions import Change, Transitions
from schemas.answers import (
    dump_appointment,
    dump_decision,
    dump_materials_request,
    dump_objection,
    dump_termination,
)
from schemas.fields import china_iso


class AnswerStore(Protocol):
    """What the centre's answers need of the store."""

    def get(self, request_id: str) -> StoredRequest | None: ...

    def canonical_body(self, request_id: str) -> str | None: ...

    def answer_request(self, message_id: str) -> str | None: ...

    def co_defendants_lawyers(self, request_id: str) -> dict[str, str]: ...

    def audit_trail(self, request_id: str) -> list[dict[str, object]]: ...

    def latest_answers(self, request_id: str) -> dict[str, dict[str, Any]]: ...


class CentreAnswers:
    """Applies a centre's answer through the lifecycle; the agency is then told through its callback."""

    def __init__(self, store: AnswerStore, transitions: Transitions, calendar: WorkCalendar, clock: Clock) -> None:
        self._store = store
        self._transitions = transitions
        self._calendar = calendar
        self._clock = clock

    def appoint(
        self,
        centre: Agency,
        request_id: str,
        appointment: Appointment,
        message_id: str | None = None,
        actor: str | None = None,
    ) -> StoredRequest:
        """A lawyer for the request (LAL 36); a replacement when `appointment.replacement_reason` is set.

        `actor` names who answered in the audit log (a staff member in the console); by default the centre.
        """
        stored = self._routed_to(centre, request_id)
        if self._already_applied(request_id, message_id):
            return stored  # a repeat of an answer already applied changes nothing
        self._check_appointment(stored, appointment)
        replacing = appointment.replacement_reason is not None
        answer = NewAnswer("replacement" if replacing else "appointment", dump_appointment(appointment), message_id)
        change = Change(
            actor=actor or centre.code, detail={"licence_number": appointment.lawyer.licence_number}, answer=answer
        )
        return self._apply(request_id, Event.REPLACED if replacing else Event.ASSIGNED, change, message_id)

    def decide(
        self,
        centre: Agency,
        request_id: str,
        decision: Decision,
        message_id: str | None = None,
        actor: str | None = None,
    ) -> StoredRequest:
        """Grant or refuse an application (LAL 43); a grant starts the 3-day clock to assign a lawyer."""
        stored = self._routed_to(centre, request_id)
        if self._already_applied(request_id, message_id):
            return stored  # a repeat of an answer already applied changes nothing
        _not_before_receipt(stored, "decided_at", decision.decided_at)
        granted = decision.outcome is DecisionOutcome.GRANTED
        deadline = None
        if granted:
            # LAL 43: once aid is granted, the centre assigns a lawyer within 3 days of the decision.
            due = count_days(decision.decided_at, 3, detained=self._detained(stored), calendar=self._calendar)
            deadline = (due, "assign_lawyer", "LAL 43")
        change = Change(
            actor=actor or centre.code,
            # The LAL 43 deadline the decision answers: a grant replaces it, and the reports still judge it.
            detail={
                "outcome": decision.outcome.value,
                "reason_code": decision.reason_code,
                "decision_due_at": china_iso(stored.due_at),
            },
            answer=NewAnswer("decision", dump_decision(decision), message_id),
            deadline=deadline,
        )
        return self._apply(request_id, Event.GRANTED if granted else Event.DECLINED, change, message_id)

    def terminate(
        self,
        centre: Agency,
        request_id: str,
        termination: Termination,
        message_id: str | None = None,
        actor: str | None = None,
    ) -> StoredRequest:
        """End the aid on a ground of LAL 48; the agency is told, as of an appointment, and must act where the
        law makes a defender mandatory (LAL 25: it notifies again, or the person has their own lawyer)."""
        stored = self._routed_to(centre, request_id)
        if self._already_applied(request_id, message_id):
            return stored  # a repeat of an answer already applied changes nothing
        _not_before_receipt(stored, "terminated_at", termination.terminated_at)
        change = Change(
            actor=actor or centre.code,
            detail={"ground": termination.ground.value},  # the reason's text may name people: not in the audit log
            answer=NewAnswer("termination", dump_termination(termination), message_id),
        )
        return self._apply(request_id, Event.TERMINATED, change, message_id)

    def request_materials(
        self,
        centre: Agency,
        request_id: str,
        request: MaterialsRequest,
        message_id: str | None = None,
        actor: str | None = None,
    ) -> StoredRequest:
        """Tell the applicant, once, what the application lacks (LAL 43 ¶2), through the forwarding agency.

        The review waits: until `supply_by` the request's deadline is the applicant's, and the time to supply is
        not counted in the 7 days (gateway/service/materials.py restarts what is left of them).
        """
        stored = self._routed_to(centre, request_id)
        if self._already_applied(request_id, message_id):
            return stored  # a repeat of an answer already applied changes nothing
        _not_before_receipt(stored, "requested_at", request.requested_at)
        self._materials_not_asked(stored)
        now = self._clock.now()
        if request.requested_at > stored.due_at or now > stored.due_at:
            # The review clock stops while materials are gathered; it cannot be stopped once it has run out.
            raise IllegalTransition("the 7 days to decide have passed (LAL 43): decide on what the application has")
        errors = {}
        if request.requested_at > now + CLOCK_SKEW:
            errors["requested_at"] = ["in the future"]
        if request.supply_by <= now:
            errors["supply_by"] = ["already passed: the applicant needs time to supply"]
        if errors:
            raise InvalidInput("the materials request's dates cannot be; see errors", errors=errors)
        change = Change(
            actor=actor or centre.code,
            detail={"items": len(request.items), "supply_by": china_iso(request.supply_by)},
            answer=NewAnswer("materials_request", dump_materials_request(request), message_id),
            deadline=(request.supply_by, "supply_materials", "LAL 43"),
        )
        return self._apply(request_id, Event.MATERIALS_REQUESTED, change, message_id, self._materials_not_asked)

    def _materials_not_asked(self, stored: StoredRequest) -> bool:
        """False, or IllegalTransition if the materials were asked for already (asked again at the write, so two
        concurrent requests record one)."""
        if any(entry["event"] == Event.MATERIALS_REQUESTED.value for entry in self._store.audit_trail(stored.id)):
            raise IllegalTransition("missing materials are asked for once (LAL 43 ¶2: 一次性告知)")
        return False

    def record_objection(
        self,
        centre: Agency,
        request_id: str,
        objection: ObjectionDecision,
        message_id: str | None = None,
        actor: str | None = None,
    ) -> StoredRequest:
        """The justice bureau's decision on an objection to a refusal or termination (LAL 49); the agency is told.

        Corrected, the request is open again: a refused application is reviewed anew within LAL 43's 7 days, and
        ended aid is given again, a lawyer assigned within 3 days, both counted from the bureau's decision (LAL 49
        sets no period; the centre's own periods are applied afresh).
        """
        stored = self._routed_to(centre, request_id)
        if self._already_applied(request_id, message_id):
            return stored  # a repeat of an answer already applied changes nothing
        if objection.decided_at > self._clock.now() + CLOCK_SKEW:
            raise InvalidInput(
                "the bureau's decision is dated in the future; see errors", errors={"decided_at": ["in the future"]}
            )
        self._check_objection(stored, objection)
        deadline = None
        if objection.outcome is ObjectionOutcome.CORRECTED:
            review = stored.state is RequestState.DECLINED
            days, obligation = (7, "decide_application") if review else (3, "assign_lawyer")
            due = count_days(objection.decided_at, days, detained=self._detained(stored), calendar=self._calendar)
            deadline = (due, obligation, "LAL 49")
        corrected = objection.outcome is ObjectionOutcome.CORRECTED
        change = Change(
            actor=actor or centre.code,
            detail={"outcome": objection.outcome.value, "lodged_at": china_iso(objection.lodged_at)},
            answer=NewAnswer("objection", dump_objection(objection), message_id),
            deadline=deadline,
        )
        event = Event.OBJECTION_CORRECTED if corrected else Event.OBJECTION_UPHELD
        return self._apply(request_id, event, change, message_id, self._not_upheld_yet)

    def _not_upheld_yet(self, stored: StoredRequest) -> bool:
        """False, or IllegalTransition if the bureau upheld the decision already (asked again at the write)."""
        trail = [str(entry["event"]) for entry in self._store.audit_trail(stored.id)]
        closing = max((i for i, event in enumerate(trail) if event in ("declined", "terminated")), default=-1)
        if "objection_upheld" in trail[closing + 1 :]:
            raise IllegalTransition("the bureau has already upheld this decision (LAL 49: review or a lawsuit next)")
        return False

    def _check_objection(self, stored: StoredRequest, objection: ObjectionDecision) -> None:
        """Once per decision objected to, lodged after it was made."""
        self._not_upheld_yet(stored)
        answers = self._store.latest_answers(stored.id)
        made = answers.get("termination", {}).get("terminated_at") if stored.state is RequestState.TERMINATED else None
        made = made or answers.get("decision", {}).get("decided_at")
        if made and objection.lodged_at < datetime.fromisoformat(made) - CLOCK_SKEW:
            raise InvalidInput(
                "the objection is dated before the decision it objects to; see errors",
                errors={"lodged_at": ["before the decision objected to"]},
            )

    def _apply(
        self,
        request_id: str,
        event: Event,
        change: Change,
        key: str | None,
        already: Callable[[StoredRequest], bool] | None = None,
    ) -> StoredRequest:
        """The transition; a concurrent repeat under the same key that won the race answers the same."""
        try:
            return self._transitions.apply(request_id, event, change, already)
        except (IllegalTransition, AnswerAlreadyApplied):
            if key is None or not self._already_applied(request_id, key):
                raise
            stored = self._store.get(request_id)
            assert stored is not None  # it was found above and is never deleted
            return stored

    def _already_applied(self, request_id: str, key: str | None) -> bool:
        """Whether the answer under `key` was applied; a key used for another request is refused."""
        if key is None:
            return False
        applied_to = self._store.answer_request(key)
        if applied_to is not None and applied_to != request_id:
            raise InvalidInput(
                "this idempotency key was already used for another request; use a new key for a new answer",
                errors={"Idempotency-Key": ["already used for another request"]},
            )
        return applied_to is not None

    def _routed_to(self, centre: Agency, request_id: str) -> StoredRequest:
        if centre.type != AgencyType.LEGAL_AID_CENTRE:
            raise KindNotAllowed(f"agency {centre.code} is a {centre.type.value}; only a legal aid centre answers")
        stored = self._store.get(request_id)
        if stored is None or stored.centre_code != centre.code:
            # A centre acts only on requests routed to it; others' are reported as absent.
            raise RequestNotFound(f"no request {request_id} was routed to centre {centre.code}")
        return stored

    def _check_appointment(self, stored: StoredRequest, appointment: Appointment) -> None:
        errors: dict[str, list[str]] = {}
        if appointment.appointed_at < stored.received_at - CLOCK_SKEW:
            errors["appointed_at"] = [_BEFORE_RECEIPT]
        if stored.kind is Kind.DUTY_LAWYER:
            for name in ("duty_place", "duty_time"):
                if getattr(appointment, name) is None:
                    errors[name] = ["required for a duty lawyer: where and when"]
        if stored.kind is not Kind.DUTY_LAWYER:
            other = self._store.co_defendants_lawyers(stored.id).get(appointment.lawyer.licence_number)
            if other is not None:
                errors["lawyer.licence_number"] = [_CO_DEFENDANT.format(case=stored.case_number)]
        if needs_senior_lawyer(self._grounds(stored), self._stage(stored)):
            years = appointment.lawyer.years_of_practice
            if years is None or years < SENIOR_YEARS:
                errors["lawyer.years_of_practice"] = [
                    f"at least {SENIOR_YEARS} years of practice for a possible life or death sentence "
                    "or in death-penalty review (LAL 26)"
                ]
        if errors:
            raise InvalidInput("the appointment does not meet what the request needs; see errors", errors=errors)

    def _canonical(self, stored: StoredRequest) -> dict[str, object]:
        body = self._store.canonical_body(stored.id)
        loaded: dict[str, object] = json.loads(body) if body else {}
        return loaded

    def _grounds(self, stored: StoredRequest) -> frozenset[Ground]:
        return frozenset(Ground(g) for g in self._canonical(stored).get("grounds", []))  # type: ignore[attr-defined]

    def _stage(self, stored: StoredRequest) -> Stage | None:
        stage = self._canonical(stored).get("case", {}).get("stage")  # type: ignore[attr-defined]
        return Stage(stage) if stage else None

    def _detained(self, stored: StoredRequest) -> bool:
        person = self._canonical(stored).get("person", {})
        return bool(person.get("custody", {}).get("detained"))  # type: ignore[attr-defined]


# SPC interpretation of the CPL (法释〔2021〕1号, art. 43; not in shared/law): one defender may not defend two
# co-defendants of the same case; the centre appoints another lawyer.
_CO_DEFENDANT = "already defends another defendant in case {case}: one lawyer may not defend two co-defendants"

# Beyond the clocks' skew, an answer dated before the request was received is a typo that would start the
# LAL 43 clock, or report an appointment, before the request existed.
_BEFORE_RECEIPT = "before the request was received: a lawyer is appointed, or a decision made, after the notice"


def _not_before_receipt(stored: StoredRequest, field: str, moment: datetime) -> None:
    """InvalidInput when an answer is dated before the request reached the gateway (beyond the clocks' skew)."""
    if moment < stored.received_at - CLOCK_SKEW:
        raise InvalidInput(
            "the answer is dated before the request was received; see errors", errors={field: [_BEFORE_RECEIPT]}
        )
