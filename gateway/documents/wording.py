"""What each official document says, in Chinese, from the facts of the decision (the words, not the layout)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.contracts import labels as L
from gateway.domain.documents import DocumentKind
from gateway.domain.enums import Kind
from gateway.rules.deadlines import CHINA_TZ
from gateway.service.ports import DocumentFacts

TITLES = {
    DocumentKind.APPOINTMENT_NOTICE: "指派通知书",
    DocumentKind.GRANT_DECISION: "给予法律援助决定书",
    DocumentKind.REFUSAL_DECISION: "不予法律援助决定书",
    DocumentKind.MATERIALS_NOTICE: "补充材料通知书",
    DocumentKind.TERMINATION_DECISION: "终止法律援助决定书",
}
_OBJECTION_TO_REFUSAL = (
    "申请人对本决定有异议的，可以自收到本决定之日起三十日内，向设立本法律援助机构的司法行政部门提出"
    "（《中华人民共和国法律援助法》第四十九条，《山东省法律援助条例》第十六条）。"
)
_OBJECTION_TO_TERMINATION = (
    "受援人对本决定有异议的，可以向设立本法律援助机构的司法行政部门提出（《中华人民共和国法律援助法》第四十九条）。"
)
# The article an appointment rests on, by what the organ sent (LAL 36: a notice; LAL 30, 37: a duty lawyer;
# LAL 43: an application granted).
_APPOINTED_UNDER = {
    Kind.NOTIFY_DEFENSE: "第三十六条",
    Kind.DUTY_LAWYER: "第三十条、第三十七条",
    Kind.APPLICATION_TRANSFER: "第四十三条",
}
# Decisions on an application are the applicant's (LAL 43 ¶1, 49): written to him, a copy to the organ that
# forwarded it, which hands it over and returns the proof of service (送达回证).
_TO_THE_PERSON = frozenset(
    {
        DocumentKind.GRANT_DECISION,
        DocumentKind.REFUSAL_DECISION,
        DocumentKind.MATERIALS_NOTICE,
        DocumentKind.TERMINATION_DECISION,
    }
)


@dataclass(frozen=True)
class Wording:
    """A document's words: title, addressee, body paragraphs, issuer and date, as GB/T 9704 orders them."""

    title: str
    number: str
    addressee: str
    paragraphs: tuple[str, ...]
    issuer: str
    date: str
    copy_to: str | None = None  # 抄送: the organ a decision addressed to the person reaches him through


def wording(facts: DocumentFacts) -> Wording:
    """The words of the document the facts describe."""
    write = {
        DocumentKind.APPOINTMENT_NOTICE: _appointment,
        DocumentKind.GRANT_DECISION: _grant,
        DocumentKind.REFUSAL_DECISION: _refusal,
        DocumentKind.MATERIALS_NOTICE: _materials,
        DocumentKind.TERMINATION_DECISION: _termination,
    }[facts.kind]
    to_the_person = facts.kind in _TO_THE_PERSON
    return Wording(
        title=TITLES[facts.kind],
        number=facts.number,
        addressee=f"{facts.person if to_the_person else facts.addressee}：",
        paragraphs=tuple(write(facts, facts.answer)),
        issuer=facts.issuer,
        date=chinese_date(facts.issued_at),
        copy_to=facts.addressee if to_the_person else None,
    )


def chinese_date(moment: datetime) -> str:
    """The date in China, as a document's date is written (GB/T 9704-2012 §7.3.5.1): 2026年12月3日."""
    day = moment.astimezone(CHINA_TZ)
    return f"{day.year}年{day.month}月{day.day}日"


def china_minute(moment: datetime) -> str:
    """A time in China to the minute: 2026年12月4日 09:30."""
    local = moment.astimezone(CHINA_TZ)
    return f"{chinese_date(local)} {local:%H:%M}"


def _application(facts: DocumentFacts) -> str:
    """The application, as a decision addressed to the applicant names it."""
    return f"你经{facts.addressee}转交的法律援助申请（文号：{facts.reference}；案号：{facts.case_number}）"


def _matter(facts: DocumentFacts) -> str:
    sent = {
        Kind.NOTIFY_DEFENSE: "通知为{person}提供法律援助",
        Kind.DUTY_LAWYER: "通知为{person}安排值班律师",
        Kind.APPLICATION_TRANSFER: "转交{person}的法律援助申请",
    }[facts.request_kind].format(person=facts.person)
    return f"你单位（文号：{facts.reference}；案号：{facts.case_number}）{sent}"


def _appointment(facts: DocumentFacts, answer: dict[str, Any]) -> list[str]:
    lawyer = answer["lawyer"]
    name = lawyer["name"] if str(lawyer["name"]).endswith("律师") else f"{lawyer['name']}律师"
    who = f"{lawyer['law_firm']}{name}（执业证号：{lawyer['licence_number']}；联系电话：{lawyer['phone']}）"
    role = "担任值班律师，为其提供法律帮助" if facts.request_kind is Kind.DUTY_LAWYER else "承办"
    replaced = answer.get("replacement_reason")
    verb = "更换指派" if replaced else "指派"
    article = _APPOINTED_UNDER[facts.request_kind]
    text = [f"{_matter(facts)}一事，本中心依照《中华人民共和国法律援助法》{article}的规定，{verb}{who}{role}。"]
    if replaced:
        text.append(f"更换原因：{L.label(L.REPLACEMENT_REASONS, replaced)}。")
    if answer.get("duty_place") or answer.get("duty_time"):
        when = china_minute(datetime.fromisoformat(answer["duty_time"])) if answer.get("duty_time") else "另行通知"
        text.append(f"值班时间：{when}；地点：{answer.get('duty_place') or '另行通知'}。")
    text.append("请依法为其会见、阅卷等提供便利。")
    return text


def _grant(facts: DocumentFacts, answer: dict[str, Any]) -> list[str]:
    return [
        f"{_application(facts)}，本中心经审查，认为你符合法律援助条件。依照《中华人民共和国法律援助法》"
        "第四十三条的规定，决定给予法律援助，并将在三日内指派律师。"
    ]


def _refusal(facts: DocumentFacts, answer: dict[str, Any]) -> list[str]:
    reason = L.label(L.REFUSAL_REASONS, answer.get("reason_code"))
    return [
        f"{_application(facts)}，本中心经审查，认为你不符合法律援助条件：{reason}。{answer.get('reason') or ''}",
        "依照《中华人民共和国法律援助法》第四十三条的规定，决定不予法律援助。",
        _OBJECTION_TO_REFUSAL,
    ]


def _materials(facts: DocumentFacts, answer: dict[str, Any]) -> list[str]:
    items = "；".join(f"{n}. {item}" for n, item in enumerate(answer["items"], 1))
    by = chinese_date(datetime.fromisoformat(answer["supply_by"]))
    return [
        f"{_application(facts)}材料不齐全。依照《中华人民共和国法律援助法》第四十三条第二款的规定，"
        f"请于{by}前补充以下材料或者作出说明：{items}。",
        "逾期未按要求补充材料或者作出说明的，视为撤回申请。",
    ]


def _termination(facts: DocumentFacts, answer: dict[str, Any]) -> list[str]:
    ground = L.label(L.TERMINATION_GROUNDS, answer.get("ground"))
    return [
        f"本中心依{facts.addressee}（文号：{facts.reference}；案号：{facts.case_number}）为你提供的法律援助，"
        f"现因{ground}（{answer.get('reason') or ''}），依照《中华人民共和国法律援助法》第四十八条的规定，"
        "决定终止法律援助。",
        _OBJECTION_TO_TERMINATION,
    ]
