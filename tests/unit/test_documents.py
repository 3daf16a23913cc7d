"""Official documents: which decision issues which (LAL 36, 43, 48), numbered per centre, kind and year in the
decision's own transaction, told to the agency by reference and digest, and what each says."""

import hashlib
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.bootstrap import use_cases
from gateway.documents.wording import wording
from gateway.domain.documents import DocumentKind
from gateway.domain.enums import DecisionOutcome, Kind, RequestState
from gateway.domain.lifecycle import Event
from gateway.domain.model import Appointment, Decision
from gateway.rules.documents import check_number_pattern, document_number, issued_document
from gateway.service.documents import DocumentIssuer
from gateway.service.ports import DocumentFacts
from tests.unit.fakes import FixedClock, InMemoryStore
from tests.unit.test_intake import COURT
from tests.unit.test_state_changes import CENTRE, LAWYER, MARKET_NORTH, NOW, World, _application


class FakeRenderer:
    """Writes the facts as text: what the document would say, and a digest that depends on it."""

    media_type = "application/pdf"

    def __init__(self) -> None:
        self.rendered: list[DocumentFacts] = []

    def render(self, facts: DocumentFacts) -> tuple[str, bytes]:
        self.rendered.append(facts)
        return f"title of {facts.kind.value}", f"{facts.number}|{facts.person}|{facts.addressee}".encode()


class FakeSource:
    def agency_name(self, code: str) -> str:
        names = {CENTRE.code: "青岛市市南区法律援助中心", MARKET_NORTH.code: "青岛市市北区法律援助中心",
                 COURT.code: "青岛市市南区人民法院"}  # fmt: skip
        return names.get(code, code)

    def person_name(self, request_id: str) -> str:
        return "王某"


class DocumentWorld(World):
    """World's use cases with a document issuer on the fakes."""

    def __init__(self, prefixes: dict[str, str] | None = None) -> None:
        self.store = InMemoryStore()
        self.clock = FixedClock(NOW)
        self.renderer = FakeRenderer()
        issuer = DocumentIssuer(self.renderer, FakeSource(), prefixes=prefixes)
        cases = use_cases(self.store, self.clock, lambda code: True, documents=issuer)
        self.transitions, self.withdrawals, self.answers = cases.transitions, cases.withdrawals, cases.answers
        self.intake, self.materials, self.proofs_of_service = cases.intake, cases.materials, cases.proofs_of_service


@pytest.mark.parametrize(
    ("event", "outcome", "kind"),
    [
        (Event.ASSIGNED, None, DocumentKind.APPOINTMENT_NOTICE),  # LAL 36
        (Event.REPLACED, None, DocumentKind.APPOINTMENT_NOTICE),
        (Event.GRANTED, "granted", DocumentKind.GRANT_DECISION),  # LAL 43
        (Event.DECLINED, "refused", DocumentKind.REFUSAL_DECISION),  # LAL 43: reasons in writing
        (Event.MATERIALS_REQUESTED, None, DocumentKind.MATERIALS_NOTICE),  # LAL 43 ¶2
        (Event.TERMINATED, None, DocumentKind.TERMINATION_DECISION),  # LAL 48
        (Event.INFORMED, None, None),
        (Event.WITHDRAWN, None, None),
        (Event.MATERIALS_SUPPLIED, None, None),
    ],
)
def test_each_decision_issues_its_document_and_nothing_else_does(
    event: Event, outcome: str | None, kind: DocumentKind | None
) -> None:
    assert issued_document(event, outcome) is kind


def test_a_number_is_the_centres_prefix_the_kind_the_year_and_the_sequence() -> None:
    pattern = "{prefix}{kind}〔{year}〕{seq}号"

    assert document_number(pattern, "青法援", "lac370200", DocumentKind.APPOINTMENT_NOTICE, 2026, 123) == (
        "青法援指〔2026〕123号"
    )
    assert document_number(pattern, "青南法援", "lac370202", DocumentKind.REFUSAL_DECISION, 2027, 1) == (
        "青南法援不予〔2027〕1号"
    )
    check_number_pattern("{centre}-{kind}-{year}-{seq}")
    # Each kind is numbered on its own: a pattern without {kind} would give two documents one number.
    for bad in ("{prefix}{kind}〔{year}〕号", "{prefix}〔{year}〕{seq}号", "{prefix}{kind}〔{year}〕{seq}号{unknown}"):
        with pytest.raises(ValueError, match=r"names \{kind\}, \{year\} and \{seq\}"):
            check_number_pattern(bad)


def test_an_appointment_issues_a_numbered_notice_told_to_the_agency_by_reference_and_digest() -> None:
    world = DocumentWorld()
    request_id = world.notice()

    world.answers.appoint(CENTRE, request_id, Appointment(LAWYER, NOW))

    [change] = world.store.changes
    document = change.document
    assert document is not None
    assert (document.kind, document.number) == (DocumentKind.APPOINTMENT_NOTICE, "青法援指〔2026〕1号")
    assert document.sha256 == hashlib.sha256(document.content).hexdigest()
    assert document.content == "青法援指〔2026〕1号|王某|青岛市市南区人民法院".encode()
    [delivery] = change.deliveries
    assert delivery.body["document"] == {
        "id": document.id,
        "kind": "appointment_notice",
        "title": "title of appointment_notice",
        "number": "青法援指〔2026〕1号",
        "media_type": "application/pdf",
        "sha256": document.sha256,
        "url": f"/api/v1/requests/{request_id}/documents/{document.id}",
        "issued_at": "2026-11-25T09:30:00+08:00",
    }
    [facts] = world.renderer.rendered
    assert (facts.issuer, facts.request_kind, facts.answer["lawyer"]["name"]) == (
        "青岛市市南区法律援助中心",
        Kind.NOTIFY_DEFENSE,
        LAWYER.name,
    )


def test_numbers_run_per_centre_kind_and_year_and_a_centre_may_have_its_own_prefix() -> None:
    world = DocumentWorld(prefixes={CENTRE.code: "青南法援"})
    first, second = world.notice(), world.notice(notice_number="（2026）鲁0202刑初2号")
    transfer = _application(world)

    world.answers.appoint(CENTRE, first, Appointment(LAWYER, NOW))
    world.answers.appoint(CENTRE, second, Appointment(LAWYER, NOW))
    world.answers.decide(MARKET_NORTH, transfer, Decision(DecisionOutcome.GRANTED, NOW))

    numbers = [change.document.number for change in world.store.changes if change.document is not None]
    assert numbers == ["青南法援指〔2026〕1号", "青南法援指〔2026〕2号", "青法援予〔2026〕1号"]


def test_a_decision_a_concurrent_writer_beat_gives_its_number_back() -> None:
    world = DocumentWorld()
    request_id = world.notice()
    world.store.moved_by_another[request_id] = RequestState.QUEUED  # the relay got there first: the commit loses

    world.answers.appoint(CENTRE, request_id, Appointment(LAWYER, NOW))

    [change] = world.store.changes
    assert change.document is not None and change.document.number == "青法援指〔2026〕1号"
    assert len(world.renderer.rendered) == 2  # decided twice, numbered once


def test_a_decision_on_an_application_is_written_to_the_applicant_through_the_organ() -> None:
    text = wording(
        _facts(DocumentKind.GRANT_DECISION, {"outcome": "granted", "decided_at": "2026-11-25T09:30:00+08:00"})
    )

    # LAL 43 ¶1: the applicant is told in writing; the organ that forwarded the application hands it over.
    assert (text.addressee, text.copy_to) == ("王某：", "青岛市市南区人民法院")
    assert "你经青岛市市南区人民法院转交的法律援助申请" in text.paragraphs[0]


def test_each_appointment_cites_the_article_it_rests_on() -> None:
    answer = {
        "lawyer": {"name": "周明", "law_firm": "所", "licence_number": "1" * 17, "phone": "1"},
        "appointed_at": "",
    }
    cited = {
        kind: "".join(wording(replace(_facts(DocumentKind.APPOINTMENT_NOTICE, answer), request_kind=kind)).paragraphs)
        for kind in Kind
    }

    assert "第三十六条" in cited[Kind.NOTIFY_DEFENSE]  # LAL 36: the notice
    assert "第三十条、第三十七条" in cited[Kind.DUTY_LAWYER] and "值班律师" in cited[Kind.DUTY_LAWYER]
    assert "第四十三条" in cited[Kind.APPLICATION_TRANSFER]  # LAL 43: appointed once granted


def test_a_refusal_says_why_and_where_to_object() -> None:
    text = wording(_facts(DocumentKind.REFUSAL_DECISION, {
        "outcome": "refused", "decided_at": "2026-11-25T09:30:00+08:00", "reason_code": "hardship_not_met",
        "reason": "家庭人均月收入高于当地标准。",
    }))  # fmt: skip

    assert text.title == "不予法律援助决定书"
    body = "".join(text.paragraphs)
    assert "不符合经济困难标准" in body and "家庭人均月收入高于当地标准" in body
    assert "第四十三条" in body and "第四十九条" in body  # LAL 43: reasons in writing; LAL 49: objection
    assert "三十日内" in body and "《山东省法律援助条例》第十六条" in body


def test_a_materials_notice_lists_what_is_missing_and_by_when() -> None:
    text = wording(_facts(DocumentKind.MATERIALS_NOTICE, {
        "requested_at": "2026-11-25T09:30:00+08:00", "items": ["户口簿", "收入证明"],
        "supply_by": "2026-12-04T23:59:59+08:00",
    }))  # fmt: skip

    body = "".join(text.paragraphs)
    assert "1. 户口簿；2. 收入证明" in body and "2026年12月4日前" in body
    assert "第四十三条第二款" in body and "视为撤回申请" in body


def test_a_termination_names_its_ground_of_lal_48_and_the_objection() -> None:
    text = wording(_facts(DocumentKind.TERMINATION_DECISION, {
        "ground": "lawyer_retained", "terminated_at": "2026-11-25T09:30:00+08:00", "reason": "家属已委托律师",
    }))  # fmt: skip

    body = "".join(text.paragraphs)
    assert "自行委托律师或者其他代理人" in body and "家属已委托律师" in body
    assert "第四十八条" in body and "第四十九条" in body


def test_an_appointment_notice_names_the_lawyer_the_person_and_the_organs_document() -> None:
    text = wording(_facts(DocumentKind.APPOINTMENT_NOTICE, {
        "lawyer": {"name": "周明", "law_firm": "山东青法律师事务所", "licence_number": "13702201510234567",
                   "phone": "13800000000"},
        "appointed_at": "2026-11-25T09:30:00+08:00",
    }))  # fmt: skip

    assert (text.title, text.addressee, text.issuer, text.date) == (
        "指派通知书",
        "青岛市市南区人民法院：",
        "青岛市市南区法律援助中心",
        "2026年11月25日",
    )
    body = "".join(text.paragraphs)
    assert "王某" in body and "（2026）鲁0202刑初1号" in body and "山东青法律师事务所周明律师" in body
    assert "13702201510234567" in body and "第三十六条" in body and "承办" in body


def test_the_date_is_the_day_in_china() -> None:
    facts = _facts(DocumentKind.GRANT_DECISION, {"outcome": "granted", "decided_at": "2026-11-25T09:30:00+08:00"})
    past_midnight_in_china = replace(facts, issued_at=datetime(2026, 11, 30, 16, 30, tzinfo=UTC))

    assert wording(past_midnight_in_china).date == "2026年12月1日"


def _facts(kind: DocumentKind, answer: dict[str, object]) -> DocumentFacts:
    return DocumentFacts(
        kind=kind,
        number="青法援指〔2026〕1号",
        issued_at=NOW,
        issuer="青岛市市南区法律援助中心",
        addressee="青岛市市南区人民法院",
        request_kind=Kind.NOTIFY_DEFENSE if kind is DocumentKind.APPOINTMENT_NOTICE else Kind.APPLICATION_TRANSFER,
        reference="（2026）鲁0202刑初1号",
        case_number="（2026）鲁0202刑初1号",
        person="王某",
        answer=answer,
    )


def test_a_gateway_that_has_written_no_document_has_not_loaded_the_pdf_library(tmp_path: Path) -> None:
    # A worker that only takes notices stays smaller by reportlab's ~15 MB (the serving issue's memory bound).
    program = (
        "import sys\n"
        "from gateway.app import create_app\n"
        "from gateway.config import Settings\n"
        f"create_app(Settings(database_url='sqlite:///{tmp_path}/store.sqlite3'))\n"
        "print('reportlab' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)

    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "False"
