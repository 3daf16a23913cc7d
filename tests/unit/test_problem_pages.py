"""`/problems/<code>` resolves for every problem the gateway answers: Chinese HTML for people, JSON for programs."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from gateway import errors
from gateway.app import create_app
from gateway.config import Settings
from gateway.errors import GatewayError
from gateway.web.problem_catalogue import CHINESE
from gateway.web.problems import _HTTP_CODES

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what chromium sends
CLASS_CODES = {
    value.code for value in vars(errors).values() if isinstance(value, type) and issubclass(value, GatewayError)
}
ANSWERED = CLASS_CODES | set(_HTTP_CODES.values()) | {"http-error"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    yield create_app(Settings(database_url=f"sqlite:///{tmp_path}/gateway.sqlite3")).test_client()


def test_every_code_the_gateway_answers_has_its_chinese_text_and_nothing_else_has(client: FlaskClient) -> None:
    listed = client.get("/problems/").get_json()

    assert set(CHINESE) == ANSWERED
    assert set(listed) == ANSWERED


@pytest.mark.parametrize("code", sorted(ANSWERED))
def test_each_problem_page_reads_in_chinese_for_a_browser(client: FlaskClient, code: str) -> None:
    page = client.get(f"/problems/{code}", headers={"Accept": BROWSER})

    text = page.get_data(as_text=True)
    heading = re.search(r'<h1 id="title">(.+?)</h1>', text)
    meaning = re.search(r'<dd id="meaning">(.+?)</dd>', text)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert heading and meaning
    assert re.search(r"[\u4e00-\u9fff]", heading.group(1)) and re.search(r"[\u4e00-\u9fff]", meaning.group(1))
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Vary"] == "Accept"


def test_a_program_gets_json_with_both_languages(client: FlaskClient) -> None:
    for accept in ("*/*", "application/json", None):
        headers = {"Accept": accept} if accept else {}
        described = client.get("/problems/invalid-id-number", headers=headers)
        assert described.mimetype == "application/json", accept
    body = described.get_json()

    assert (body["status"], body["title_zh"]) == (422, "身份证号码无效")
    assert "GB 11643" in body["description"] and "GB 11643" in body["description_zh"]
    assert body["action_zh"]


def test_an_unknown_problem_type_is_404_and_the_index_lists_every_page(client: FlaskClient) -> None:
    missing = client.get("/problems/no-such-thing", headers={"Accept": BROWSER})
    index = client.get("/problems/", headers={"Accept": BROWSER}).get_data(as_text=True)

    assert missing.status_code == 404
    for code in ANSWERED:
        assert f'href="/problems/{code}"' in index
