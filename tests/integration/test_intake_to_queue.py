"""The whole path on real parts: HTTP → store → relay → RabbitMQ assignment queue."""

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.store.outbox import SqlOutbox
from schemas.canonical import validate_message
from tests.support.broker import drain_queue, queue_depth, url_via
from tests.support.gateway import EXAMPLE_POSTS, LiveGateway, example, running_relay, wait_for
from tests.support.proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]


def _post_all_examples(gateway: LiveGateway) -> dict[str, dict[str, Any]]:
    """Post every example; return gateway id -> its receipt."""
    accepted: dict[str, dict[str, Any]] = {}
    for folder, file_name, path, code in EXAMPLE_POSTS:
        response = gateway.post(path, code, example(folder, file_name))
        assert response.status_code == 202, response.text
        assert response.headers["Location"] == f"/api/v1/requests/{response.json()['id']}"
        accepted |= _by_id(response.json())
    return accepted


def _by_id(receipt: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The receipt by its id, and its companions' (the other persons the document names) by theirs."""
    companions = receipt.get("companions", [])
    return {receipt["id"]: receipt} | {c["id"]: {"kind": receipt["kind"], **c} for c in companions}


def test_every_example_arrives_once_with_its_routing_key_and_a_valid_canonical_body(
    gateway: LiveGateway, amqp_url: str
) -> None:
    accepted = _post_all_examples(gateway)
    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.services.outbox.pending_count() == 0, what="outbox drained")
    messages = drain_queue(amqp_url, ASSIGNMENT_QUEUE)

    assert Counter(props.message_id for _, props, _ in messages) == Counter(list(accepted))
    for method, properties, body in messages:
        receipt = accepted[properties.message_id]
        message = validate_message(body)
        assert method.routing_key == f"{receipt['kind']}.{receipt['centre_code']}"
        assert message["id"] == properties.message_id
        assert properties.delivery_mode == 2
        assert properties.content_type == "application/json"
        assert properties.headers["schema"] == "legalaid.request/1"
        assert properties.correlation_id


def test_routing_follows_the_senders_level_and_district(gateway: LiveGateway) -> None:
    accepted = _post_all_examples(gateway)
    centres = {receipt["kind"] + "@" + receipt["centre_code"] for receipt in accepted.values()}
    # District court 370202, city procuratorate, district police 370203 (shared/domain.md §5).
    assert centres == {
        "notify_defense@lac370202",
        "notify_defense@lac370200",
        "duty_lawyer@lac370200",
        "application_transfer@lac370203",
        "duty_lawyer@lac370203",
        "notify_defense@lac370203",
        "duty_lawyer@lac370202",
        # LAL 38, 39: a court or procuratorate forwarding an application is the handling organ: its own centre.
        "application_transfer@lac370202",
        "application_transfer@lac370200",
    }


def test_a_resend_returns_the_same_id_and_queues_nothing_new(gateway: LiveGateway, amqp_url: str) -> None:
    notice = example("court", "defense-notices.json")
    first = gateway.post("/api/v1/court/defense-notices", "court-370202", notice)
    again = gateway.post("/api/v1/court/defense-notices", "court-370202", notice)

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.services.outbox.pending_count() == 0)
    assert len(drain_queue(amqp_url, ASSIGNMENT_QUEUE)) == 1
    assert gateway.row_counts()["requests"] == 1


def test_a_changed_body_under_the_same_reference_is_a_conflict_that_changes_nothing(gateway: LiveGateway) -> None:
    notice = example("court", "defense-notices.json")
    first = gateway.post("/api/v1/court/defense-notices", "court-370202", notice)
    before = gateway.row_counts()
    notice["charges"] = ["抢劫罪"]
    conflict = gateway.post("/api/v1/court/defense-notices", "court-370202", notice)

    assert conflict.status_code == 409
    assert conflict.headers["Content-Type"] == "application/problem+json"
    assert conflict.json()["type"] == "/problems/reference-conflict"
    assert first.json()["id"] in conflict.json()["detail"]
    assert gateway.row_counts() == before


def test_the_api_accepts_while_the_broker_is_unreachable_and_the_relay_catches_up(
    gateway: LiveGateway, amqp_url: str
) -> None:
    proxy = TcpProxy(("127.0.0.1", 5672), up=False)
    try:
        with running_relay(gateway.services, url_via(amqp_url, proxy.port)):
            accepted = _post_all_examples(gateway)
            assert gateway.services.outbox.pending_count() == len(accepted)
            proxy.up()
            wait_for(lambda: gateway.services.outbox.pending_count() == 0, timeout=30, what="relay catch-up")
    finally:
        proxy.close()
    messages = drain_queue(amqp_url, ASSIGNMENT_QUEUE)
    assert sorted(props.message_id for _, props, _ in messages) == sorted(accepted)


def test_the_relay_survives_the_broker_link_cut_mid_stream(gateway: LiveGateway, amqp_url: str) -> None:
    proxy = TcpProxy(("127.0.0.1", 5672))
    try:
        with running_relay(gateway.services, url_via(amqp_url, proxy.port)):
            first = _post_all_examples(gateway)
            wait_for(lambda: gateway.services.outbox.pending_count() == 0)
            proxy.down()
            second: dict[str, dict[str, Any]] = {}
            for folder, file_name, path, code in EXAMPLE_POSTS:
                body = example(folder, file_name)
                body = _with_new_reference(body)
                response = gateway.post(path, code, body)
                assert response.status_code == 202
                second |= _by_id(response.json())
            proxy.up()
            wait_for(lambda: gateway.services.outbox.pending_count() == 0, timeout=30)
    finally:
        proxy.close()
    ids = Counter(props.message_id for _, props, _ in drain_queue(amqp_url, ASSIGNMENT_QUEUE))
    assert set(ids) == set(first) | set(second)


def test_a_relay_stopped_between_publish_and_mark_republishes_with_the_same_message_id(
    gateway: LiveGateway, amqp_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    accepted = _post_all_examples(gateway)

    class Crash(BaseException):
        """Stands for the process dying: nothing after the publish runs."""

    def crash_before_marking(self: SqlOutbox, *args: object) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(SqlOutbox, "_record", crash_before_marking)
        from gateway.messaging.publisher import ConfirmedPublisher
        from gateway.messaging.relay import Relay

        with pytest.raises(Crash):
            Relay(gateway.services.outbox, lambda: ConfirmedPublisher(amqp_url)).drain()
    assert gateway.services.outbox.pending_count() == len(accepted)
    assert queue_depth(amqp_url, ASSIGNMENT_QUEUE) == len(accepted)

    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.services.outbox.pending_count() == 0)
    ids = Counter(props.message_id for _, props, _ in drain_queue(amqp_url, ASSIGNMENT_QUEUE))
    assert ids == Counter(dict.fromkeys(accepted, 2))  # re-published, never lost
    assert {_message_states(gateway, request_id) for request_id in accepted} == {"queued"}


def test_status_shows_the_request_to_its_sender_only(gateway: LiveGateway, amqp_url: str) -> None:
    receipt = gateway.post("/api/v1/court/defense-notices", "court-370202", example("court", "defense-notices.json"))
    location = receipt.headers["Location"]
    assert gateway.get(location, "court-370202").json()["state"] == "received"
    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.get(location, "court-370202").json()["state"] == "queued")

    status = gateway.get(location, "court-370202").json()
    assert status["reference"] == "（2026）鲁0202刑初318号-通知辩护"
    assert status["deadline"]["basis"] == "LAL 36"
    assert [entry["event"] for entry in status["history"]] == ["received", "queued"]
    other = gateway.get(location, "police-370203")
    assert other.status_code == 404
    assert other.json()["type"] == "/problems/request-not-found"


def test_readiness_reports_store_and_broker(gateway: LiveGateway, tmp_path: Path) -> None:
    import requests

    assert requests.get(gateway.base + "/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(gateway.base + "/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json()["checks"]["broker"]["ok"] is True


def test_readiness_fails_when_the_broker_is_unreachable(tmp_path: Path) -> None:
    import requests

    from tests.support.gateway import running_gateway

    proxy = TcpProxy(("127.0.0.1", 5672), up=False)
    proxy.close()
    with running_gateway(tmp_path, f"amqp://guest:guest@127.0.0.1:{proxy.port}/%2F") as down:
        ready = requests.get(down.base + "/readyz", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["checks"]["broker"]["ok"] is False
    assert ready.json()["checks"]["store"]["ok"] is True


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("amqp://guest:not-the-password@127.0.0.1:5672/%2F", "refused the user name or password"),
        ("amqp://guest:guest@127.0.0.1:5672/lagw-no-such-vhost", "may not open this virtual host"),
    ],
    ids=["wrong password", "missing vhost"],
)
def test_readiness_fails_when_the_broker_refuses_the_login_or_the_vhost(tmp_path: Path, url: str, said: str) -> None:
    import requests

    from tests.support.gateway import running_gateway

    with running_gateway(tmp_path, url) as refused:
        ready = requests.get(refused.base + "/readyz", timeout=15)

    assert ready.status_code == 503
    broker = ready.json()["checks"]["broker"]
    assert broker["ok"] is False and said in broker["error"]


def test_the_openapi_document_lists_every_resource_with_examples(gateway: LiveGateway) -> None:
    import requests

    spec = requests.get(gateway.base + "/api/v1/openapi.json", timeout=5).json()
    assert spec["openapi"].startswith("3.")
    for _, _, path, _ in EXAMPLE_POSTS:
        body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body.get("example"), path
    assert "/api/v1/requests/{request_id}" in spec["paths"]


def _with_new_reference(body: dict) -> dict:  # type: ignore[type-arg]
    for key in ("notice_number", "document_number", "transfer_number", "request_number"):
        if key in body:
            body[key] = body[key] + "-2"
    return body


def _message_states(gateway: LiveGateway, request_id: str) -> str:
    stored = gateway.services.requests.get(request_id)
    assert stored is not None
    return stored.state.value
