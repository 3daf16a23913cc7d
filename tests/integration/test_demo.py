"""`lagw demo` end to end on the real broker: notices in, the centre's answers, the agencies told."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.log_guard import check_output

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_demo_runs_the_whole_loop(amqp_url: str) -> None:
    env = {**os.environ, "LAGW_AMQP_URL": amqp_url}

    run = subprocess.run(
        [sys.executable, "-m", "gateway.cli.main", "demo"], env=env, capture_output=True, text=True, timeout=180
    )

    assert check_output("lagw demo", run.stdout + run.stderr) == []
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # Three samples of each of the four agency types, and the second detainee the police's duty request names.
    assert "all 13 notices arrived in legalaid.assignment, once each." in run.stdout
    # The court's: the notice, the duty lawyer, the application's grant and appointment.
    assert run.stdout.count("by SOAP ReceiveLegalAidReply") == 4
    # The police's and the state security organ's, four each: the application's grant and appointment, the duty
    # lawyer, the notice's appointment.
    assert run.stdout.count("by signed webhook") == 8
    assert "the whole loop ran" in run.stdout


def test_sigterm_stops_everything_the_demo_started_and_removes_its_folder(amqp_url: str) -> None:
    env = {**os.environ, "LAGW_AMQP_URL": amqp_url, "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli.main", "demo", "--console"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert demo.stdout is not None
        for line in demo.stdout:  # until the console is up: the whole loop ran, every process is running
            lines.append(line)
            if "press Ctrl-C" in line:
                break
        printed = "".join(lines)
        assert "fresh SQLite store in" in printed and "gateway serving at" in printed, printed[-3000:]
        folder = next(line.rsplit(" in ", 1)[1].strip() for line in lines if "fresh SQLite store in" in line)
        base = next(line.split("gateway serving at ", 1)[1].split(";")[0] for line in lines if "serving at" in line)
        assert requests.get(base + "/healthz", timeout=5).status_code == 200

        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
        output = "".join(lines) + (demo.stdout.read() if demo.stdout else "")

    assert check_output("lagw demo", output) == []
    assert not Path(folder).exists(), "the demo's temporary folder was left behind"
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/healthz", timeout=5)  # its gateway stopped with it
