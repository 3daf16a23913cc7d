"""Browser tests: Debian's chromium driven by Playwright (never a downloaded browser), screenshots kept."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.agency_simulator import AgencySimulator, running_agency
from tests.support.broker import fresh_vhost

CHROMIUM = os.environ.get("LAGW_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("LAGW_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system's chromium; the closed network needs the background fetches off."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does) or set LAGW_CHROMIUM")
    flags = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": flags}


@pytest.fixture
def agency() -> Iterator[AgencySimulator]:
    """The agencies' callback endpoints (SOAP and webhook), simulated on a live socket."""
    with running_agency() as sim:
        yield sim


@pytest.fixture
def amqp_url() -> Iterator[str]:
    with fresh_vhost() as url:
        yield url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (test-artifacts/console unless LAGW_TEST_ARTIFACTS says otherwise)."""
    folder = ARTIFACTS / "console"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
