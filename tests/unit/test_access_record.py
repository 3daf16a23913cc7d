# ruff: noqa: F811
"""Who saw whose personal data (PIPL art. 28; LAL 21: the centre keeps what it learns confidential): every view
of names and ID numbers in clear is on the audit chain, supervisors read it per request and per account, and
`lagw audit access` prints it; it never appears on a request's timeline or in its status."""

import re

from click.testing import CliRunner
from flask import Flask

from gateway.bootstrap import Services
from gateway.cli.main import main
from gateway.store.audit_verify import verify_chain

# The console suite's fixtures (a store with the demo agencies and staff accounts, the app on it), shared.
from tests.unit.test_console_app import COURT, _court_notice, _signed_in, app, services  # noqa: F401

NAME_SEARCH = "/console/?q=王小明"  # the court example's defendant


def _views(services: Services, request_id: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(view.actor, view.shown) for view in services.access_log.of_request(request_id)]


def test_opening_a_request_in_clear_is_recorded_with_what_was_shown(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)

    _signed_in(app, "clerk").get(f"/console/requests/{request_id}")

    assert _views(services, request_id) == [("staff:clerk", ("particulars", "original"))]


def test_a_masked_page_or_a_search_by_case_number_records_nothing(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    trainee = _signed_in(app, "trainee")  # no permission for personal data: names masked, original withheld

    trainee.get(f"/console/requests/{request_id}")
    trainee.get(NAME_SEARCH)
    clerk = _signed_in(app, "clerk")
    inbox = clerk.get("/console/").get_data(as_text=True)  # the inbox without a search
    rows = clerk.get("/console/inbox/rows").get_data(as_text=True)  # and its refresh

    assert _views(services, request_id) == []
    # Unrecorded, so the clerk's inbox lists the name and ID number masked; the request's page shows them in clear.
    for page in (inbox, rows):
        assert "王**" in page and "370*************10" in page
        assert "王小明" not in page and "370202201003150310" not in page


def test_a_searchs_page_does_not_refresh_and_its_rows_alone_are_masked(app: Flask, services: Services) -> None:
    # Only the search's page, recorded, shows the names in clear: its rows fetched alone would be a view unrecorded.
    request_id = _court_notice(app, services)
    clerk = _signed_in(app, "clerk")

    found = clerk.get(NAME_SEARCH).get_data(as_text=True)
    rows = clerk.get(NAME_SEARCH.replace("/console/", "/console/inbox/rows")).get_data(as_text=True)
    listed = clerk.get("/console/").get_data(as_text=True)

    assert "王小明" in found and "data-poll=" not in found
    assert "王**" in rows and "王小明" not in rows and "370202201003150310" not in rows
    assert "data-poll=" in listed  # the inbox without a search still refreshes itself
    assert _views(services, request_id) == [("staff:clerk", ("search",))]


def test_a_search_by_name_records_each_request_it_found_never_the_words_searched(
    app: Flask,
    services: Services,
) -> None:
    request_id = _court_notice(app, services)

    _signed_in(app, "clerk").get(NAME_SEARCH)
    _signed_in(app, "clerk").get("/console/?q=张三丰")  # finds nobody: nothing shown, nothing recorded

    assert _views(services, request_id) == [("staff:clerk", ("search",))]
    texts = str(services.console.audit_entries(request_id)) + str(services.access_log.of_account("staff:clerk"))
    assert "王小明" not in texts and "张三丰" not in texts


def test_views_stay_off_the_timeline_and_the_status_but_on_the_chain(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    clerk = _signed_in(app, "clerk")
    clerk.get(f"/console/requests/{request_id}")

    page = clerk.get(f"/console/requests/{request_id}").get_data(as_text=True)
    status = app.test_client().get(
        f"/api/v1/requests/{request_id}",
        headers={"Authorization": f"Bearer {services.keys[COURT]}"},  # type: ignore[attr-defined]
    )
    services.audit.run_once()
    report = verify_chain(services.engine)

    timeline = page[page.index('id="timeline"') : page.index('id="h-related"')]
    assert "查阅" not in timeline and len(services.console.audit_entries(request_id)) == 1  # received only
    assert [entry["event"] for entry in status.get_json()["history"]] == ["received"]
    assert report.broken is None and report.linked == 3  # received, and the two views


def test_supervisors_read_the_record_per_request_and_per_account(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    _signed_in(app, "clerk").get(f"/console/requests/{request_id}")
    chief = _signed_in(app, "chief")

    on_the_request = chief.get(f"/console/requests/{request_id}").get_data(as_text=True)
    of_the_account = chief.get("/console/access?account=clerk").get_data(as_text=True)
    of_nobody = chief.get("/console/access?account=trainee").get_data(as_text=True)
    clerk_asks = _signed_in(app, "clerk").get("/console/access?account=clerk")

    record = on_the_request[on_the_request.index('id="access-record"') :]
    assert "<code>clerk</code></a> · 当事人信息、原始报文" in record
    assert request_id[:8] in of_the_account and "当事人信息、原始报文" in of_the_account
    assert "该账号没有查阅记录" in of_nobody
    assert clerk_asks.status_code == 403  # the record is for supervisors


def test_lagw_audit_access_prints_who_saw_a_request_and_what_an_account_saw(
    app: Flask,
    services: Services,
) -> None:
    request_id = _court_notice(app, services)
    _signed_in(app, "clerk").get(f"/console/requests/{request_id}")
    env = {"LAGW_DATABASE_URL": str(services.engine.url.render_as_string(hide_password=False))}

    by_request = CliRunner().invoke(main, ["audit", "access", "--request", request_id], env=env)
    by_account = CliRunner().invoke(main, ["audit", "access", "--account", "clerk"], env=env)
    by_nobody = CliRunner().invoke(main, ["audit", "access", "--account", "trainee"], env=env)
    neither = CliRunner().invoke(main, ["audit", "access"], env=env)

    assert by_request.exit_code == 0 and by_account.exit_code == 0
    [line] = by_request.output.splitlines()
    assert line.endswith(f"  clerk  {request_id}  particulars,original") and "+08:00" in line
    assert by_account.output == by_request.output
    assert by_nobody.output.strip() == "no views recorded"
    assert neither.exit_code != 0 and "--request or --account" in neither.output


def test_the_inbox_refreshing_a_search_records_nothing_more(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    clerk = _signed_in(app, "clerk")

    clerk.get(NAME_SEARCH)
    for _ in range(3):  # the page asks for its rows again every few seconds, with the same search
        clerk.get("/console/inbox/rows?q=王小明")

    assert _views(services, request_id) == [("staff:clerk", ("search",))]


def test_an_account_without_the_permission_now_is_still_offered_if_it_was_recorded(
    app: Flask, services: Services
) -> None:
    request_id = _court_notice(app, services)
    services.access_log.record("staff:trainee", [request_id], ["particulars"], services.clock.now())  # before

    page = _signed_in(app, "chief").get("/console/access").get_data(as_text=True)

    options = re.findall(r'<option value="([^"]+)"', page)
    assert options == ["clerk", "north", "trainee"]  # trainee lost (or never had) the permission: still there
