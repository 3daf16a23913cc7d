"""A worker builds the validators' lazy patterns before its first request, not in every thread that serves it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
from marshmallow import validate
from gateway.domain import text
from schemas.dialect import warm_up

def built():
    return text._hidden.cache_info().currsize, len(validate.URL._regex._memoized)

before = built()
warm_up()
print(before, built())
"""


def test_warm_up_builds_the_hidden_character_and_url_patterns() -> None:
    probe = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, check=True)

    assert probe.stdout.split() == ["(0,", "0)", "(1,", "1)"]


def test_the_app_warms_up_when_it_is_made() -> None:
    source = (ROOT / "gateway/app.py").read_text(encoding="utf-8")
    body = source.split("def create_app(", 1)[1]

    assert "\n    warm_up()" in body
