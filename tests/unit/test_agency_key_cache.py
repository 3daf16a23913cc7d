"""Verified keys are kept a few seconds per process: a rotation elsewhere takes effect once they lapse."""

import time
from pathlib import Path

from devtools.demo import DEMO_AGENCIES
from gateway.security.sealing import KeySealer
from gateway.store.agencies import SqlAgencyRegistry
from gateway.store.engine import make_engine
from gateway.store.migrate import upgrade_store
from tests.support.store import COURT

TTL = 0.3


def _registries(tmp_path: Path) -> tuple[SqlAgencyRegistry, SqlAgencyRegistry]:
    """Two processes' registries on one store: the serving one keeps keys, the operator's CLI rotates."""
    engine = make_engine(f"sqlite:///{tmp_path}/keys.sqlite3")
    upgrade_store(engine)
    sealer = KeySealer("k" * 32)
    return SqlAgencyRegistry(engine, sealer, cache_seconds=TTL), SqlAgencyRegistry(engine, sealer, cache_seconds=TTL)


def test_a_key_rotated_by_another_process_stops_working_once_the_kept_one_lapses(tmp_path: Path) -> None:
    serving, operator = _registries(tmp_path)
    court = next(demo.agency for demo in DEMO_AGENCIES if demo.agency.code == COURT)
    old = operator.add(court)
    assert serving.by_api_key(old) is not None and serving.keys_of(COURT) == [old]

    new = operator.rotate_key(COURT)
    kept = serving.by_api_key(old), serving.keys_of(COURT)
    time.sleep(TTL + 0.1)

    assert kept[0] is not None and kept[0].code == COURT and kept[1] == [old]  # within the TTL: still kept
    assert serving.by_api_key(old) is None
    assert serving.by_api_key(new) is not None
    assert serving.keys_of(COURT) == [new]


def test_a_rotation_in_the_same_process_takes_effect_at_once(tmp_path: Path) -> None:
    serving, _ = _registries(tmp_path)
    court = next(demo.agency for demo in DEMO_AGENCIES if demo.agency.code == COURT)
    old = serving.add(court)
    assert serving.by_api_key(old) is not None

    new = serving.rotate_key(COURT)

    assert serving.by_api_key(old) is None
    assert serving.keys_of(COURT) == [new]


def test_an_agency_not_found_is_not_kept_as_missing(tmp_path: Path) -> None:
    serving, operator = _registries(tmp_path)
    court = next(demo.agency for demo in DEMO_AGENCIES if demo.agency.code == COURT)

    before = serving.keys_of(COURT), serving.by_code(COURT)
    key = operator.add(court)

    assert before == ([], None)
    assert serving.keys_of(COURT) == [key]  # at once, not after the TTL
    assert serving.by_code(COURT) == court
