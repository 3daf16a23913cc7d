"""The gateway's processes keep message bodies out of the log."""

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.app import create_app
from gateway.cli.main import main
from gateway.config import Settings
from gateway.logs import configure_logging, request_id_from, request_id_var


def test_the_app_never_lets_zeep_log_an_envelope(tmp_path: Path) -> None:
    logging.getLogger("zeep.transports").setLevel(logging.NOTSET)
    assert logging.getLogger("zeep.transports").isEnabledFor(logging.DEBUG)  # the session logs at DEBUG

    create_app(Settings(database_url=f"sqlite:///{tmp_path}/gateway.sqlite3"))

    assert not logging.getLogger("zeep.transports").isEnabledFor(logging.DEBUG)


def test_the_command_line_never_lets_zeep_log_an_envelope(tmp_path: Path) -> None:
    logging.getLogger("zeep.transports").setLevel(logging.NOTSET)

    CliRunner().invoke(main, ["keys", "new", "--id", "k1"])

    assert not logging.getLogger("zeep.transports").isEnabledFor(logging.DEBUG)


def test_json_lines_carry_the_request_id_and_keep_chinese_readable(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging("json", force=True)
    token = request_id_var.set("court-2026-000123")
    try:
        logging.getLogger("gateway.test").info("accepted request %s for 青岛市法律援助中心", "r-1")
    finally:
        request_id_var.reset(token)
        root.handlers[:] = handlers
        root.setLevel(level)

    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "accepted request r-1 for 青岛市法律援助中心"
    assert (line["request_id"], line["level"], line["logger"]) == ("court-2026-000123", "INFO", "gateway.test")


def test_a_request_id_is_taken_only_when_it_is_a_plain_token() -> None:
    assert request_id_from("court-2026-000123") == "court-2026-000123"
    assert request_id_from("two words") != "two words" and len(request_id_from("two words")) == 32
    assert len(request_id_from("x" * 65)) == 32 and len(request_id_from(None)) == 32
