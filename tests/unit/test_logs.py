"""The gateway's processes keep message bodies out of the log."""

import logging
from pathlib import Path

from click.testing import CliRunner

from gateway.app import create_app
from gateway.cli import main
from gateway.config import Settings


def test_the_app_never_lets_zeep_log_an_envelope(tmp_path: Path) -> None:
    logging.getLogger("zeep.transports").setLevel(logging.NOTSET)
    assert logging.getLogger("zeep.transports").isEnabledFor(logging.DEBUG)  # the session logs at DEBUG

    create_app(Settings(database_url=f"sqlite:///{tmp_path}/gateway.sqlite3"))

    assert not logging.getLogger("zeep.transports").isEnabledFor(logging.DEBUG)


def test_the_command_line_never_lets_zeep_log_an_envelope(tmp_path: Path) -> None:
    logging.getLogger("zeep.transports").setLevel(logging.NOTSET)

    CliRunner().invoke(main, ["keys", "new", "--id", "k1"])

    assert not logging.getLogger("zeep.transports").isEnabledFor(logging.DEBUG)
