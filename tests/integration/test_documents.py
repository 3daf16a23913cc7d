"""The official documents on the real parts: PDFs read back with poppler, numbered in the store, fetched by the
agency with its own key and checked against the digest on the audit chain."""

import base64
import hashlib
import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from gateway.documents.pdf import PdfRenderer
from gateway.domain.documents import DocumentKind
from gateway.domain.enums import Kind
from gateway.rules.deadlines import CHINA_TZ
from gateway.service.ports import DocumentFacts
from tests.support.gateway import LiveGateway, example
from tests.support.moments import china_now

pytestmark = [pytest.mark.integration]

ARTIFACTS = Path(os.environ.get("LAGW_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
COURT, POLICE = "court-370202", "police-370203"
LAWYER = {
    "name": "周明",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
}
ANSWERS: dict[DocumentKind, tuple[Kind, dict[str, object], tuple[str, ...]]] = {
    DocumentKind.APPOINTMENT_NOTICE: (
        Kind.NOTIFY_DEFENSE,
        {"lawyer": LAWYER, "appointed_at": "2026-12-03T10:00:00+08:00"},
        ("指派通知书", "周明律师", "13702201510234567", "第三十六条"),
    ),
    DocumentKind.GRANT_DECISION: (
        Kind.APPLICATION_TRANSFER,
        {"outcome": "granted", "decided_at": "2026-12-03T10:00:00+08:00"},
        ("给予法律援助决定书", "决定给予法律援助", "第四十三条"),
    ),
    DocumentKind.REFUSAL_DECISION: (
        Kind.APPLICATION_TRANSFER,
        {"outcome": "refused", "decided_at": "2026-12-03T10:00:00+08:00", "reason_code": "hardship_not_met",
         "reason": "家庭人均月收入高于当地标准。"},
        ("不予法律援助决定书", "不符合经济困难标准", "第四十九条"),
    ),
    DocumentKind.MATERIALS_NOTICE: (
        Kind.APPLICATION_TRANSFER,
        {"requested_at": "2026-12-03T10:00:00+08:00", "items": ["户口簿", "收入证明"],
         "supply_by": "2026-12-10T23:59:59+08:00"},
        ("补充材料通知书", "户口簿", "2026年12月10日前", "视为撤回申请"),
    ),
    DocumentKind.TERMINATION_DECISION: (
        Kind.NOTIFY_DEFENSE,
        {"ground": "lawyer_retained", "terminated_at": "2026-12-03T10:00:00+08:00", "reason": "家属已委托律师"},
        ("终止法律援助决定书", "自行委托律师", "第四十八条"),
    ),
}  # fmt: skip


def pdf_text(content: bytes) -> str:
    """The text poppler reads out of a PDF, without the line breaks its layout puts in."""
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return "".join(done.stdout.decode("utf-8").split())


@pytest.mark.parametrize("kind", list(DocumentKind), ids=[kind.value for kind in DocumentKind])
def test_every_document_reads_back_with_its_fields_and_is_drawn_for_a_look(kind: DocumentKind) -> None:
    request_kind, answer, phrases = ANSWERS[kind]
    facts = DocumentFacts(
        kind=kind,
        number="青南法援指〔2026〕7号",
        issued_at=datetime(2026, 12, 3, 10, 0, tzinfo=CHINA_TZ),
        issuer="青岛市市南区法律援助中心",
        addressee="青岛市市南区人民法院",
        request_kind=request_kind,
        reference="（2026）鲁0202刑初1号",
        case_number="（2026）鲁0202刑初1号",
        person="王某",
        answer=answer,
    )
    renderer = PdfRenderer()

    title, content = renderer.render(facts)
    _, again = renderer.render(facts)

    text = pdf_text(content)
    assert content.startswith(b"%PDF-") and content == again  # the same document, the same bytes: one digest
    # The appointment goes to the organ (LAL 36); a decision on an application to the person, through it (LAL 43).
    to = (
        ("青岛市市南区人民法院：",)
        if kind is DocumentKind.APPOINTMENT_NOTICE
        else ("王某：", "抄送：青岛市市南区人民法院")
    )
    for field in (title, "青南法援指〔2026〕7号", *to, "王某", "（2026）鲁0202刑初1号",
                  "青岛市市南区法律援助中心", "2026年12月3日", *phrases):  # fmt: skip
        assert field in text, f"{kind.value}: {field} not in {text}"
    assert b"/FontFile2" in content  # the font is embedded, not left to the reader
    folder = ARTIFACTS / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", "-", str(folder / kind.value)], input=content,
                   check=True)  # fmt: skip
    assert (folder / f"{kind.value}.png").stat().st_size > 5_000  # a page with something drawn on it


@pytest.mark.both_stores
def test_the_agency_fetches_the_notice_its_appointment_issued_and_checks_it_against_the_chain(
    gateway: LiveGateway,
) -> None:
    receipt = gateway.post("/api/v1/court/defense-notices", COURT, example("court", "defense-notices.json")).json()
    request_id, centre = receipt["id"], receipt["centre_code"]
    answered = gateway.post(
        f"/api/v1/requests/{request_id}/appointment", centre, {"lawyer": LAWYER, "appointed_at": china_now()}
    )
    assert answered.status_code == 200, answered.text

    [listed] = gateway.get(f"/api/v1/requests/{request_id}", COURT).json()["issued_documents"]
    fetched = gateway.get(listed["url"], COURT)
    by_the_centre = gateway.get(listed["url"], centre)
    by_another = gateway.get(listed["url"], POLICE)

    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "application/pdf"
    digest = hashlib.sha256(fetched.content).hexdigest()
    assert listed["sha256"] == digest
    assert fetched.headers["Repr-Digest"] == f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:"
    assert (listed["kind"], listed["title"]) == ("appointment_notice", "指派通知书")
    assert listed["number"].startswith("青法援指〔") and listed["number"].endswith("〕1号")
    text = pdf_text(fetched.content)
    assert listed["number"] in text and "青岛市市南区人民法院" in text and "周明律师" in text
    assert by_the_centre.content == fetched.content
    assert by_another.status_code == 404
    trail = gateway.services.console.audit_entries(request_id)
    issued = [entry for entry in trail if entry.event == "document_issued"]
    assert [entry.detail for entry in issued] == [
        {"kind": "appointment_notice", "number": listed["number"], "sha256": digest}
    ]
