"""A pytest plugin: no log line of the whole session may show a name or ID number in clear.

A handler on the root logger at DEBUG sees every record any logger emits (the gateway's, werkzeug,
gunicorn, pika, zeep, urllib3 …), formatted with its traceback; the output of subprocesses the tests
start is checked through `output_file` or `check_output`. At the end the session fails, listing the
offending lines with the personal data masked.
"""

import logging
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from tests.support.personal_data import LeakMatcher, current_matcher

_FORMAT = "%(levelname)s %(name)s: %(message)s"
_MAX_SHOWN = 50
_WINDOW = 120


@dataclass
class LeakGuard:
    """Collects the lines that show personal data, masked; counts what it checked."""

    findings: list[str] = field(default_factory=list)
    lines_checked: int = 0
    _files: list[tuple[str, Path]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, source: str, text: str) -> list[str]:
        """Check every line of `text`; the offending ones (masked) are kept and returned."""
        matcher = current_matcher()
        found = [f"[{source}] {_excerpt(line, matcher)}" for line in text.splitlines() if matcher.find(line)]
        with self._lock:
            self.lines_checked += text.count("\n") + 1
            self.findings.extend(found)
        return found

    def output_file(self, label: str) -> IO[bytes]:
        """A file to pass as a subprocess's stdout or stderr; it is checked when the session ends."""
        handle = tempfile.NamedTemporaryFile(prefix=f"lagw-{label}-", suffix=".log", delete=False)
        with self._lock:
            self._files.append((label, Path(handle.name)))
        return handle

    def check_files(self) -> None:
        """Check (and remove) the subprocess output files handed out so far."""
        with self._lock:
            files, self._files = self._files, []
        for label, path in files:
            self.check(label, path.read_text(encoding="utf-8", errors="replace"))
            path.unlink(missing_ok=True)


class _GuardHandler(logging.Handler):
    """Formats every record (message and traceback) and hands it to the guard."""

    def __init__(self, guard: LeakGuard) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter(_FORMAT))
        self._guard = guard

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._guard.check(f"log {record.name}", self.format(record))
        except Exception:  # a record that cannot be formatted is reported as logging does
            self.handleError(record)


def _excerpt(line: str, matcher: LeakMatcher) -> str:
    """The line masked, cut to a window around its first finding (masking keeps every position)."""
    masked = matcher.mask(line)
    if len(masked) <= 2 * _WINDOW:
        return masked
    at = line.find(matcher.find(line)[0])
    start = max(at - _WINDOW, 0)
    return ("…" if start else "") + masked[start : start + 2 * _WINDOW] + "…"


GUARD = LeakGuard()
_HANDLER = _GuardHandler(GUARD)


def check_output(source: str, text: str) -> list[str]:
    """Check a subprocess's captured output now; the offending lines also fail the session."""
    return GUARD.check(source, text)


def output_file(label: str) -> IO[bytes]:
    """A file for a subprocess's output, checked at the end of the session."""
    return GUARD.output_file(label)


def pytest_configure(config: pytest.Config) -> None:
    """Watch every log record from the start of the session."""
    root = logging.getLogger()
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    root.setLevel(logging.DEBUG)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session when any line showed personal data."""
    GUARD.check_files()
    if GUARD.findings and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List the offending lines, masked."""
    if not GUARD.findings:
        terminalreporter.write_line(f"personal data in logs: none in {GUARD.lines_checked} line(s) checked")
        return
    terminalreporter.section("personal data in logs", sep="=", red=True, bold=True)
    for line in GUARD.findings[:_MAX_SHOWN]:
        terminalreporter.write_line(line)
    if len(GUARD.findings) > _MAX_SHOWN:
        terminalreporter.write_line(f"… and {len(GUARD.findings) - _MAX_SHOWN} more")
    terminalreporter.write_line(f"{len(GUARD.findings)} line(s) show a name or ID number in clear: the session fails")
