"""Webhooks signed as the Standard Webhooks specification says, checked against its published example and by
the specification's own library, as an agency's receiver would."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from gateway.notify.webhook import SECRET_PREFIX, new_secret, signing_key, standard_headers

# The example of the specification (standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_AT = datetime.fromtimestamp(1614265330, UTC)
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_headers_match_the_specifications_example() -> None:
    headers = standard_headers(SPEC_SECRET, SPEC_ID, SPEC_AT, SPEC_BODY)

    assert headers == {"webhook-id": SPEC_ID, "webhook-timestamp": "1614265330", "webhook-signature": SPEC_SIGNATURE}


def test_the_time_is_signed_as_unix_seconds_whatever_its_offset() -> None:
    from gateway.rules.deadlines import CHINA_TZ

    assert standard_headers(SPEC_SECRET, SPEC_ID, SPEC_AT.astimezone(CHINA_TZ), SPEC_BODY) == standard_headers(
        SPEC_SECRET, SPEC_ID, SPEC_AT, SPEC_BODY
    )


def test_a_receiver_with_a_standard_library_accepts_a_notice_and_refuses_it_altered() -> None:
    secret = new_secret()
    body = json.dumps({"event": "assigned", "request_id": "r-1", "note": "李律师"}, ensure_ascii=False).encode()
    headers = standard_headers(secret, "r-1.assigned.20261203T120000000000", datetime.now(UTC), body)

    assert Webhook(secret).verify(body, headers) == {"event": "assigned", "request_id": "r-1", "note": "李律师"}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"r-1", b"r-2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)  # another agency's secret


def test_a_new_secret_is_32_random_bytes_in_the_standard_form() -> None:
    first, second = new_secret(), new_secret()

    assert first.startswith(SECRET_PREFIX) and first != second
    assert len(base64.b64decode(first.removeprefix(SECRET_PREFIX))) == 32


def test_a_secret_registered_before_the_standard_form_signs_with_its_own_bytes() -> None:
    headers = standard_headers("an-older-secret", SPEC_ID, SPEC_AT, SPEC_BODY)

    mac = hmac.new(b"an-older-secret", f"{SPEC_ID}.1614265330.".encode() + SPEC_BODY, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(mac).decode()


@pytest.mark.parametrize("secret", ["whsec_", "whsec_not*base64!", "whsec_" + base64.b64encode(b"short").decode()])
def test_a_whsec_secret_that_is_not_base64_of_16_bytes_or_more_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="whsec_ secret"):
        signing_key(secret)
