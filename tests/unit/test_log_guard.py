"""The session's log guard finds names and ID numbers however a log line carries them, and fails the session."""

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.domain.resident_id import check_character
from tests.support.log_guard import GUARD, _GuardHandler
from tests.support.personal_data import ROOT, current_matcher, known_values, register

COURT_ID_NUMBER = "370202201003150310"


@pytest.fixture
def marker() -> Iterator[str]:
    """A token put in the test's own log lines; the findings that carry it are taken back afterwards."""
    token = f"guard-self-test-{uuid.uuid4().hex}"
    yield token
    with GUARD._lock:
        GUARD.findings[:] = [line for line in GUARD.findings if token not in line]


@pytest.fixture
def libraries() -> Iterator[None]:
    """Third-party loggers at their defaults for the test (other tests' apps and CLIs set some levels)."""
    names = ("pika", "pika.channel", "gunicorn", "gunicorn.error", "werkzeug", "urllib3")
    saved = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.NOTSET)
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def _findings_with(token: str) -> list[str]:
    with GUARD._lock:
        return [line for line in GUARD.findings if token in line]


def test_the_guard_watches_the_root_logger_at_debug() -> None:
    root = logging.getLogger()

    assert root.level == logging.DEBUG
    assert any(isinstance(handler, _GuardHandler) and handler.level == logging.DEBUG for handler in root.handlers)


def test_the_examples_people_are_known() -> None:
    known = known_values()

    assert {"王小明", COURT_ID_NUMBER, "刘洋", "37028319950130013X", "赵丽", "李建国", "陈志强"} <= known


def test_an_id_number_logged_by_any_library_is_caught_and_masked(marker: str, libraries: None) -> None:
    logging.getLogger("gunicorn.error").debug("%s HTTP Post: <IdNumber>%s</IdNumber>", marker, COURT_ID_NUMBER)
    logging.getLogger("pika.channel").debug("%s body 王小明", marker)

    found = _findings_with(marker)

    assert len(found) == 2
    assert all(COURT_ID_NUMBER not in line and "王小明" not in line for line in found)
    assert "3*****************" in found[0] and "王**" in found[1]


def test_a_name_in_an_access_log_or_json_or_a_traceback_is_caught(marker: str, libraries: None) -> None:
    logging.getLogger("werkzeug").info('%s "GET /console/?q=%%E7%%8E%%8B%%E5%%B0%%8F%%E6%%98%%8E HTTP/1.1" 200', marker)
    logging.getLogger("gateway.x").warning('%s {"name": "\\u738b\\u5c0f\\u660e"}', marker)
    name = "赵" + "丽"  # not written whole here: the traceback quotes this source line
    try:
        raise ValueError(f"bad person {name} {marker}")
    except ValueError:
        logging.getLogger("gateway.y").exception("failed")

    assert len(_findings_with(marker)) == 3


def test_a_valid_id_number_nobody_registered_is_caught(marker: str, libraries: None) -> None:
    unknown = "11010820000101123"
    unknown += check_character(unknown)
    assert unknown not in known_values()

    logging.getLogger("urllib3").debug("%s sent %s", marker, unknown)

    assert len(_findings_with(marker)) == 1


def test_a_registered_name_is_caught_from_then_on(marker: str) -> None:
    name = f"测试人{uuid.uuid4().hex[:6]}"
    assert not current_matcher().find(name)

    register(name)
    logging.getLogger("gateway.z").info("%s %s", marker, name)

    assert len(_findings_with(marker)) == 1


def test_masked_values_and_other_numbers_are_not_findings() -> None:
    matcher = current_matcher()

    for line in (
        "accepted request person=王** id=370*************10",
        f"request {uuid.uuid4()} licence 13702201510234567 digest " + "ab12" * 16,
        "case A3702035000002026110031",
    ):
        assert matcher.find(line) == [], line


@pytest.mark.slow
def test_a_session_that_logs_an_id_number_fails_with_the_line_masked(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_leaky=f"""
        import logging
        from tests.support.log_guard import output_file

        def test_logs_quietly():
            logging.getLogger("gunicorn.error").debug("worker got {COURT_ID_NUMBER}")

        def test_a_child_process_prints():
            with output_file("child") as out:
                out.write("child saw 刘洋\\n".encode())
        """
    )
    monkeypatch.setenv("PYTHONPATH", str(ROOT))

    result = pytester.runpytest_subprocess("-p", "tests.support.log_guard", "-p", "no:cacheprovider")

    output = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "2 passed" in output and "2 line(s) show a name or ID number in clear" in output
    assert "[log gunicorn.error]" in output and "[child]" in output
    assert COURT_ID_NUMBER not in output and "刘洋" not in output


@pytest.mark.slow
def test_a_clean_session_passes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_clean="import logging\n\ndef test_quiet():\n    logging.getLogger('x').debug('nothing')\n")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))

    result = pytester.runpytest_subprocess("-p", "tests.support.log_guard", "-p", "no:cacheprovider")

    assert result.ret == pytest.ExitCode.OK
    assert "personal data in logs: none" in result.stdout.str()


def test_the_plugin_is_registered_for_every_test_directory() -> None:
    conftest = (Path(ROOT) / "tests" / "conftest.py").read_text(encoding="utf-8")

    assert "tests.support.log_guard" in conftest


def test_a_long_line_is_cut_around_its_finding_and_stays_masked(marker: str) -> None:
    logging.getLogger("gateway.w").info("%s<Name>王小明</Name> %s %s", "x" * 2000, marker, "y" * 2000)

    found = _findings_with(marker)

    assert len(found) == 1 and len(found[0]) < 400
    assert "<Name>王**</Name>" in found[0]
