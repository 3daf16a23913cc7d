"""Every console page at a laptop's and a tablet's width: Chinese words only, nothing cut, the form first.

A clerk reads Chinese; Latin letters on a page are English or Python leaking through. Allowed are the
codes a person types or reads off paper (a case number such as A3702035000002026110031 has single letters
among digits; user names, agency codes, callback addresses and commands are set in `code`) and the two
acronyms printed on Chinese forms as they are (HTTP in a failure's status, CSV on the export button). The
original message (a `pre`) and a failure's folded technical record are shown as they are, for those who
open them.
"""

import re
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
from tests.support.gateway import LiveGateway, example, running_deliverer, running_gateway, wait_for
from tests.support.moments import china_now

pytestmark = [pytest.mark.browser, pytest.mark.integration]

COURT, POLICE, CENTRE, NORTH_CENTRE = "court-370202", "police-370203", "lac370202", "lac370203"
WIDTHS = (1366, 768)
ALLOWED_WORDS = {"HTTP", "CSV"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
LAWYER = {
    "name": "周律师",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
}

# The page's words as a person sees them: rendered text, less the verbatim message and closed details.
VISIBLE_WORDS = """() => {
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, details:not([open]) > :not(summary)').forEach(e => e.remove());
  document.body.appendChild(clone);
  clone.style.position = 'absolute'; clone.style.left = '-99999px';
  const text = clone.innerText;
  clone.remove();
  return text + '\\n' + document.title;
}"""


# A column squeezed so narrow that its words stand one character a line shows first in its heading.
WRAPPED_HEADINGS = """() => [...document.querySelectorAll('th')].filter(th => {
  const r = document.createRange(); r.selectNodeContents(th);
  return r.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(th).lineHeight);
}).map(th => th.innerText)"""

# The height of a cell's words (not of the cell, which the row's tallest cell sets).
CONTENT_HEIGHT = """td => {
  const r = document.createRange(); r.selectNodeContents(td); return r.getBoundingClientRect().height;
}"""

# Tables that no longer fit and hide columns behind a scroll bar.
CLIPPED_TABLES = "() => [...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth).length"


@pytest.fixture
def gateway(tmp_path: Path, amqp_url: str, agency: AgencySimulator) -> Iterator[LiveGateway]:
    with running_gateway(tmp_path, amqp_url, app_config={"LAGW_CONSOLE_POLL_MS": 500}) as live:
        callback = Callback("soap", agency.wsdl_url("court"), CALLBACK_PASSWORD, CALLBACK_USERNAME)
        live.services.agencies.set_callback(COURT, callback)
        add_staff(live.services, "clerk", Role.CENTRE_STAFF, CENTRE, personal_data=True, name="张书记员")
        add_staff(live.services, "north", Role.CENTRE_STAFF, NORTH_CENTRE, personal_data=True, name="李书记员")
        add_staff(live.services, "chief", Role.SUPERVISOR, name="王主任")
        add_staff(live.services, "admin", Role.ADMINISTRATOR, name="赵管理员")
        yield live


def latin_words(page: Page) -> set[str]:
    """The Latin words a person reads on the page, less the allowed ones."""
    return set(LATIN_WORD.findall(page.evaluate(VISIBLE_WORDS))) - ALLOWED_WORDS


def check(page: Page, url: str, artifacts: Path, name: str) -> list[str]:
    """Open the page; what is wrong with it: Latin words, or a page wider than the window."""
    page.goto(url)
    page.wait_for_load_state("load")
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=artifacts / f"{name}-{width}.png", full_page=True)
    found = []
    if words := latin_words(page):
        found.append(f"{name} at {width} px reads {sorted(words)}")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{name} at {width} px is {overflow} px wider than the window")
    clipped = page.evaluate(CLIPPED_TABLES)
    if clipped:
        found.append(f"{name} at {width} px hides {clipped} table(s) in part behind a scroll bar")
    if wrapped := page.evaluate(WRAPPED_HEADINGS):
        found.append(f"{name} at {width} px squeezes the columns {wrapped} to several lines")
    return found


def test_every_page_reads_in_chinese_and_holds_at_1366_and_768_px(
    browser: Browser, gateway: LiveGateway, agency: AgencySimulator, artifacts: Path
) -> None:
    court = gateway.post("/api/v1/court/defense-notices", COURT, example("court", "defense-notices.json")).json()
    duty = gateway.post(
        "/api/v1/police/duty-lawyer-requests", POLICE, example("police", "duty-lawyer-requests.json")
    ).json()
    transfer = gateway.post(
        "/api/v1/police/application-transfers", POLICE, example("police", "application-transfers.json")
    ).json()
    agency.failing = 500
    appointment = {"lawyer": LAWYER, "appointed_at": china_now()}
    assert gateway.post(f"/api/v1/requests/{court['id']}/appointment", CENTRE, appointment).status_code == 200
    with running_deliverer(gateway, RetryPolicy(first=timedelta(0), max_attempts=1)):
        wait_for(lambda: gateway.services.deliveries.find(state="parked"), what="the notice to be parked")
    base = gateway.base + "/console"
    wrong: list[str] = []

    for width in WIDTHS:
        login = browser.new_page(locale="zh-CN", viewport={"width": width, "height": 900})
        wrong += check(login, base + "/login", artifacts, "login")
        login.close()
        with signed_in(browser, gateway.base, "clerk", width) as page:
            wrong += check(page, base + "/", artifacts, "inbox")
            wrong += check(page, base + "/?q=刑初", artifacts, "inbox-search")
            wrong += check(page, f"{base}/requests/{court['id']}", artifacts, "request-appointed")
            wrong += check(page, base + "/deliveries", artifacts, "deliveries")
            wrong += check(page, f"{base}/requests/{transfer['id']}", artifacts, "request-forbidden")
            wrong += check(page, base + "/requests/no-such-request", artifacts, "request-missing")
        with signed_in(browser, gateway.base, "north", width) as page:
            wrong += check(page, f"{base}/requests/{duty['id']}", artifacts, "request-duty")
            wrong += check(page, f"{base}/requests/{transfer['id']}", artifacts, "request-application")
        with signed_in(browser, gateway.base, "chief", width) as page:
            wrong += check(page, base + "/", artifacts, "inbox-supervisor")
            wrong += check(page, base + "/reports", artifacts, "reports")
            wrong += check(page, base + "/deliveries", artifacts, "deliveries-supervisor")
            wrong += check(page, f"{base}/requests/{court['id']}", artifacts, "request-supervisor")
            wrong += check(page, base + "/access?account=clerk", artifacts, "access-record")
        with signed_in(browser, gateway.base, "admin", width) as page:
            wrong += check(page, base + "/admin", artifacts, "admin")

    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("width", WIDTHS)
def test_at_either_width_the_action_form_comes_before_the_original_and_cells_keep_their_words(
    browser: Browser, gateway: LiveGateway, agency: AgencySimulator, width: int
) -> None:
    court = gateway.post("/api/v1/court/defense-notices", COURT, example("court", "defense-notices.json")).json()
    agency.failing = 500
    appointment = {"lawyer": LAWYER, "appointed_at": china_now()}
    assert gateway.post(f"/api/v1/requests/{court['id']}/appointment", CENTRE, appointment).status_code == 200
    with running_deliverer(gateway, RetryPolicy(first=timedelta(0), max_attempts=1)):
        wait_for(lambda: gateway.services.deliveries.find(state="parked"), what="the notice to be parked")
    other = gateway.post(
        "/api/v1/court/defense-notices",
        COURT,
        example("court", "defense-notices.json")
        | {"notice_number": "（2026）鲁0202刑初401号-通知辩护", "case_number": "（2026）鲁0202刑初401号"},
    ).json()

    with signed_in(browser, gateway.base, "clerk", width) as page:
        page.goto(f"{gateway.base}/console/requests/{other['id']}")
        form = page.locator("form", has=page.get_by_role("button", name="确认指派并通知办案机关")).bounding_box()
        original = page.locator("#original-message").bounding_box()
        assert form is not None and original is not None
        assert form["y"] < original["y"], "the clerk reaches the action without scrolling past the raw message"

        page.goto(f"{gateway.base}/console/deliveries")
        row = page.locator("tr[data-delivery-id]")
        expect(row).to_contain_text("已搁置")
        line = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('td')).lineHeight)")
        for cell in (1, 5):  # number and state: one line each
            height = row.locator(f"td:nth-child({cell})").evaluate(CONTENT_HEIGHT)
            assert height < 2 * line, f"cell {cell} wraps at {width} px"
        for cell in range(1, 8):  # and no column so narrow that its words stand one character a line
            assert row.locator(f"td:nth-child({cell})").evaluate("td => td.clientWidth") > 2.5 * line
        expect(row.get_by_role("button", name="立即重试")).to_be_in_viewport(ratio=1)


def test_the_inbox_refresh_keeps_the_keyboard_on_its_row_and_leaves_an_unsent_search_alone(
    browser: Browser, gateway: LiveGateway
) -> None:
    first = gateway.post("/api/v1/court/defense-notices", COURT, example("court", "defense-notices.json")).json()

    with signed_in(browser, gateway.base, "clerk", WIDTHS[0]) as page:
        page.locator("#f-q").fill("刑初999")  # typed, not submitted: the list still shows every open request
        link = page.locator(f'tr[data-request-id="{first["id"]}"] a')
        link.focus()
        second = gateway.post(
            "/api/v1/court/defense-notices",
            COURT,
            example("court", "defense-notices.json")
            | {"notice_number": "（2026）鲁0202刑初402号-通知辩护", "case_number": "（2026）鲁0202刑初402号"},
        ).json()

        expect(page.locator(f'tr[data-request-id="{second["id"]}"]')).to_be_visible(timeout=10_000)
        expect(page.locator(f'tr[data-request-id="{first["id"]}"] a')).to_be_focused()
        expect(page.locator("#f-q")).to_have_value("刑初999")
