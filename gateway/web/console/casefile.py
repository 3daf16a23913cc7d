"""What the console shows of a request: the canonical body read for people, personal data masked by role."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.contracts import labels as L
from gateway.domain.staff import StaffMember
from gateway.security.privacy import mask_id_number, mask_name
from gateway.store.console import CaseRow
from gateway.web.console.formatting import china_time, citation


@dataclass(frozen=True)
class Badge:
    """A ground shown as a badge; grave ones stand out."""

    text: str
    grave: bool


@dataclass(frozen=True)
class CaseCard:
    """One request as a line of the inbox or the head of its page."""

    id: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    case_number: str
    agency_code: str
    agency_name: str
    stage_label: str
    detained: bool
    person_name: str
    id_number: str
    received_at: datetime
    due_at: datetime
    obligation_label: str
    basis: str
    basis_text: str
    centre_code: str
    badges: list[Badge] = field(default_factory=list)

    def seconds_left(self, now: datetime) -> int:
        """Seconds until the legal deadline (negative once it has passed)."""
        return int((self.due_at - now).total_seconds())

    def urgency(self, now: datetime) -> str:
        """overdue, critical (under 12 h), soon (under 24 h) or normal: the inbox colours."""
        left = self.seconds_left(now)
        if left < 0:
            return "overdue"
        if left < 12 * 3600:
            return "critical"
        return "soon" if left < 24 * 3600 else "normal"


def shown_name(member: StaffMember, name: str | None) -> str:
    """A person's name in clear for those allowed to see it, masked for everyone else."""
    return (name or "—") if member.personal_data else mask_name(name)


def shown_id_number(member: StaffMember, number: str | None) -> str:
    """An ID number in clear for those allowed to see it, masked for everyone else."""
    return (number or "—") if member.personal_data else mask_id_number(number)


def case_card(row: CaseRow, member: StaffMember, agency_names: dict[str, str], in_clear: bool = True) -> CaseCard:
    """The inbox line of a request, as `member` may see it; without `in_clear`, the name and ID number masked for
    everyone (a view of them in clear is recorded: PIPL art. 28, LAL 21)."""
    stored, canonical = row.request, row.canonical
    shown = member if in_clear else replace(member, personal_data=False)
    person = canonical.get("person", {})
    grounds = canonical.get("grounds", [])
    return CaseCard(
        id=stored.id,
        kind=stored.kind.value,
        kind_label=L.label(L.KINDS, stored.kind.value),
        state=stored.state.value,
        state_label=L.label(L.STATES, stored.state.value),
        case_number=stored.case_number,
        agency_code=stored.agency_code,
        agency_name=agency_names.get(stored.agency_code, stored.agency_code),
        stage_label=L.label(L.STAGES, canonical.get("case", {}).get("stage")),
        detained=bool(person.get("custody", {}).get("detained")),
        person_name=shown_name(shown, person.get("name")),
        id_number=shown_id_number(shown, person.get("id_number")),
        received_at=stored.received_at,
        due_at=stored.due_at,
        obligation_label=L.label(L.OBLIGATIONS, stored.deadline_obligation),
        basis=stored.deadline_basis,
        basis_text=L.LEGAL_BASES.get(stored.deadline_basis) or citation(stored.deadline_basis),
        centre_code=stored.centre_code,
        badges=[Badge(L.label(L.GROUNDS, ground), ground in L.GRAVE_GROUNDS) for ground in grounds],
    )


def person_facts(canonical: dict[str, Any], member: StaffMember) -> list[tuple[str, str]]:
    """The person's particulars as (label, value) lines, masked by role."""
    person = canonical.get("person", {})
    custody = person.get("custody", {})
    disabilities = "、".join(L.label(L.DISABILITIES, code) for code in person.get("disabilities", []))
    facts = [
        ("姓名", shown_name(member, person.get("name"))),
        ("证件类型", L.label(L.ID_TYPES, person.get("id_type"))),
        ("证件号码", shown_id_number(member, person.get("id_number"))),
        ("性别", {"male": "男", "female": "女"}.get(person.get("gender") or "", "—")),
        ("出生日期", _sensitive(member, person.get("birth_date"))),
        ("未成年人", _yes_no(person.get("minor"))),
        ("民族", _sensitive(member, person.get("ethnicity"))),
        ("国籍", L.label(L.NATIONALITIES, person.get("nationality"))),
        ("语言", L.label(L.LANGUAGES, person.get("language"))),
        ("需要翻译", _yes_no(person.get("interpreter_needed"))),
        ("残疾情况", _sensitive(member, disabilities or "无")),
        ("是否羁押", _yes_no(custody.get("detained"))),
        ("羁押场所", _sensitive(member, custody.get("facility"))),
    ]
    return facts


def case_facts(canonical: dict[str, Any]) -> list[tuple[str, str]]:
    """The case's particulars as (label, value) lines."""
    case = canonical.get("case", {})
    contact = canonical.get("contact", {})
    source = canonical.get("source", {})
    facts = [
        ("案号", case.get("number") or "—"),
        ("诉讼阶段", L.label(L.STAGES, case.get("stage"))),
        ("涉嫌罪名", "、".join(case.get("charges", [])) or "—"),
        ("承办单位", case.get("handling_organ") or "—"),
        ("案发日期", case.get("offence_date") or "—"),
        ("发现情形时间", china_time(case.get("ground_found_at"))),
        ("开庭地点", case.get("hearing_place") or "—"),
        ("通知机关", source.get("agency_name") or source.get("agency_code") or "—"),
        ("机关文号", source.get("reference") or "—"),
        ("传输方式", L.label(L.CHANNELS, source.get("channel"))),
        ("联系人", f"{contact.get('name', '—')}（{contact.get('title') or '承办人'}）"),
        ("联系电话", contact.get("phone") or "—"),
    ]
    duty = canonical.get("duty")
    if duty:
        facts.append(("值班事项", L.label(L.DUTY_PURPOSES, duty.get("purpose"))))
        facts.append(("值班地点", duty.get("place") or "—"))
        facts.append(("值班时间", china_time(duty.get("scheduled_at"))))
    return facts


def _sensitive(member: StaffMember, value: str | None) -> str:
    """Sensitive particulars (PIPL art. 28: health, ethnicity, whereabouts) only for those allowed to see them."""
    if not member.personal_data:
        return "（需个人信息权限）"
    return value or "—"


def _yes_no(value: object) -> str:
    return "—" if value is None else ("是" if value else "否")


def application_facts(canonical: dict[str, Any]) -> list[tuple[str, str]]:
    """What the detainee's application says (LAL 39, 41, 42), for those who decide it; none for other kinds."""
    application = canonical.get("application")
    if not application:
        return []
    income, household = application.get("declared_monthly_income"), application.get("household_size")
    facts = [
        ("申请时间", china_time(application.get("applied_at"))),
        ("申请理由", L.label(L.APPLICATION_BASES, application.get("basis"))),
        ("申请人", L.label(L.APPLICANT_RELATIONS, application.get("applicant_relation"))),
        ("申报月收入", f"{income} 元" if income else "未申报"),
        ("家庭人口", f"{household} 人" if household else "未申报"),
        ("人均月收入", _per_head(income, household)),
        ("免予审查情形", L.label(L.EXEMPTIONS, application.get("exemption")) if application.get("exemption") else "无"),
        ("个人申报承诺", "已签署" if application.get("pledge_signed") else "未签署"),
    ]
    return facts


def _per_head(income: str | None, household: int | None) -> str:
    """The declared monthly income per member of the household, to the fen; — when either is missing."""
    if not income or not household:
        return "—"
    try:
        per_head = (Decimal(income) / household).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except ArithmeticError:
        return "—"
    return f"{per_head} 元"
