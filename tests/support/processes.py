"""The gateway's processes as an operator runs them (`lagw serve`, `lagw relay`, `lagw deliver`), for tests
that kill and restart them."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.log_guard import check_output
from tests.support.server import free_port


class LagwProcesses:
    """Starts `lagw` commands with one environment; each writes its log to `<log_dir>/<name>.log`."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env}
        self._log_dir = log_dir
        self._running: dict[str, subprocess.Popen[bytes]] = {}
        self.base = ""

    def start(self, name: str, *command: str) -> subprocess.Popen[bytes]:
        """Start `lagw <command>` under `name` (replacing a dead one of that name)."""
        log = (self._log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli.main", *command], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self._running[name] = process
        return process

    def serve(
        self, workers: int = 2, threads: int = 8, scheme: str = "http", verify: str | bool = True, *options: str
    ) -> str:
        """Start gunicorn and wait until it answers; the base URL (`verify`: the CA file for https; `options`:
        more of `lagw serve`'s options)."""
        port = free_port()
        self.start(
            "serve",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            *options,
        )
        self.base = f"{scheme}://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=1, verify=verify).status_code == 200:
                    return self.base
            except requests.RequestException:  # not listening yet, or a worker still booting
                time.sleep(0.1)
        raise AssertionError(f"the gateway did not start; see {self._log_dir / 'serve.log'}")

    def kill(self, name: str) -> None:
        """SIGKILL: no chance to finish the batch or close the connection."""
        process = self._running[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def workers_of(self, name: str) -> list[int]:
        """The pids of a process's children (gunicorn's workers)."""
        pid = self._running[name].pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def alive(self, name: str) -> bool:
        """Whether the named process still runs."""
        return self._running[name].poll() is None

    def stop_all(self) -> None:
        """SIGTERM everything, then SIGKILL what does not stop in time; their logs join the session's leak check."""
        for process in self._running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self._running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for path in sorted(self._log_dir.glob("*.log")):
            check_output(f"lagw {path.stem}", path.read_text(encoding="utf-8", errors="replace"))

    def log_tail(self, name: str, lines: int = 40) -> str:
        """The end of a process's log, for a failure message."""
        path = self._log_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""
