"""Which decision issues which official document, and how documents are numbered.

LAL 36: the centre appoints a lawyer and tells the notifying organ (指派通知书). LAL 43: it decides an application
in writing, a refusal with its reasons (给予 / 不予法律援助决定书), and asks once for what is missing (补充材料通知书).
LAL 48: ending the aid is a decision too (终止法律援助决定书). Documents are numbered per centre, kind and year
in the usual form of a document number (发文字号, GB/T 9704-2012 §7.2.4): 青法援指〔2026〕12号; each centre's
prefix (青法援, 青南法援 …) is configured, so the centres of one city do not share numbers.
"""

import string

from gateway.domain.documents import DocumentKind
from gateway.domain.enums import DecisionOutcome
from gateway.domain.lifecycle import Event

# The events that issue a document; a decision's document depends on its outcome.
_ISSUED_BY = {
    Event.ASSIGNED: DocumentKind.APPOINTMENT_NOTICE,  # LAL 36
    Event.REPLACED: DocumentKind.APPOINTMENT_NOTICE,  # the new lawyer, as appointed
    Event.MATERIALS_REQUESTED: DocumentKind.MATERIALS_NOTICE,  # LAL 43 ¶2
    Event.TERMINATED: DocumentKind.TERMINATION_DECISION,  # LAL 48
}
_DECISIONS = {
    DecisionOutcome.GRANTED.value: DocumentKind.GRANT_DECISION,  # LAL 43
    DecisionOutcome.REFUSED.value: DocumentKind.REFUSAL_DECISION,  # LAL 43: reasons in writing
}

# The character a document number names its kind by (the 代字 after the centre's).
KIND_MARKS = {
    DocumentKind.APPOINTMENT_NOTICE: "指",
    DocumentKind.GRANT_DECISION: "予",
    DocumentKind.REFUSAL_DECISION: "不予",
    DocumentKind.MATERIALS_NOTICE: "补",
    DocumentKind.TERMINATION_DECISION: "终",
}

# The default pattern: the centre's prefix (its 机关代字), the kind, the year, the number.
DEFAULT_NUMBER_PATTERN = "{prefix}{kind}〔{year}〕{seq}号"
NUMBER_FIELDS = frozenset({"prefix", "centre", "kind", "year", "seq"})


def issued_document(event: Event, decision_outcome: str | None = None) -> DocumentKind | None:
    """The document an event issues, if any; a decision's by its outcome."""
    if event in (Event.GRANTED, Event.DECLINED):
        return _DECISIONS.get(decision_outcome or "")
    return _ISSUED_BY.get(event)


def default_prefix(centre_name: str) -> str:
    """A centre's prefix when none is configured: the first character of its name (its city's) and 法援."""
    return f"{centre_name[:1]}法援"


def document_number(pattern: str, prefix: str, centre_code: str, kind: DocumentKind, year: int, seq: int) -> str:
    """The number of the `seq`-th document of `kind` a centre issues in `year`, written by `pattern`."""
    return pattern.format(prefix=prefix, centre=centre_code, kind=KIND_MARKS[kind], year=year, seq=seq)


def check_number_pattern(pattern: str) -> None:
    """ValueError unless `pattern` names the kind, the year and the number, and only fields it may."""
    named = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    if not {"kind", "year", "seq"} <= named or not named <= NUMBER_FIELDS:
        raise ValueError(
            f"a document number pattern names {{kind}}, {{year}} and {{seq}} (each kind is numbered on its own), "
            f"and may name {{prefix}} and {{centre}}: {pattern!r}"
        )
