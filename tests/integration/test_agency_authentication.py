"""Agencies authenticate beyond a bearer key: mutual TLS under gunicorn, and requests signed by RFC 9421 with a
replay window; keys and certificates rotate without a restart."""

import gzip
import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver, algorithms

from adapters.court.schemas import CourtDefenseNoticeSchema
from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES
from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.web.soap.envelope import SOAP11
from tests.support.certificates import Issued, TestAuthority
from tests.support.gateway import EXAMPLE_POSTS, LiveGateway, example, running_gateway
from tests.support.postgres import fresh_database
from tests.support.processes import LagwProcesses
from tests.support.soap import fault_of, sample_envelope, soap_client, zeep_arguments

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

FOLDER, FILE_NAME, PATH, COURT = EXAMPLE_POSTS[0]
PROC = "proc-370200"


def _notice(n: int | str) -> bytes:
    body = example(FOLDER, FILE_NAME)
    body["notice_number"] = f"{body['notice_number']}-auth-{n}"
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class _AgencyKey(HTTPSignatureKeyResolver):
    """How an agency's client hands its API key to the library."""

    def __init__(self, key: str) -> None:
        self.key = key.encode("utf-8")

    def resolve_private_key(self, key_id: str) -> bytes:
        return self.key

    def resolve_public_key(self, key_id: str) -> bytes:
        return self.key


def _signed(
    gateway: LiveGateway, key: str, body: bytes, *, created: datetime | None = None, nonce: str | None = None
) -> requests.PreparedRequest:
    """A notice signed as an agency's Python client signs it: requests and the RFC 9421 library, nothing of ours."""
    prepared = requests.Request(
        "POST", gateway.base + PATH, data=body, headers={"Content-Type": "application/json"}
    ).prepare()
    HTTPMessageSigner(signature_algorithm=algorithms.HMAC_SHA256, key_resolver=_AgencyKey(key)).sign(
        prepared,
        key_id=COURT,
        created=created or datetime.now(UTC),
        nonce=nonce or secrets.token_urlsafe(16),
        label="sig",
        covered_component_ids=("@method", "@path", "@query"),
        body=body,  # adds Content-Digest and covers it
    )
    return prepared


def _send(prepared: requests.PreparedRequest) -> requests.Response:
    with requests.Session() as session:
        return session.send(prepared, timeout=10)


def _signed_post(
    gateway: LiveGateway, key: str, body: bytes, *, created: datetime | None = None, nonce: str | None = None
) -> requests.Response:
    return _send(_signed(gateway, key, body, created=created, nonce=nonce))


@pytest.fixture
def gateway(tmp_path: Path, amqp_url: str) -> Iterator[LiveGateway]:
    with running_gateway(tmp_path, amqp_url) as running:
        yield running


def test_a_signed_request_is_accepted_and_the_key_never_travels(gateway: LiveGateway) -> None:
    response = _signed_post(gateway, gateway.keys[COURT], _notice(1))

    assert response.status_code == 202, response.text
    assert "Authorization" not in response.request.headers
    assert all(gateway.keys[COURT] not in value for value in response.request.headers.values())


def test_a_tampered_body_a_wrong_key_a_stale_timestamp_and_a_replay_are_refused(gateway: LiveGateway) -> None:
    key = gateway.keys[COURT]
    before = gateway.row_counts()
    body = _notice(2)
    tampered_request = _signed(gateway, key, body)
    tampered_request.body = body.replace(b"\xe7\x8e\x8b", b"\xe6\x9d\x8e")  # 王 -> 李: another person
    tampered = _send(tampered_request)
    wrong_key = _signed_post(gateway, gateway.keys["proc-370200"], body)
    stale = _signed_post(gateway, key, body, created=datetime.now(UTC) - timedelta(hours=1))
    counts_after_refusals = gateway.row_counts()
    nonce = secrets.token_urlsafe(16)
    first = _signed_post(gateway, key, body, nonce=nonce)
    replay = _signed_post(gateway, key, _notice(3), nonce=nonce)

    refused = {"tampered": tampered, "wrong key": wrong_key, "stale": stale, "replay": replay}
    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 401)
    assert stale.json()["code"] == "stale-security-token" or "created" in stale.json()["detail"]
    assert "replayed" in replay.json()["detail"]
    assert counts_after_refusals == before
    assert first.status_code == 202


@pytest.mark.parametrize(
    "headers",
    [
        {"Signature-Input": "sig=(", "Signature": "sig=:AAAA:"},
        {"Signature-Input": 'sig=("@method");created=1;nonce="aaaaaaaaaaaaaaaaaa"', "Signature": "sig=:AAAA:"},
        {"Signature-Input": 'sig=("@method");created=1;keyid="nobody";nonce="aaaaaaaaaaaaaaaaaa"', "Signature": ""},
        {"Signature-Input": "sig=(\u00e9)", "Signature": "sig=:\u00e9\u00e9:"},
        {"Signature": "sig=:AAAA:"},
    ],
    ids=["not a structured field", "no keyid", "unknown agency", "non-ascii", "no signature input"],
)
def test_a_malformed_signature_is_a_401_not_a_500(gateway: LiveGateway, headers: dict[str, str]) -> None:
    latin1 = {name: value.encode().decode("latin-1") for name, value in headers.items()}
    response = requests.post(
        gateway.base + PATH,
        data=_notice("bad-header"),
        headers=latin1 | {"Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 401, response.text
    assert response.json()["code"] == "unauthenticated"


def test_a_signature_that_leaves_out_the_body_is_refused(gateway: LiveGateway) -> None:
    body = _notice("uncovered")
    prepared = requests.Request(
        "POST", gateway.base + PATH, data=body, headers={"Content-Type": "application/json"}
    ).prepare()
    HTTPMessageSigner(signature_algorithm=algorithms.HMAC_SHA256, key_resolver=_AgencyKey(gateway.keys[COURT])).sign(
        prepared, key_id=COURT, nonce=secrets.token_urlsafe(16), label="sig", covered_component_ids=("@method", "@path")
    )

    response = _send(prepared)

    assert response.status_code == 401
    assert "must cover" in response.json()["detail"]


def test_a_rotated_key_keeps_working_through_its_grace_and_then_stops(gateway: LiveGateway) -> None:
    old = gateway.keys[COURT]
    registry = gateway.services.agencies
    new = registry.rotate_key(COURT, grace=timedelta(hours=1))
    _, soap_with_old_key, _ = soap_client(gateway.base, "court", COURT, old, digest=True)
    notice = json.loads(_notice("soap-grace"))
    soap_receipt = soap_with_old_key.NotifyDefense(**zeep_arguments(CourtDefenseNoticeSchema(), notice))

    old_during_grace = gateway.post(PATH, None, data=_notice(4), headers=_bearer(old))
    signed_with_old = _signed_post(gateway, old, _notice(5))
    new_key = gateway.post(PATH, None, data=_notice(6), headers=_bearer(new))
    newest = registry.rotate_key(COURT)  # no grace: only the newest key works from now on
    after = [
        gateway.post(PATH, None, data=_notice(7 + n), headers=_bearer(k)) for n, k in enumerate((old, new, newest))
    ]

    assert [old_during_grace.status_code, signed_with_old.status_code, new_key.status_code] == [202, 202, 202]
    assert soap_receipt.Created is True  # a WS-Security PasswordDigest made with the old key, in its grace
    assert [response.status_code for response in after] == [401, 401, 202]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


@dataclass
class TlsGateway:
    base: str
    authority: TestAuthority
    env: dict[str, str]
    keys: dict[str, str]

    def post(self, body: bytes, client: Issued | None = None, headers: dict[str, str] | None = None) -> Any:
        return requests.post(
            self.base + PATH,
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
            cert=(str(client.cert), str(client.key)) if client else None,
            verify=str(self.authority.ca_file),
            timeout=15,
        )

    def lagw(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gateway.cli.main", "agency", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.fixture
def tls_gateway(tmp_path: Path, amqp_url: str) -> Iterator[TlsGateway]:
    authority = TestAuthority(tmp_path)
    server = authority.server()
    with fresh_database() as database_url:
        env = {
            "LAGW_DATABASE_URL": database_url,
            "LAGW_AMQP_URL": amqp_url,
            "LAGW_CREDENTIAL_KEY": "tls-test-credential-key",
            "LAGW_TLS_CERTFILE": str(server.cert),
            "LAGW_TLS_KEYFILE": str(server.key),
            "LAGW_TLS_CLIENT_CA": str(authority.ca_file),
        }
        services = build_services(Settings.from_env(env))
        keys = {demo.agency.code: services.agencies.add(demo.agency) for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)}
        services.engine.dispose()
        processes = LagwProcesses(env, tmp_path)
        try:
            base = processes.serve(workers=1, threads=4, scheme="https", verify=str(authority.ca_file))
            yield TlsGateway(base, authority, processes.env, keys)
        finally:
            processes.stop_all()


def test_mutual_tls_identifies_the_agency_by_its_registered_certificate(tls_gateway: TlsGateway) -> None:
    court_2026 = tls_gateway.authority.client("court-2026")
    stranger = tls_gateway.authority.client("stranger")
    added = tls_gateway.lagw("add-cert", "--code", COURT, "--cert", str(court_2026.cert))

    by_certificate = tls_gateway.post(_notice("tls-1"), court_2026)
    unregistered = tls_gateway.post(_notice("tls-2"), stranger)
    bearer_without_certificate = tls_gateway.post(
        _notice("tls-3"), headers={"Authorization": f"Bearer {tls_gateway.keys[COURT]}"}
    )
    certificate_and_another_agencys_key = tls_gateway.post(
        _notice("tls-4"), court_2026, {"Authorization": f"Bearer {tls_gateway.keys['proc-370200']}"}
    )

    assert added.returncode == 0, added.stderr
    assert by_certificate.status_code == 202, by_certificate.text
    assert by_certificate.json()["centre_code"] == "lac370202"
    assert unregistered.status_code == 401 and "not registered" in unregistered.json()["detail"]
    assert bearer_without_certificate.status_code == 202
    assert certificate_and_another_agencys_key.status_code == 401


def test_soap_refuses_a_certificate_of_another_agency_than_its_token(tls_gateway: TlsGateway) -> None:
    court_certificate = tls_gateway.authority.client("court-soap")
    tls_gateway.lagw("add-cert", "--code", COURT, "--cert", str(court_certificate.cert))
    envelope = sample_envelope("procuratorate", "NotifyDefense", SOAP11, PROC, tls_gateway.keys[PROC])

    def post(client: Issued | None) -> Any:
        return requests.post(
            tls_gateway.base + "/soap/procuratorate",
            data=envelope,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            cert=(str(client.cert), str(client.key)) if client else None,
            verify=str(tls_gateway.authority.ca_file),
            timeout=15,
        )

    mismatched = post(court_certificate)
    token_alone = post(None)

    assert fault_of(mismatched)["code"] == "unauthenticated"
    assert token_alone.status_code == 200, token_alone.text  # the token alone still authenticates
    assert b"NotifyDefenseResponse" in token_alone.content


def test_a_certificate_is_rotated_without_restarting_the_gateway(tls_gateway: TlsGateway) -> None:
    old, new = tls_gateway.authority.client("court-old"), tls_gateway.authority.client("court-new")
    tls_gateway.lagw("add-cert", "--code", COURT, "--cert", str(old.cert))
    tls_gateway.lagw("add-cert", "--code", COURT, "--cert", str(new.cert))

    both = [tls_gateway.post(_notice(f"rot-{n}"), cert).status_code for n, cert in enumerate((old, new))]
    listed = tls_gateway.lagw("certs", "--code", COURT).stdout.splitlines()
    old_fingerprint = next(line.split("\t")[0] for line in listed if "court-old" in line)
    removed = tls_gateway.lagw("remove-cert", "--fingerprint", old_fingerprint)
    after = [tls_gateway.post(_notice(f"rot-after-{n}"), cert).status_code for n, cert in enumerate((old, new))]

    assert both == [202, 202]
    assert removed.returncode == 0, removed.stderr
    assert after == [401, 202]


def test_a_client_clock_a_minute_fast_is_inside_the_window_and_an_hour_fast_is_stale(gateway: LiveGateway) -> None:
    key = gateway.keys[COURT]

    a_minute = _signed_post(gateway, key, _notice("fast-1m"), created=datetime.now(UTC) + timedelta(minutes=1))
    an_hour = _signed_post(gateway, key, _notice("fast-1h"), created=datetime.now(UTC) + timedelta(hours=1))

    assert a_minute.status_code == 202, a_minute.text
    assert (an_hour.status_code, an_hour.json()["code"]) == (401, "stale-security-token")


def test_a_signed_gzip_body_is_checked_against_the_bytes_as_sent(gateway: LiveGateway) -> None:
    compressed = gzip.compress(_notice("gzip"))
    prepared = requests.Request(
        "POST",
        gateway.base + PATH,
        data=compressed,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    ).prepare()
    HTTPMessageSigner(signature_algorithm=algorithms.HMAC_SHA256, key_resolver=_AgencyKey(gateway.keys[COURT])).sign(
        prepared,
        key_id=COURT,
        nonce=secrets.token_urlsafe(16),
        label="sig",
        covered_component_ids=("@method", "@path", "@query", "content-encoding"),
        body=compressed,
    )

    response = _send(prepared)

    assert response.status_code == 202, response.text
