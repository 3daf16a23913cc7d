"""Console benchmark: how the inbox's cost grows with the centre's open requests.

Run with `make bench-console`. In-process (Flask's test client, SQLite), the same run measures the bare
sign-in-checked page `/console/deliveries` (empty) as the baseline, then the inbox, the inbox's poll, a
person search (a whole name, through the blind index) and a request's page, with 100, 500 and 2000 open requests.
The figures that matter are the ratios to the baseline.
"""

import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402

from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.bootstrap import build_services  # noqa: E402
from gateway.config import Settings  # noqa: E402
from gateway.domain.staff import Role, StaffMember  # noqa: E402

NOTICE = json.loads((ROOT / "adapters/court/examples/defense-notices.json").read_text(encoding="utf-8"))
PASSWORD = "benchmark password"
SIZES = (100, 500, 2000)


def _timed(call: Callable[[], object], rounds: int = 20) -> float:
    """The median milliseconds of `rounds` calls."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _signed_in(client: FlaskClient) -> None:
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/console/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})


def main() -> None:
    """Seed open notices in steps and time the console's pages at each size."""
    with tempfile.TemporaryDirectory() as workdir:
        services = build_services(Settings(database_url=f"sqlite:///{workdir}/bench.sqlite3"))
        keys = {demo.agency.code: services.agencies.add(demo.agency) for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)}
        services.staff_auth.create(StaffMember("bench", "测试", Role.CENTRE_STAFF, "lac370202", True), PASSWORD)
        app = create_app(services=services)
        agency, client = app.test_client(), app.test_client()
        _signed_in(client)
        headers = {"Authorization": f"Bearer {keys['court-370202']}"}
        seeded, first_id = 0, None
        print(f"{'open':>6} {'baseline ms':>12} {'inbox':>14} {'poll':>14} {'search name':>14} {'request page':>14}")
        for size in SIZES:
            while seeded < size:
                number = f"（2026）鲁0202刑初{10000 + seeded}号"
                body = NOTICE | {"notice_number": f"{number}-通知辩护", "case_number": number}
                receipt = agency.post("/api/v1/court/defense-notices", json=body, headers=headers).get_json()
                first_id = first_id or receipt["id"]
                seeded += 1
            assert client.get(f"/console/requests/{first_id}").status_code == 200
            baseline = _timed(lambda: client.get("/console/deliveries"))
            figures = [
                _timed(lambda: client.get("/console/"), 5),
                _timed(lambda: client.get("/console/inbox/rows"), 5),
                _timed(lambda: client.get("/console/?q=王小明"), 5),
                _timed(lambda page=f"/console/requests/{first_id}": client.get(page)),
            ]
            cells = " ".join(f"{ms:7.1f} ({ms / baseline:4.1f}x)" for ms in figures)
            print(f"{size:>6} {baseline:>12.1f} {cells}")


if __name__ == "__main__":
    main()
