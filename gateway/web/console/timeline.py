"""A request's story for the console: its audit log and every attempt to tell the agency, in time order."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.contracts import labels as L
from gateway.service.ports import Attempt, Delivery
from gateway.store.console import AuditEntry
from gateway.store.deliveries import PARKED
from gateway.web.console.formatting import china_time, citation, failure_summary


@dataclass(frozen=True)
class Moment:
    """One line of the timeline."""

    at: datetime
    event: str  # a stable code: the audit event, or delivery.delivered / delivery.failed / delivery.parked
    title: str
    actor: str
    note: str
    tone: str  # ok, warn, bad, info: the line's colour


def build_timeline(
    entries: list[AuditEntry], notices: list[tuple[Delivery, list[Attempt]]], agency_names: dict[str, str]
) -> list[Moment]:
    """The audit log and the notices' attempts merged, oldest first; who acted is named in words."""
    moments = [_from_audit(entry, agency_names) for entry in entries]
    for delivery, attempts in notices:
        moments.extend(_from_attempt(delivery, attempt, agency_names) for attempt in attempts)
        if delivery.state == PARKED and attempts:
            moments.append(
                Moment(
                    attempts[-1].at,
                    "delivery.parked",
                    "回执已搁置，等待人工重试",
                    L.actor_label("gateway", agency_names),
                    _event_note(delivery),
                    "bad",
                )
            )
    return sorted(moments, key=lambda moment: moment.at)


# What each detail of an audit record says on the timeline, in this order.
_NOTES: tuple[tuple[str, Callable[[dict[str, Any]], str]], ...] = (
    ("licence_number", lambda d: f"律师执业证号 {d['licence_number']}"),
    ("outcome", lambda d: _outcome(d)),
    ("reason", lambda d: L.label(L.WITHDRAWAL_REASONS, str(d["reason"]))),
    ("ground", lambda d: L.label(L.TERMINATION_GROUNDS, str(d["ground"]))),
    ("supply_by", lambda d: f"补充期限 {_china_minute(str(d['supply_by']))}"),
    ("documents", lambda d: f"补充材料 {d['documents']} 份"),
    ("served_at", lambda d: f"办案机关回执：{_china_minute(str(d['served_at']))}送达"),
    ("hold_reason", lambda d: f"理由：{d['hold_reason']}"),
    ("retention_days", lambda d: f"保存期限 {d['retention_days']} 天"),
    ("due_at", lambda d: f"期限 {_china_minute(str(d['due_at']))}（{citation(str(d.get('basis', '')))}）"),
)


def _from_audit(entry: AuditEntry, agency_names: dict[str, str]) -> Moment:
    detail = entry.detail or {}
    notes = []
    if entry.event == "received":
        notes.append(f"经{L.label(L.CHANNELS, detail.get('channel'))}接收，文号 {detail.get('reference', '—')}")
    notes += [note(detail) for key, note in _NOTES if key in detail]
    tone = {
        "withdrawn": "warn",
        "declined": "warn",
        "terminated": "warn",
        "deadline_at_risk": "warn",
        "deadline_missed": "bad",
    }
    return Moment(
        at=entry.at,
        event=entry.event,
        title=L.label(L.EVENTS, entry.event),
        actor=L.actor_label(entry.actor, agency_names),
        note="；".join(notes),
        tone=tone.get(entry.event, "ok" if entry.event in ("assigned", "informed", "granted", "served") else "info"),
    )


def _from_attempt(delivery: Delivery, attempt: Attempt, agency_names: dict[str, str]) -> Moment:
    system = L.actor_label("gateway", agency_names)
    if attempt.outcome == "delivered":
        return Moment(
            attempt.at, "delivery.delivered", L.EVENTS["delivery.delivered"], system, _event_note(delivery), "ok"
        )
    note = f"{_event_note(delivery)}：{failure_summary(attempt)}"  # the technical record is on the deliveries page
    return Moment(attempt.at, "delivery.failed", L.EVENTS["delivery.failed"], system, note, "warn")


def _event_note(delivery: Delivery) -> str:
    return f"回执事项：{L.label(L.EVENTS, delivery.event)}"


def _outcome(detail: dict[str, Any]) -> str:
    """A decision's outcome, or the justice bureau's on an objection, in Chinese."""
    if "lodged_at" in detail:
        lodged = _china_minute(str(detail["lodged_at"]))
        return f"{lodged}提出异议，{L.label(L.OBJECTION_OUTCOMES, str(detail['outcome']))}"
    if detail["outcome"] == "granted":
        return "给予"
    return f"不予（{L.label(L.REFUSAL_REASONS, detail.get('reason_code'))}）"


def _china_minute(text: str) -> str:
    """A time an older record stored as ISO text (UTC, microseconds), in China time to the minute."""
    try:
        return china_time(datetime.fromisoformat(text))
    except ValueError:
        return text
