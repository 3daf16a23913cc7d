"""The staff console in a real browser: find the urgent notice, confirm a lawyer, and the court is told."""

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from devtools.agency_simulator import PASSWORD as CALLBACK_PASSWORD
from devtools.agency_simulator import USERNAME as CALLBACK_USERNAME
from devtools.agency_simulator import AgencySimulator
from gateway.domain.staff import Role
from gateway.service.delivery import RetryPolicy
from gateway.service.ports import Callback
from tests.support.browser import signed_in
from tests.support.console import add_staff
from tests.support.gateway import LiveGateway, example, running_deliverer, running_gateway, running_relay, wait_for
from tests.support.moments import china_now

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.both_stores]

COURT, POLICE, CENTRE, OTHER_CENTRE = "court-370202", "police-370203", "lac370202", "lac370203"
COURT_ID_NUMBER = "370202201003150310"
NOTICE_NUMBER = "（2026）鲁0202刑初318号-通知辩护"


@pytest.fixture
def gateway(tmp_path: Path, amqp_url: str, agency: AgencySimulator) -> Iterator[LiveGateway]:
    """A gateway with its relay, the court told over its SOAP callback, and quick inbox polling."""
    with running_gateway(tmp_path, amqp_url, app_config={"LAGW_CONSOLE_POLL_MS": 500}) as live:
        callback = Callback("soap", agency.wsdl_url("court"), CALLBACK_PASSWORD, CALLBACK_USERNAME)
        live.services.agencies.set_callback(COURT, callback)
        add_staff(live.services, "clerk", Role.CENTRE_STAFF, CENTRE, personal_data=True)
        add_staff(live.services, "trainee", Role.CENTRE_STAFF, CENTRE)
        add_staff(live.services, "chief", Role.SUPERVISOR)
        add_staff(live.services, "north", Role.CENTRE_STAFF, OTHER_CENTRE, personal_data=True)
        with running_relay(live.services, amqp_url):
            yield live


def reload_until(page: Page, selector: str, timeout: float = 20.0) -> None:
    """Reload the page until `selector` shows (the delivery worker runs in the background)."""
    deadline = time.monotonic() + timeout
    while page.locator(selector).count() == 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"{selector} never appeared")
        time.sleep(0.3)
        page.reload()


def test_staff_find_the_new_notice_confirm_a_lawyer_and_the_court_is_told(
    browser: Browser, gateway: LiveGateway, agency: AgencySimulator, artifacts: Path
) -> None:
    with running_deliverer(gateway), signed_in(browser, gateway.base, "clerk") as page:
        expect(page.get_by_role("heading", name="待办收件箱")).to_be_visible()
        expect(page.locator("#inbox-rows")).to_contain_text("没有符合条件的请求")

        receipt = gateway.post("/api/v1/court/defense-notices", COURT, example("court", "defense-notices.json")).json()

        row = page.locator(f'tr[data-request-id="{receipt["id"]}"]')
        expect(row).to_be_visible(timeout=10_000)  # brought in by the page's poll, without a reload
        expect(row.locator(".countdown")).to_have_text(re.compile(r"^剩余 \d+天\d+小时$"))
        expect(row).to_contain_text("未成年人")
        expect(row).to_contain_text("青岛市市南区人民法院")
        page.screenshot(path=artifacts / "inbox.png", full_page=True)

        row.get_by_role("link").click()
        expect(page.locator("#original-message")).to_contain_text(NOTICE_NUMBER)
        expect(page.locator("#timeline")).to_contain_text("收到通知")
        expect(page.get_by_text("《法律援助法》第三十六条")).to_be_visible()
        reload_until(page, '#timeline li[data-event="queued"]')  # the relay put it on the assignment queue

        form = page.locator("form", has=page.get_by_role("button", name="确认指派并通知办案机关"))
        form.get_by_label("律师姓名").fill("周律师")
        form.get_by_label("律师事务所").fill("山东青法律师事务所")
        form.get_by_label("执业证号").fill("1370220151023456")  # one digit short: refused as the API would
        form.get_by_label("联系电话").fill("13800000000")
        form.get_by_role("button", name="确认指派并通知办案机关").click()
        expect(page.locator(".field-error")).to_contain_text("执业证号应为 17 位数字。")
        form.get_by_label("执业证号").fill("13702201510234567")
        form.get_by_role("button", name="确认指派并通知办案机关").click()
        expect(page.locator(".flash")).to_contain_text("已指派律师")

        wait_for(lambda: len(agency.received) == 1, what="the court's SOAP callback to receive the appointment")
        [notice] = agency.received.values()
        assert notice["element"].findtext("{*}Appointment/{*}Lawyer/{*}Name") == "周律师"
        reload_until(page, '#timeline li[data-event="delivery.delivered"]')
        expect(page.locator('#timeline li[data-event="delivery.delivered"]')).to_contain_text("回执已送达办案机关")
        expect(page.locator("#case-state")).to_have_text("已告知办案机关")
        page.screenshot(path=artifacts / "request.png", full_page=True)


def test_staff_see_only_their_centre_masked_without_the_permission_and_forms_need_their_token(
    browser: Browser, gateway: LiveGateway
) -> None:
    own = gateway.post("/api/v1/court/defense-notices", COURT, example("court", "defense-notices.json")).json()["id"]
    other = gateway.post(
        "/api/v1/police/application-transfers", POLICE, example("police", "application-transfers.json")
    ).json()["id"]

    with signed_in(browser, gateway.base, "trainee") as page:
        refused = page.goto(f"{gateway.base}/console/requests/{other}")
        assert refused is not None and refused.status == 403
        expect(page.get_by_role("alert")).to_contain_text("无权")

        page.goto(f"{gateway.base}/console/requests/{own}")
        expect(page.get_by_role("heading", name=re.compile("通知辩护"))).to_be_visible()
        content = page.content()
        assert COURT_ID_NUMBER not in content and "王小明" not in content
        assert "370*************10" in content
        expect(page.get_by_text("原始报文含当事人个人信息")).to_be_visible()

        forged = page.request.post(
            f"{gateway.base}/console/requests/{own}/appointment", form={"lawyer.name": "周律师"}, max_redirects=0
        )
        assert forged.status == 400
        page.locator('form[action$="/appointment"] input[name="csrf_token"]').evaluate("input => input.remove()")
        page.get_by_role("button", name="确认指派并通知办案机关").click()
        expect(page.get_by_role("alert")).to_contain_text("安全令牌")
        assert gateway.services.requests.latest_answers(own) == {}


def test_the_decider_reads_the_application_and_its_flags_and_refuses_for_a_reason_of_the_law(
    browser: Browser, gateway: LiveGateway
) -> None:
    # The police sample: applied for economic hardship, 1200 yuan a month for 3, pledge signed; no minimum
    # living standard is on file, so the pre-check leaves the hardship to the clerk (a flag, not a refusal).
    transfer = gateway.post(
        "/api/v1/police/application-transfers", POLICE, example("police", "application-transfers.json")
    ).json()

    with signed_in(browser, gateway.base, "north") as page:
        page.goto(f"{gateway.base}/console/requests/{transfer['id']}")
        application = page.locator("#application")
        expect(application.get_by_role("heading", name="法律援助申请")).to_be_visible()
        for label, value in (("申请理由", "经济困难"), ("家庭人口", "3"), ("个人申报承诺", "已签署")):
            expect(application.locator(f"dt:text-is('{label}') + dd")).to_contain_text(value)
        expect(page.locator("#case-flags")).to_contain_text("经济困难无法预审")
        decision = page.locator('form[action$="/decision"]')
        decision.locator("#decision-outcome").select_option(label="不予法律援助")
        decision.get_by_label("不予援助理由").select_option(label="不符合经济困难标准")
        decision.locator("#decision-reason").fill("家庭人均月收入高于当地低保标准二倍")
        decision.get_by_role("button", name="记录决定并通知办案机关").click()

        expect(page.locator("#case-state")).to_have_text("不予援助")
        expect(page.locator("#timeline")).to_contain_text("不予（不符合经济困难标准）")
    assert gateway.services.requests.latest_answers(transfer["id"])["decision"]["reason_code"] == "hardship_not_met"


def test_a_supervisor_re_drives_a_parked_notice_and_reads_the_report(
    browser: Browser, gateway: LiveGateway, agency: AgencySimulator, artifacts: Path
) -> None:
    agency.failing = 500
    receipt = gateway.post("/api/v1/court/defense-notices", COURT, example("court", "defense-notices.json")).json()
    appointment = {
        "lawyer": {"name": "周律师", "law_firm": "所", "licence_number": "13702201510234567", "phone": "13800000000"},
        "appointed_at": china_now(),
    }
    assert gateway.post(f"/api/v1/requests/{receipt['id']}/appointment", CENTRE, appointment).status_code == 200
    policy = RetryPolicy(first=timedelta(0), max_attempts=2)

    with running_deliverer(gateway, policy), signed_in(browser, gateway.base, "chief") as page:
        wait_for(lambda: gateway.services.deliveries.find(state="parked"), what="the notice to be parked")
        page.get_by_role("link", name="回执投递").click()
        parked = page.locator("tr[data-delivery-id]")
        expect(parked).to_contain_text("已搁置")
        expect(parked.locator("ol.attempts li")).to_have_count(2)
        expect(parked).to_contain_text("HTTP 500")

        agency.failing = None
        parked.get_by_role("button", name=re.compile("立即重试")).click()
        expect(page.locator(".flash")).to_contain_text("已重新排队发送")
        wait_for(lambda: len(agency.received) == 1, what="the retried notice to reach the court")

        page.get_by_role("link", name="统计报表").click()
        expect(page.locator("#report-totals")).to_contain_text("收到 1 件，按期指派 1 件，逾期 0 件")
        expect(page.locator("svg.chart rect.received")).to_have_count(30)  # the last 30 days, empty ones too
        page.screenshot(path=artifacts / "report.png", full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="导出 CSV").click()
        assert "court-370202" in Path(download.value.path()).read_text(encoding="utf-8-sig")
