"""Browser tests' helpers: a fresh context signed in to the console through its form, as a person would."""

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, expect

from tests.support.console import PASSWORD


@contextmanager
def signed_in(browser: Browser, base: str, username: str, width: int = 1440) -> Iterator[Page]:
    """A new context in China's locale and time zone, `width` pixels wide, signed in as `username`."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(base + "/console/")
        expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()
        yield page
    finally:
        context.close()
