"""`lagw demo` end to end on the real broker: notices in, the centre's answers, the agencies told."""

import os
import subprocess
import sys

import pytest

from tests.support.log_guard import check_output

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_demo_runs_the_whole_loop(amqp_url: str) -> None:
    env = {**os.environ, "LAGW_AMQP_URL": amqp_url}

    run = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "demo"], env=env, capture_output=True, text=True, timeout=180
    )

    assert check_output("lagw demo", run.stdout + run.stderr) == []
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "all 5 notices arrived in legalaid.assignment, once each." in run.stdout
    assert run.stdout.count("by SOAP ReceiveLegalAidReply") == 1
    assert run.stdout.count("by signed webhook") == 3
    assert "the whole loop ran" in run.stdout
