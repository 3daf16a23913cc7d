"""`lagw demo --console`: after the loop, open notices in the staff console and accounts to sign in with."""

import json
import secrets
import threading

import click
import requests

from adapters.examples import sample_path
from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.domain.staff import Role, StaffMember

DEMO_CENTRE = "lac370202"  # the court's district centre
# Two more court notices that stay open, for the console's inbox.
OPEN_NOTICES = (
    {"notice_number": "（2026）鲁0202刑初402号-通知辩护", "case_number": "（2026）鲁0202刑初402号"},
    {"notice_number": "（2026）鲁0202刑初403号-通知辩护", "case_number": "（2026）鲁0202刑初403号"},
)


def open_console(settings: Settings, base: str, court_key: str) -> None:
    """Create the console accounts, leave notices open for them, print how to sign in, serve until Ctrl-C."""
    services = build_services(settings)
    password = secrets.token_urlsafe(12)
    services.staff_auth.create(StaffMember("demo", "演示工作人员", Role.CENTRE_STAFF, DEMO_CENTRE, True), password)
    services.staff_auth.create(StaffMember("chief", "演示主管", Role.SUPERVISOR, None), password)
    services.engine.dispose()
    sample = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))
    for changes in OPEN_NOTICES:
        response = requests.post(
            f"{base}/api/v1/court/defense-notices",
            json=sample | changes,
            headers={"Authorization": f"Bearer {court_key}"},
            timeout=10,
        )
        click.echo(f"open court notice {changes['case_number']}: {response.status_code}")
    click.echo(
        f"\nstaff console: {base}/console/\n"
        f"  centre staff ({DEMO_CENTRE}, may see personal data): demo / {password}\n"
        f"  supervisor (every centre, reports):                 chief / {password}\n"
        "press Ctrl-C to stop the demo."
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopping.")
