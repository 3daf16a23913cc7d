"""The staff console through Flask's test client: who may see and do what, CSRF, masking, forms like the API."""

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from adapters.examples import sample_path
from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES
from gateway.app import create_app
from gateway.bootstrap import Services, build_services
from gateway.config import Settings
from gateway.domain.staff import Role
from gateway.rules.deadlines import CHINA_TZ
from gateway.store.tables import answers, audit_log, deliveries, inbound_payloads, staff_accounts
from tests.support.console import ConsoleUser, add_staff
from tests.support.personal_data import register
from tests.unit.fakes import ShiftedClock

COURT, POLICE, CENTRE, OTHER_CENTRE = "court-370202", "police-370203", "lac370202", "lac370203"
COURT_ID_NUMBER = "370202201003150310"
RECEIVED = datetime(2026, 11, 25, 9, 30, tzinfo=CHINA_TZ)
LAWYER = {
    "lawyer.name": "周律师",
    "lawyer.law_firm": "山东青法律师事务所",
    "lawyer.licence_number": "13702201510234567",
    "lawyer.phone": "13800000000",
    "appointed_at": "2026-11-26T10:00",
}


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/gateway.sqlite3")
    found = build_services(settings, ShiftedClock(RECEIVED))  # the forms' answers are dated the day after
    found.keys = {demo.agency.code: found.agencies.add(demo.agency) for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)}  # type: ignore[attr-defined]
    add_staff(found, "clerk", Role.CENTRE_STAFF, CENTRE, personal_data=True)
    add_staff(found, "trainee", Role.CENTRE_STAFF, CENTRE)
    add_staff(found, "north", Role.CENTRE_STAFF, OTHER_CENTRE, personal_data=True)
    add_staff(found, "chief", Role.SUPERVISOR)
    add_staff(found, "admin", Role.ADMINISTRATOR)
    yield found
    found.engine.dispose()


@pytest.fixture
def app(services: Services) -> Flask:
    return create_app(services=services)


def _notice(app: Flask, services: Services, agency: str, folder: str, resource: str, **changes: Any) -> str:
    body = json.loads(sample_path(f"{folder}/{f'{resource}.json'}").read_text(encoding="utf-8")) | changes
    path = f"/api/v1/{folder}/{resource}"
    headers = {"Authorization": f"Bearer {services.keys[agency]}"}  # type: ignore[attr-defined]
    response = app.test_client().post(path, json=body, headers=headers)
    assert response.status_code == 202, response.get_json()
    request_id: str = response.get_json()["id"]
    return request_id


def _court_notice(app: Flask, services: Services, **changes: Any) -> str:
    return _notice(app, services, COURT, "court", "defense-notices", **changes)


def _signed_in(app: Flask, username: str) -> ConsoleUser:
    user = ConsoleUser(app)
    assert user.sign_in(username).status_code == 302
    return user


def _count(services: Services, table: sa.Table) -> int:
    with services.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def test_pages_need_a_session_and_sign_in_returns_to_the_page_asked_for(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    user = ConsoleUser(app)

    refused = user.get(f"/console/requests/{request_id}")
    assert refused.status_code == 302 and "/console/login?next=" in refused.headers["Location"]
    page = user.client.get(refused.headers["Location"]).get_data(as_text=True)
    assert f'value="/console/requests/{request_id}"' in page
    signed = user.client.post(
        "/console/login",
        data={
            "username": "clerk",
            "password": "correct horse battery staple",
            "next": f"/console/requests/{request_id}",
        }
        | {"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0]},
    )
    assert signed.headers["Location"] == f"/console/requests/{request_id}"


def test_sign_in_never_redirects_off_the_console(app: Flask) -> None:
    user = ConsoleUser(app)
    page = user.get("/console/login?next=//evil.example/x").get_data(as_text=True)

    assert "evil.example" not in page
    response = user.submit(
        "/console/login",
        {"username": "clerk", "password": "correct horse battery staple", "next": "https://evil.example"},
    )
    assert response.headers["Location"] == "/console/"


def test_a_next_with_control_characters_is_dropped_not_put_in_a_header(app: Flask) -> None:
    user = ConsoleUser(app)
    page = user.get("/console/login?next=/console/%0d%0aSet-Cookie:%20x=1")

    assert page.status_code == 200 and "Set-Cookie" not in page.get_data(as_text=True)
    for target in ("/console/\r\nSet-Cookie: x=1", "/console/\x00"):
        fresh = ConsoleUser(app)
        fresh.get("/console/login")
        response = fresh.submit(
            "/console/login", {"username": "clerk", "password": "correct horse battery staple", "next": target}
        )
        assert response.headers["Location"] == "/console/"
        assert "x=1" not in str(response.headers)


def test_a_locked_account_and_an_unknown_name_are_refused_like_a_wrong_password(app: Flask) -> None:
    user = ConsoleUser(app)
    statuses = [user.sign_in("clerk", "wrong password here").status_code for _ in range(5)]
    locked = user.sign_in("clerk")
    unknown = user.sign_in("nobody")

    assert statuses == [401] * 5
    assert locked.status_code == unknown.status_code == 401
    # The pages differ only in the name typed back and the CSRF token (which carries the second it was made).
    assert _without_token(locked.get_data(as_text=True).replace("clerk", "nobody")) == _without_token(
        unknown.get_data(as_text=True)
    )


def _without_token(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', page)


def test_signing_in_again_ends_the_session_the_browser_held(app: Flask, services: Services) -> None:
    user = _signed_in(app, "clerk")
    with user.client.session_transaction("/console/") as cookie:
        first = cookie["sid"]

    user.get("/console/")  # a sign-in form left open in another tab posts with this session's token
    again = user.submit("/console/login", {"username": "clerk", "password": "correct horse battery staple"})

    assert again.status_code == 302
    assert services.staff_auth.member_for(first) is None


def test_the_session_cookie_is_http_only_same_site_secure_and_scoped_to_the_console(app: Flask) -> None:
    user = ConsoleUser(app)
    response = user.sign_in("clerk")

    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lagw_console=")
    for flag in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/console"):
        assert flag in cookie


@pytest.mark.parametrize(
    "path_template",
    [
        "/console/login",
        "/console/logout",
        "/console/requests/{id}/appointment",
        "/console/requests/{id}/replacement",
        "/console/requests/{id}/decision",
        "/console/deliveries/1/retry",
        "/console/admin/staff/trainee/disable",
    ],
)
def test_every_form_post_without_its_csrf_token_is_refused_and_changes_nothing(
    app: Flask, services: Services, path_template: str
) -> None:
    request_id = _court_notice(app, services)
    user = _signed_in(app, "admin" if "admin" in path_template else "clerk")
    user.get("/console/deliveries")
    before = {table.name: _count(services, table) for table in (answers, audit_log, deliveries, staff_accounts)}

    response = user.submit(path_template.format(id=request_id), LAWYER | {"username": "clerk"}, with_token=False)

    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert {table.name: _count(services, table) for table in (answers, audit_log, deliveries, staff_accounts)} == before
    with services.engine.connect() as conn:
        assert conn.scalar(sa.select(staff_accounts.c.disabled).where(staff_accounts.c.username == "trainee")) is False


def test_a_forged_token_is_refused_too(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    user = _signed_in(app, "clerk")
    user.get(f"/console/requests/{request_id}")

    response = user.submit(f"/console/requests/{request_id}/appointment", LAWYER | {"csrf_token": "forged"}, False)

    assert response.status_code == 400
    assert services.requests.latest_answers(request_id) == {}


def test_centre_staff_cannot_open_another_centres_request(app: Flask, services: Services) -> None:
    theirs = _notice(app, services, POLICE, "police", "application-transfers")
    user = _signed_in(app, "clerk")

    assert user.get(f"/console/requests/{theirs}").status_code == 403
    user.get("/console/")
    assert user.submit(f"/console/requests/{theirs}/decision", {"outcome": "granted"}).status_code == 403
    assert theirs not in user.get("/console/?state=all").get_data(as_text=True)
    assert _signed_in(app, "north").get(f"/console/requests/{theirs}").status_code == 200
    assert _signed_in(app, "chief").get(f"/console/requests/{theirs}").status_code == 200


def test_another_centres_related_request_shows_only_what_the_api_would(app: Flask, services: Services) -> None:
    earlier = _notice(app, services, POLICE, "police", "application-transfers")
    later = _court_notice(
        app, services, defendant=_person("陈志强", "370203198808080710"), grounds=["life_or_death_penalty"]
    )
    their_case = services.requests.get(earlier).case_number  # type: ignore[union-attr]

    ours = _signed_in(app, "clerk").get(f"/console/requests/{later}").get_data(as_text=True)
    chief = _signed_in(app, "chief").get(f"/console/requests/{later}").get_data(as_text=True)

    assert "前一阶段：转交申请 · 青岛市公安局市北分局（由其他法律援助中心办理）" in ours
    assert their_case not in ours and f"/console/requests/{earlier}" not in ours
    assert their_case in chief and f"/console/requests/{earlier}" in chief


def test_failing_notices_of_another_centre_are_neither_listed_nor_retried(app: Flask, services: Services) -> None:
    theirs = _notice(app, services, POLICE, "police", "application-transfers")
    services.agencies.set_callback(POLICE, _webhook())
    decision = {"outcome": "granted", "decided_at": "2026-11-26T10:00:00+08:00"}
    headers = {"Authorization": f"Bearer {services.keys[OTHER_CENTRE]}"}  # type: ignore[attr-defined]
    assert (
        app.test_client().post(f"/api/v1/requests/{theirs}/decision", json=decision, headers=headers).status_code == 200
    )
    [delivery] = services.deliveries.find(request_id=theirs)
    services.deliveries.process_next(lambda d: _failed(), lambda attempts: None)  # parked after one failure

    clerk = _signed_in(app, "clerk")
    listed = clerk.get("/console/deliveries").get_data(as_text=True)
    retried = clerk.submit(f"/console/deliveries/{delivery.id}/retry", {})
    north = _signed_in(app, "north").get("/console/deliveries").get_data(as_text=True)

    assert f'data-delivery-id="{delivery.id}"' not in listed
    assert retried.status_code == 403
    assert services.deliveries.get(delivery.id).state == "parked"  # type: ignore[union-attr]
    assert f'data-delivery-id="{delivery.id}"' in north and "HTTP 500" in north
    assert "失败：对方系统出错（HTTP 500）" in north and "<summary>技术详情</summary>" in north


def test_a_form_without_its_form_key_is_refused_and_changes_nothing(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    user = _signed_in(app, "clerk")
    user.get(f"/console/requests/{request_id}")

    refused = user.submit(f"/console/requests/{request_id}/appointment", LAWYER | {"form_key": ""})

    assert refused.status_code == 400 and "表单已失效" in refused.get_data(as_text=True)
    assert services.requests.latest_answers(request_id) == {}


def test_closed_requests_in_the_inbox_have_no_countdown(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    user = _signed_in(app, "clerk")
    user.get(f"/console/requests/{request_id}")
    user.submit(f"/console/requests/{request_id}/appointment", LAWYER)

    everything = user.get("/console/?state=all").get_data(as_text=True)

    assert request_id in everything
    assert "countdown" not in everything and "urgency-closed" in everything


def test_the_document_an_appointment_issued_is_listed_and_opened_only_with_the_personal_data_permission(
    app: Flask, services: Services
) -> None:
    request_id = _court_notice(app, services)
    clerk, trainee = _signed_in(app, "clerk"), _signed_in(app, "trainee")
    clerk.get(f"/console/requests/{request_id}")
    assert clerk.submit(f"/console/requests/{request_id}/appointment", LAWYER).status_code == 302
    [document] = services.documents.of_request(request_id)
    link = f"/console/requests/{request_id}/documents/{document.id}"

    page = clerk.get(f"/console/requests/{request_id}").get_data(as_text=True)
    opened = clerk.client.get(link)
    trainee_page = trainee.get(f"/console/requests/{request_id}").get_data(as_text=True)
    trainee_opened = trainee.client.get(link)

    assert "法律文书" in page and f'href="{link}"' in page and document.number in page and "指派通知书" in page
    assert opened.status_code == 200 and opened.mimetype == "application/pdf"
    assert hashlib.sha256(opened.data).hexdigest() == document.sha256
    assert (
        "指派通知书" in trainee_page and f'href="{link}"' not in trainee_page and "需有个人信息查阅权限" in trainee_page
    )
    assert trainee_opened.status_code == 403
    views = services.access_log.of_request(request_id)
    assert any("document" in view.shown and view.actor == "staff:clerk" for view in views)


def test_names_and_id_numbers_are_masked_without_the_personal_data_permission(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)

    trainee = _signed_in(app, "trainee")
    masked = trainee.get(f"/console/requests/{request_id}").get_data(as_text=True)
    inbox = trainee.get("/console/").get_data(as_text=True)
    clear = _signed_in(app, "clerk").get(f"/console/requests/{request_id}").get_data(as_text=True)

    for page in (masked, inbox):
        assert COURT_ID_NUMBER not in page and "王小明" not in page
        assert "370*************10" in page and "王**" in page
    assert "原始报文含当事人个人信息" in masked
    assert COURT_ID_NUMBER in clear and "王小明" in clear
    assert "（2026）鲁0202刑初318号-通知辩护" in clear  # the original message, as received


def test_a_purged_original_is_shown_as_purged_under_the_retention_policy(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    with services.engine.begin() as conn:  # received four years ago
        conn.execute(inbound_payloads.update().values(received_at=datetime.now(UTC) - timedelta(days=4 * 365)))
    assert services.retention.run().purged == 1

    response = _signed_in(app, "clerk").get(f"/console/requests/{request_id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'id="original-message"' not in page
    assert 'id="original-purged"' in page
    assert f"按保存期限政策（收到后 {services.retention.days} 天）清除" in page
    assert "原始报文已按保存期限清除" in page  # the purge on the timeline


def test_a_request_under_a_legal_hold_says_so_beside_its_original(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    services.retention.set_hold(request_id, "复议期间保留", "cli:chief")

    page = _signed_in(app, "clerk").get(f"/console/requests/{request_id}").get_data(as_text=True)

    assert 'id="original-message"' in page
    assert 'id="legal-hold"' in page and "复议期间保留" in page


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("clerk", {"/console/", "/console/deliveries"}),
        ("chief", {"/console/", "/console/deliveries", "/console/reports", "/console/reports.csv"}),
        ("admin", {"/console/deliveries", "/console/admin"}),
    ],
)
def test_each_role_reaches_only_its_pages(app: Flask, username: str, allowed: set[str]) -> None:
    user = _signed_in(app, username)
    pages = ["/console/", "/console/deliveries", "/console/reports", "/console/reports.csv", "/console/admin"]

    reached = {page for page in pages if user.get(page).status_code == 200}

    assert reached == allowed


def test_the_appointment_form_refuses_what_the_api_refuses_in_chinese(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services, grounds=["life_or_death_penalty"])
    user = _signed_in(app, "clerk")
    user.get(f"/console/requests/{request_id}")
    api = (
        app.test_client()
        .post(
            f"/api/v1/requests/{request_id}/appointment",
            json={
                "lawyer": {"name": "周律师", "law_firm": "所", "licence_number": "123", "phone": "13800000000"},
                "appointed_at": "2026-11-26T10:00:00+08:00",
            },
            headers={"Authorization": f"Bearer {services.keys[CENTRE]}"},  # type: ignore[attr-defined]
        )
        .get_json()
    )

    bad_licence = user.submit(f"/console/requests/{request_id}/appointment", LAWYER | {"lawyer.licence_number": "123"})
    too_junior = user.submit(f"/console/requests/{request_id}/appointment", LAWYER | {"lawyer.years_of_practice": "2"})

    assert bad_licence.status_code == 422
    assert api["errors"]["lawyer.licence_number"] == ["17 digits (执业证号)"]  # the same rule, the API's words
    assert "执业证号应为 17 位数字。" in bad_licence.get_data(as_text=True)
    assert too_junior.status_code == 422
    assert "须指派执业 3 年以上的律师（《法律援助法》第二十六条）。" in too_junior.get_data(as_text=True)
    assert "表单有误，请按提示修改。" in too_junior.get_data(as_text=True)
    assert services.requests.latest_answers(request_id) == {}
    assert 'value="2"' in too_junior.get_data(as_text=True)  # what was typed stays in the form


def test_an_appointment_from_the_console_is_audited_as_the_staff_member_and_queued_for_the_agency(
    app: Flask, services: Services
) -> None:
    request_id = _court_notice(app, services)
    services.agencies.set_callback(COURT, _webhook())
    user = _signed_in(app, "clerk")
    form_page = user.get(f"/console/requests/{request_id}").get_data(as_text=True)

    done = user.submit(f"/console/requests/{request_id}/appointment", LAWYER)
    user.last_page = form_page  # a double click: the same form posted again, with the same form key
    again = user.submit(f"/console/requests/{request_id}/appointment", LAWYER)

    assert done.status_code == 302 and again.status_code == 302
    assert services.requests.get(request_id).state.value == "assigned"  # type: ignore[union-attr]
    assert [d.event for d in services.deliveries.find(request_id=request_id)] == ["assigned"]
    trail = services.console.audit_entries(request_id)
    # the appointment, and the 指派通知书 it issued (LAL 36), both by the clerk
    assert [(entry.event, entry.actor) for entry in trail][-2:] == [
        ("assigned", "staff:clerk"),
        ("document_issued", "staff:clerk"),
    ]
    assert services.requests.latest_answers(request_id)["appointment"]["appointed_at"] == "2026-11-26T10:00:00+08:00"


def test_the_request_page_names_who_acted_and_what_codes_mean_in_chinese(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    user = _signed_in(app, "clerk")
    user.get(f"/console/requests/{request_id}")
    user.submit(f"/console/requests/{request_id}/appointment", LAWYER)

    page = user.get(f"/console/requests/{request_id}").get_data(as_text=True)

    timeline = page[page.index('id="timeline"') : page.index('id="h-related"')]
    assert '<span class="small">青岛市市南区人民法院</span>' in timeline  # the notifying court, by name
    assert '<span class="small">工作人员 clerk</span>' in timeline
    assert "经数据接口报文接收" in timeline
    for label, value in (("国籍", "中国"), ("语言", "汉语"), ("传输方式", "数据接口报文")):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in page
    assert "· 青岛市市南区法律援助中心）" in page  # the clerk's centre in the header
    for code in ("court-370202", "staff:clerk", ">CHN<", ">zh<", ">REST<", "· lac370202"):
        assert code not in page


def test_an_application_is_decided_before_a_lawyer_is_assigned(app: Flask, services: Services) -> None:
    request_id = _notice(app, services, POLICE, "police", "application-transfers")
    user = _signed_in(app, "north")
    page = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    assert "审查决定" in page and "确认指派律师" not in page

    refused = user.submit(
        f"/console/requests/{request_id}/decision", {"outcome": "refused", "decided_at": "2026-11-26T10:00"}
    )
    granted = user.submit(
        f"/console/requests/{request_id}/decision", {"outcome": "granted", "decided_at": "2026-11-26T10:00"}
    )

    assert refused.status_code == 422
    assert "不予法律援助须写明理由（《法律援助法》第四十三条）。" in refused.get_data(as_text=True)
    assert granted.status_code == 302
    after = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    assert "确认指派律师" in after and "审查决定" not in after


def test_a_refusal_is_chosen_from_the_laws_reasons_and_read_back_in_chinese(app: Flask, services: Services) -> None:
    request_id = _notice(app, services, POLICE, "police", "application-transfers")
    user = _signed_in(app, "north")
    page = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    start = page.index('id="decision-reason_code"')
    form = page[start : page.index("</select>", start)]
    # LAL 43 ¶1: refused in writing with reasons; the reasons the law gives, in the clerk's words.
    for label in ("不属于法律援助范围", "不符合经济困难标准", "已委托辩护人", "未按要求补充材料或作出说明", "其他理由"):
        assert label in form

    unknown = user.submit(
        f"/console/requests/{request_id}/decision",
        {"outcome": "refused", "decided_at": "2026-11-26T10:00", "reason_code": "not_hardship", "reason": "收入"},
    )
    assert unknown.status_code == 422 and services.requests.latest_answers(request_id) == {}
    refused = user.submit(
        f"/console/requests/{request_id}/decision",
        {
            "outcome": "refused",
            "decided_at": "2026-11-25T09:30",
            "reason_code": "hardship_not_met",
            "reason": "家庭人均月收入高于当地低保标准二倍",
        },
    )
    served = app.test_client().post(
        f"/api/v1/requests/{request_id}/proof-of-service",
        json={"served_at": "2026-11-25T09:31:00+08:00"},
        headers={"Authorization": f"Bearer {services.keys[POLICE]}"},  # type: ignore[attr-defined]
    )

    assert refused.status_code == 302
    assert services.requests.latest_answers(request_id)["decision"]["reason_code"] == "hardship_not_met"
    after = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    assert "不予法律援助：不符合经济困难标准" in after
    timeline = after[after.index('id="timeline"') : after.index('id="h-related"')]
    assert "不予（不符合经济困难标准）" in timeline and "hardship_not_met" not in timeline
    assert served.status_code == 200, served.get_json()
    assert "决定书已送达申请人" in timeline and "办案机关回执：2026-11-25 09:31送达" in timeline


def test_aid_under_way_is_terminated_on_a_ground_of_the_law_from_the_console(app: Flask, services: Services) -> None:
    request_id = _court_notice(app, services)
    user = _signed_in(app, "clerk")
    before = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    user.submit(f"/console/requests/{request_id}/appointment", LAWYER)
    page = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    start = page.index('id="termination-ground"')
    grounds = page[start : page.index("</select>", start)]

    refused = user.submit(
        f"/console/requests/{request_id}/termination", {"ground": "case_ended", "terminated_at": "2026-11-26T11:00"}
    )
    done = user.submit(
        f"/console/requests/{request_id}/termination",
        {"ground": "lawyer_retained", "terminated_at": "2026-11-26T11:00", "reason": "被告人家属已委托辩护律师"},
    )

    assert "终止法律援助" not in before  # nothing to end before a lawyer is assigned
    assert grounds.count("<option") == 9  # 请选择 and the eight grounds of LAL 48
    assert "自行委托律师或者其他代理人" in grounds and "案件终止审理或者已经被撤销" in grounds
    assert refused.status_code == 422  # the facts behind the ground are written down
    assert done.status_code == 302
    assert services.requests.get(request_id).state.value == "terminated"  # type: ignore[union-attr]
    after = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    assert "已终止法律援助：自行委托律师或者其他代理人（被告人家属已委托辩护律师）" in after
    timeline = after[after.index('id="timeline"') : after.index('id="h-related"')]
    assert "终止法律援助" in timeline and "lawyer_retained" not in timeline
    assert [entry.actor for entry in services.console.audit_entries(request_id)][-1] == "staff:clerk"


def test_the_bureaus_decision_on_an_objection_is_recorded_and_reopens_the_application(
    app: Flask, services: Services
) -> None:
    request_id = _notice(app, services, POLICE, "police", "application-transfers")
    user = _signed_in(app, "north")
    user.get(f"/console/requests/{request_id}")
    refusal = {"outcome": "refused", "decided_at": "2026-11-25T09:30", "reason_code": "outside_scope", "reason": "x"}
    user.submit(f"/console/requests/{request_id}/decision", refusal)
    page = user.get(f"/console/requests/{request_id}").get_data(as_text=True)

    recorded = user.submit(
        f"/console/requests/{request_id}/objection",
        {
            "lodged_at": "2026-11-25T09:31",
            "decided_at": "2026-11-25T09:32",
            "outcome": "corrected",
            "document_number": "青司法异〔2026〕12号",
        },
    )

    assert "记录异议审查决定" in page and "责令改正" in page  # LAL 49: offered once the application is refused
    assert recorded.status_code == 302
    assert services.requests.get(request_id).state.value == "queued"  # type: ignore[union-attr]
    after = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    assert "异议审查：责令改正（青司法异〔2026〕12号）" in after and "审查决定" in after  # to decide anew
    timeline = after[after.index('id="timeline"') : after.index('id="h-related"')]
    assert "异议审查：责令改正，重新办理" in timeline and "2026-11-25 09:31提出异议" in timeline


def test_missing_materials_are_asked_for_once_from_the_console(app: Flask, services: Services) -> None:
    request_id = _notice(app, services, POLICE, "police", "application-transfers")
    user = _signed_in(app, "north")
    page = user.get(f"/console/requests/{request_id}").get_data(as_text=True)

    asked = user.submit(
        f"/console/requests/{request_id}/materials-request",
        {
            "items": "家庭成员收入证明\n\n对申报收入的书面说明\n",
            "requested_at": "2026-11-25T09:31",
            "supply_by": "2026-12-02T17:00",
        },
    )

    assert "一次性告知补充材料" in page  # LAL 43 ¶2, offered while the application is open
    assert asked.status_code == 302
    stored = services.requests.get(request_id)
    assert stored is not None and stored.state.value == "awaiting_materials"
    assert services.requests.latest_answers(request_id)["materials_request"]["items"] == [
        "家庭成员收入证明",
        "对申报收入的书面说明",
    ]
    after = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    assert (
        "待补充材料" in after
        and "已告知补充材料（2026-12-02 17:00 前）：家庭成员收入证明；对申报收入的书面说明" in after
    )
    assert 'id="h-materials"' not in after  # asked for once
    assert request_id in user.get("/console/").get_data(as_text=True)  # still the clerk's open work
    timeline = after[after.index('id="timeline"') : after.index('id="h-related"')]
    assert "一次性告知补充材料" in timeline and "补充期限 2026-12-02 17:00" in timeline


def test_the_inbox_puts_the_least_time_left_first_and_filters_and_searches(app: Flask, services: Services) -> None:
    first = _court_notice(app, services)
    second = _court_notice(
        app,
        services,
        notice_number="（2026）鲁0202刑初400号-通知辩护",
        case_number="（2026）鲁0202刑初400号",
        defendant=_person("李四", "11010519491231002X"),
        grounds=["life_or_death_penalty"],
    )
    user = _signed_in(app, "clerk")

    page = user.get("/console/").get_data(as_text=True)
    by_digits = user.get("/console/?q=002X").get_data(as_text=True)
    by_name = user.get("/console/?q=王 小明").get_data(as_text=True)  # white space does not count
    by_part_of_name = user.get("/console/?q=王小").get_data(as_text=True)  # the blind index knows whole names
    by_case = user.get("/console/?q=刑初400").get_data(as_text=True)
    other_kind = user.get("/console/?kind=duty_lawyer").get_data(as_text=True)
    polled = user.get("/console/inbox/rows").get_data(as_text=True)

    assert page.index(first) < page.index(second)  # same deadline: received first, listed first
    assert second in by_digits and first not in by_digits
    assert first in by_name and second not in by_name
    assert first not in by_part_of_name and second not in by_part_of_name
    assert second in by_case and first not in by_case
    assert first not in other_kind and second not in other_kind
    assert first in polled and "<html" not in polled
    assert "剩余" in page
    assert "《法律援助法》第三十六条" in page and "LAL 36" not in page  # the basis as the statute reads
    with_nul = user.get("/console/?q=刑初%00400&agency=%00").get_data(as_text=True)  # PostgreSQL refuses a NUL
    assert second in with_nul and first not in with_nul
    trainee = _signed_in(app, "trainee")  # no personal-data permission: a name is not a search key
    assert first not in trainee.get("/console/?q=王小明").get_data(as_text=True)
    assert second in trainee.get("/console/?q=刑初400").get_data(as_text=True)


def test_a_poll_without_a_session_is_401_not_a_redirect(app: Flask) -> None:
    response = app.test_client().get("/console/inbox/rows", headers={"X-Requested-With": "fetch"})

    assert response.status_code == 401


def test_pages_forbid_framing_and_outside_scripts_and_are_not_cached(app: Flask) -> None:
    response = _signed_in(app, "clerk").get("/console/")

    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    head = response.get_data(as_text=True).split("<main")[0]
    # Nothing loaded from elsewhere (an address, not the letters "http", which a random CSRF token may hold).
    assert "http://" not in head and "https://" not in head and 'src="//' not in head


def test_the_report_counts_by_agency_kind_and_day_and_exports_csv(app: Flask, services: Services) -> None:
    assigned = _court_notice(app, services)
    _court_notice(
        app, services, notice_number="（2026）鲁0202刑初401号-通知辩护", case_number="（2026）鲁0202刑初401号"
    )
    _notice(app, services, POLICE, "police", "application-transfers")
    user = _signed_in(app, "clerk")
    user.get(f"/console/requests/{assigned}")
    user.submit(f"/console/requests/{assigned}/appointment", LAWYER)
    chief = _signed_in(app, "chief")

    page = chief.get("/console/reports").get_data(as_text=True)
    exported = chief.get("/console/reports.csv")

    totals = (
        "合计：收到 3 件，按期指派 1 件，逾期 0 件（其中审查决定逾期 0 件），"
        "撤回 0 件，不予援助 0 件，终止援助 0 件，在办 2 件。"
    )
    assert totals in page and "<svg" in page
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert list(rows[0]) == [
        "日期",
        "机关代码",
        "机关名称",
        "类型",
        "收到",
        "按期指派",
        "逾期",
        "撤回",
        "不予援助",
        "终止援助",
        "在办",
        "其中审查决定逾期",
    ]
    court = next(row for row in rows if row["机关代码"] == COURT)
    assert (court["类型"], court["收到"], court["按期指派"], court["逾期"], court["在办"]) == (
        "通知辩护",
        "2",
        "1",
        "0",
        "1",
    )
    assert {row["机关代码"] for row in rows} == {COURT, POLICE}
    assert exported.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("to=9999-12-31", "日期须在 2000 年至 2100 年之间。"),
        ("from=0001-01-01&to=0001-01-02", "日期须在 2000 年至 2100 年之间。"),
        ("from=2026-11-20&to=2026-11-01", "起始日期不能晚于截止日期。"),
        ("from=2024-01-01", "一次最多统计 366 天。"),
        ("to=x", "日期格式应为 YYYY-MM-DD。"),
    ],
)
def test_dates_a_report_cannot_cover_are_a_400_with_the_reason(app: Flask, query: str, reason: str) -> None:
    chief = _signed_in(app, "chief")

    page = chief.get(f"/console/reports?{query}")
    exported = chief.get(f"/console/reports.csv?{query}")

    assert page.status_code == exported.status_code == 400
    assert 'role="alert"' in page.get_data(as_text=True) and reason in page.get_data(as_text=True)
    assert exported.get_data(as_text=True) == reason


def test_an_administrator_disables_and_unlocks_accounts_but_not_their_own(app: Flask, services: Services) -> None:
    admin = _signed_in(app, "admin")
    admin.get("/console/admin")

    assert admin.submit("/console/admin/staff/trainee/disable", {}).status_code == 302
    assert ConsoleUser(app).sign_in("trainee").status_code == 401
    admin.get("/console/admin")
    assert admin.submit("/console/admin/staff/admin/disable", {}).status_code == 403


def _person(name: str, id_number: str) -> dict[str, Any]:
    defendant: dict[str, Any] = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))[
        "defendant"
    ]
    register(name, id_number)
    birth = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    gender = "female" if int(id_number[16]) % 2 == 0 else "male"
    return defendant | {"name": name, "id_number": id_number, "birth_date": birth, "gender": gender}


def _failed() -> Any:
    from gateway.service.ports import Attempt

    return Attempt(at=datetime.now(UTC), outcome="failed", http_status=500, error="unavailable")


def _webhook() -> Any:
    from gateway.service.ports import Callback

    return Callback(kind="webhook", url="http://127.0.0.1:9/unused", secret="s")


@pytest.mark.parametrize(
    ("http_status", "fault_code", "error", "summary"),
    [
        (
            None,
            None,
            "ReadTimeout: HTTPConnectionPool(host='10.0.0.5', port=80): Read timed out.",
            "对方系统无响应（超时）",
        ),
        (None, None, "ConnectionError: HTTPConnectionPool(host='10.0.0.5'): Max retries exceeded", "无法连接对方系统"),
        (500, "Server", "SOAP Fault Server", "对方系统拒收（SOAP 故障 Server）"),
        (503, None, "HTTP 503", "对方系统出错（HTTP 503）"),
        (404, None, "HTTP 404 Not Found", "对方系统拒收（HTTP 404）"),
        (307, None, "HTTP 307 Temporary Redirect", "对方系统要求转向其他地址，网关未跟随"),
        (200, None, "the agency did not acknowledge the notice", "对方系统收到但未确认接收"),
        (None, None, "callback WSDL refused: the WSDL imports another document", "对方的服务描述（WSDL）不合规"),
        (None, None, "the agency has no callback any more", "该机关已取消回调设置"),
        (None, None, "ValueError: something else", "发送失败，原因见技术详情"),
    ],
)
def test_a_failed_delivery_reads_in_chinese(
    http_status: int | None, fault_code: str | None, error: str, summary: str
) -> None:
    from gateway.service.ports import Attempt
    from gateway.web.console.formatting import failure_summary

    attempt = Attempt(datetime.now(UTC), "failed", http_status=http_status, fault_code=fault_code, error=error)

    assert failure_summary(attempt).startswith(summary)


@pytest.mark.parametrize(
    ("basis", "cited"),
    [
        ("LAL 36", "《法律援助法》第三十六条"),
        ("LAL 43", "《法律援助法》第四十三条"),
        (
            "LAL 30, 37; duty-lawyer rules 2020",
            "《法律援助法》第三十条、第三十七条；《法律援助值班律师工作办法》（2020年）",
        ),
        (
            "LAL 25, 28, 36; CPL 35, 293, 304",
            "《法律援助法》第二十五条、第二十八条、第三十六条；《刑事诉讼法》第三十五条、第二百九十三条、第三百零四条",
        ),
        ("CPL 10, 19, 110, 173", "《刑事诉讼法》第十条、第十九条、第一百一十条、第一百七十三条"),
        ("Shandong regulation 11", "Shandong regulation 11"),  # not one the console knows: left as it is
    ],
)
def test_a_legal_basis_is_cited_as_the_statute_reads(basis: str, cited: str) -> None:
    from gateway.web.console.formatting import citation

    assert citation(basis) == cited


def test_a_search_looks_through_every_state_unless_one_is_chosen_and_says_where_it_looked(
    app: Flask, services: Services
) -> None:
    assigned = _court_notice(app, services)
    user = _signed_in(app, "clerk")
    user.get(f"/console/requests/{assigned}")
    user.submit(f"/console/requests/{assigned}/appointment", LAWYER)

    default = user.get("/console/").get_data(as_text=True)
    searched = user.get("/console/?q=刑初318&state=").get_data(as_text=True)
    open_only = user.get("/console/?q=刑初318&state=open").get_data(as_text=True)
    polled = user.get("/console/inbox/rows?q=刑初318").get_data(as_text=True)

    assert assigned not in default and "显示：待办（期限计算中）。" in default
    assert assigned in searched and "显示：全部状态中含「刑初318」的请求。" in searched
    assert assigned not in open_only and "显示：待办（期限计算中）中含「刑初318」的请求。" in open_only
    assert assigned in polled  # the page's refresh asks with the same query, and gets the same answer
    assert '<option value="" selected>' in searched  # the state select shows the default, not "open"


def test_a_supervisor_sees_each_requests_centre_and_may_keep_to_one(app: Flask, services: Services) -> None:
    south = _court_notice(app, services)
    north = _notice(app, services, POLICE, "police", "application-transfers")
    chief = _signed_in(app, "chief")

    every = chief.get("/console/").get_data(as_text=True)
    one = chief.get(f"/console/?centre={OTHER_CENTRE}").get_data(as_text=True)
    clerk_page = _signed_in(app, "clerk").get(f"/console/?centre={OTHER_CENTRE}").get_data(as_text=True)

    assert south in every and north in every
    assert '<th scope="col">法律援助中心</th>' in every and "青岛市市北区法律援助中心</td>" in every
    assert north in one and south not in one and "，青岛市市北区法律援助中心。" in one
    assert south in clerk_page and north not in clerk_page  # centre staff keep to their own centre
    assert 'id="f-centre"' not in clerk_page


def test_the_duty_lawyers_place_and_time_are_prefilled_from_the_request_and_shown_once_arranged(
    app: Flask, services: Services
) -> None:
    request_id = _notice(
        app, services, POLICE, "police", "duty-lawyer-requests", scheduled_at="2026-11-24T09:30:00+08:00"
    )
    user = _signed_in(app, "north")

    form = user.get(f"/console/requests/{request_id}").get_data(as_text=True)
    done = user.submit(
        f"/console/requests/{request_id}/appointment",
        LAWYER | {"duty_place": "青岛市第二看守所律师会见室", "duty_time": "2026-11-24T09:30"},
    )
    after = user.get(f"/console/requests/{request_id}").get_data(as_text=True)

    assert 'name="duty_place" type="text" value="青岛市第二看守所律师会见室"' in form
    assert 'name="duty_time" type="datetime-local" value="2026-11-24T09:30"' in form
    assert "<dt>值班时间</dt><dd>2026-11-24 09:30</dd>" in form
    assert done.status_code == 302
    assert '<p id="duty-arranged">值班安排：2026-11-24 09:30，青岛市第二看守所律师会见室</p>' in after


def test_a_late_notice_is_flagged_to_the_clerk_in_chinese(app: Flask, services: Services) -> None:
    # LAL 36: three days from finding the ground; this one was found on Saturday 21 Nov, received Wednesday 25th.
    request_id = _court_notice(app, services, ground_found_at="2026-11-21T10:00:00+08:00")

    page = _signed_in(app, "clerk").get(f"/console/requests/{request_id}").get_data(as_text=True)

    assert '<ul class="flags" id="case-flags"><li>通知晚于发现情形后三日（《法律援助法》第三十六条）</li></ul>' in page
    assert "<dt>发现情形时间</dt><dd>2026-11-21 10:00</dd>" in page
    assert "late_notice" not in page


def test_the_page_to_decide_an_application_shows_what_the_application_says(app: Flask, services: Services) -> None:
    # LAL 39 (applied_at), 41 (the pledge), 42 (exemptions): what the decider weighs, in Chinese.
    request_id = _notice(app, services, POLICE, "police", "application-transfers")

    page = _signed_in(app, "north").get(f"/console/requests/{request_id}").get_data(as_text=True)

    section = page[page.index('id="application"') : page.index('id="h-case"')]
    for label, value in (
        ("申请时间", "2026-11-24 09:15"),
        ("申请理由", "经济困难"),
        ("申请人", "本人"),
        ("申报月收入", "1200.00 元"),
        ("家庭人口", "3 人"),
        ("人均月收入", "400.00 元"),  # 1,200 yuan for a household of three
        ("免予审查情形", "无"),
        ("个人申报承诺", "已签署"),
    ):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in section
    assert "审查决定" in page
