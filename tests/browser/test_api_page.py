"""The API page in a real browser: Swagger UI on the gateway's own document, nothing fetched from elsewhere."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from adapters.registry import declarations
from tests.support.gateway import LiveGateway, running_gateway

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def gateway(tmp_path: Path, amqp_url: str) -> Iterator[LiveGateway]:
    with running_gateway(tmp_path, amqp_url) as live:
        yield live


def test_the_api_page_shows_every_resource_and_loads_nothing_from_elsewhere(
    browser: Browser, gateway: LiveGateway, artifacts: Path
) -> None:
    page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(gateway.base + "/api/docs/")
    expect(page.get_by_role("heading", name="法律援助协同平台 · 接口说明")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/court/defense-notices")).to_be_visible()
    # every declared type's resources, and the eleven on a request (status, documents, withdrawal, answers …)
    expect(page.locator(".opblock")).to_have_count(sum(len(found.operations) for found in declarations()) + 11)
    page.locator(".opblock-summary-path", has_text="/api/v1/police/application-transfers").click()
    expect(page.locator(".opblock-description-wrapper").first).to_contain_text("受理的诉讼阶段")
    expect(page.locator("#model-Lawyer")).to_be_visible()
    page.screenshot(path=artifacts / "api-page.png", full_page=True)
    page.close()

    elsewhere = [url for url in asked if not url.startswith(gateway.base) and not url.startswith("data:")]
    assert asked and elsewhere == []
    assert errors == []
