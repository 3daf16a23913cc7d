"""`lagw keys`: a new key, rotation of every stored row, and which keys the rows still need."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.examples import sample_path
from devtools.demo import DEMO_AGENCIES
from gateway.bootstrap import build_services
from gateway.cli.main import main
from gateway.config import Settings
from gateway.domain.enums import AgencyType, Channel
from gateway.security.data_keys import DataKeyRing
from gateway.service.ports import RawPayload


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/gateway.sqlite3"


def _accept_court_notice(database_url: str, data_keys: str) -> str:
    from adapters.court.mapping import defense_notice_to_submission
    from adapters.court.schemas import CourtDefenseNoticeSchema

    services = build_services(Settings(database_url=database_url, data_keys=data_keys))
    court = DEMO_AGENCIES[0].agency
    services.agencies.add(court)
    body = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))
    submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(body))
    raw = RawPayload("application/json", json.dumps(body).encode())
    receipt = services.intake.accept(court, AgencyType.COURT, Channel.REST, submission, raw)
    services.engine.dispose()
    return receipt.request_id


def _run(database_url: str, data_keys: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env={"LAGW_DATABASE_URL": database_url, "LAGW_DATA_KEYS": data_keys})
    return result.exit_code, result.output


def test_new_prints_an_entry_the_ring_accepts() -> None:
    result = CliRunner().invoke(main, ["keys", "new", "--id", "2026-11"])

    assert result.exit_code == 0
    assert DataKeyRing.parse(result.output.strip()).current_id == "2026-11"


def test_rotate_moves_every_row_to_the_first_key_and_names_the_key_that_may_go(database_url: str) -> None:
    old, new = _entry("old"), _entry("new")
    request_id = _accept_court_notice(database_url, old)

    before_code, before = _run(database_url, f"{new},{old}", "keys", "status")
    code, output = _run(database_url, f"{new},{old}", "keys", "rotate", "--batch-size", "1")

    assert before_code == 0 and "request_bodies\told\t1" in before and "may be removed" not in before
    assert code == 0, output
    assert "request_bodies: 1 row(s) re-sealed" in output and "outbox_bodies: 1 row(s) re-sealed" in output
    assert "request_bodies\tnew\t1" in output and "key(s) old: they may be removed" in output
    after = build_services(Settings(database_url=database_url, data_keys=new))
    assert json.loads(after.requests.canonical_body(request_id) or "{}")["person"]["name"] == "王小明"
    after.engine.dispose()


def test_rotate_without_the_key_a_row_needs_fails_clearly(database_url: str) -> None:
    _accept_court_notice(database_url, _entry("old"))

    code, output = _run(database_url, _entry("new"), "keys", "rotate")

    assert code == 1
    assert "'old'" in output and "LAGW_DATA_KEYS" in output


def _entry(key_id: str) -> str:
    return CliRunner().invoke(main, ["keys", "new", "--id", key_id]).output.strip()
