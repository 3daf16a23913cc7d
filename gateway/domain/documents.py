"""The official documents the centre issues with its decisions, each filed by the organ that receives it."""

from enum import StrEnum


class DocumentKind(StrEnum):
    """A document the gateway writes from a decision the centre records."""

    APPOINTMENT_NOTICE = "appointment_notice"  # 指派通知书 (LAL 36): the lawyer appointed, to the notifying organ
    GRANT_DECISION = "grant_decision"  # 给予法律援助决定书 (LAL 43)
    REFUSAL_DECISION = "refusal_decision"  # 不予法律援助决定书 (LAL 43: with its reasons, in writing)
    MATERIALS_NOTICE = "materials_notice"  # 补充材料通知书 (LAL 43 ¶2: once, what is missing)
    TERMINATION_DECISION = "termination_decision"  # 终止法律援助决定书 (LAL 48)
