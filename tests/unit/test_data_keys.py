"""The data key ring: the first key seals, every key opens, a ciphertext opens only for its own row."""

import base64
import os

import pytest

from gateway.config import Settings
from gateway.security.data_keys import DataKey, DataKeyError, DataKeyRing, UnreadableData, new_data_key, sealed_key_id

OLD, NEW = f"old:{new_data_key()}", f"new:{new_data_key()}"


def test_a_value_sealed_under_the_old_key_opens_once_a_new_key_leads_the_ring() -> None:
    sealed = DataKeyRing.parse(OLD).seal("王小明".encode(), "requests.canonical:r1")

    ring = DataKeyRing.parse(f"{NEW},{OLD}")

    assert ring.open(sealed, "requests.canonical:r1").decode() == "王小明"
    assert sealed_key_id(sealed) == "old"
    assert sealed_key_id(ring.seal(b"x", "c")) == "new"


def test_a_value_does_not_open_once_its_key_is_removed() -> None:
    sealed = DataKeyRing.parse(f"{OLD},{NEW}").seal(b"secret", "c")

    with pytest.raises(UnreadableData, match="'old'"):
        DataKeyRing.parse(NEW).open(sealed, "c")


def test_a_ciphertext_moved_to_another_row_does_not_open() -> None:
    ring = DataKeyRing.parse(NEW)
    sealed = ring.seal(b"370202201003150310", "requests.canonical:r1")

    with pytest.raises(UnreadableData):
        ring.open(sealed, "requests.canonical:r2")


def test_an_altered_ciphertext_or_key_id_does_not_open() -> None:
    ring = DataKeyRing.parse(f"{NEW},{OLD}")
    sealed = bytearray(ring.seal(b"370202201003150310", "c"))
    flipped = bytes(sealed[:-1]) + bytes([sealed[-1] ^ 1])
    renamed = bytes(sealed).replace(b"new", b"old", 1)

    for altered in (flipped, renamed):
        with pytest.raises(UnreadableData):
            ring.open(altered, "c")


def test_the_same_value_seals_differently_each_time() -> None:
    ring = DataKeyRing.parse(NEW)

    assert ring.seal_text("王小明", "c") != ring.seal_text("王小明", "c")
    assert "王小明" not in ring.seal_text("王小明", "c")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("nocolon", "id:base64key"),
        ("k:not-base64!", "not valid base64"),
        (f"k:{base64.b64encode(os.urandom(16)).decode()}", "32 bytes"),
        (f"{NEW},{NEW}", "twice"),
        (f"bad id:{new_data_key()}", "A-Z"),
    ],
)
def test_a_bad_key_configuration_is_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(DataKeyError, match=message):
        DataKeyRing.parse(text)


def test_keys_never_show_in_a_repr() -> None:
    secret = os.urandom(32)

    assert secret.hex() not in repr(DataKey("k", secret)) and str(secret) not in repr(DataKey("k", secret))
    assert NEW.split(":")[1] not in repr(Settings(data_keys=NEW))


def test_the_development_key_is_used_with_a_warning_when_none_is_set(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env({})

    assert DataKeyRing.parse(settings.data_keys).current_id == "dev"
    assert "LAGW_DATA_KEYS is not set" in caplog.text
    caplog.clear()
    Settings.from_env({"LAGW_DATA_KEYS": NEW})
    assert "LAGW_DATA_KEYS is not set" not in caplog.text
