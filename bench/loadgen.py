"""wrk as the load generator: scripts that send unique notices, a run's figures, and the CPU and memory of the
processes under test read from /proc."""

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Each wrk thread numbers its requests; the body template's __N__ becomes `<run>-<thread>-<n>` and __ID__ one of
# the ID numbers in turn, so every notice is new and they name a few hundred people, as a court's day would.
_SCRIPT = r"""
-- thread_no is a global: setup() sets it in each thread's own Lua state.
local counter, ids, template, path, headers, pace_ms, bodies = 0, {IDS}, {TEMPLATE}, {PATH}, {HEADERS}, {PACE_MS},
  {BODIES}
local threads, next_thread = {}, 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_no", next_thread)
  table.insert(threads, thread)
end
function init(args)
  run = args[1] or "run"
end
function request()
  counter = counter + 1
  if bodies ~= nil then
    local i = (thread_no - 1) * {PER_THREAD} + counter
    return wrk.format("POST", path, headers, bodies[((i - 1) % #bodies) + 1])
  end
  local body = template:gsub("__N__", run .. "-" .. thread_no .. "-" .. counter)
  body = body:gsub("__ID__", ids[(counter % #ids) + 1])
  return wrk.format("POST", path, headers, body)
end
function delay()
  return pace_ms
end
function done(summary, latency, requests)
  local lat = latency
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "status_errors": %d, "socket_errors": %d, "p50_ms": %.3f, ' ..
    '"p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    lat:percentile(50) / 1000, lat:percentile(99) / 1000))
end
"""


@dataclass(frozen=True)
class Load:
    """What one wrk run did."""

    requests: int
    seconds: float
    status_errors: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return self.requests / self.seconds

    @property
    def answered_ok(self) -> int:
        """Requests answered with a 2xx."""
        return self.requests - self.status_errors


def _lua(text: str) -> str:
    """A Lua long string holding `text`."""
    level = "=" * 4
    return f"[{level}[{text}]{level}]"


def write_script(
    path: str,
    headers: dict[str, str],
    template: str = "",
    ids: list[str] | None = None,
    bodies: list[str] | None = None,
    pace_ms: int = 0,
    per_thread: int = 0,
) -> Path:
    """A wrk script posting `template` with fresh numbers (or each of `bodies` once, split among the threads);
    `pace_ms` pauses each connection between requests, for a paced rather than a flat-out load."""
    lua_headers = "{" + ", ".join(f"[ {_lua(k)} ] = {_lua(v)}" for k, v in headers.items()) + "}"
    lua_ids = "{" + ", ".join(_lua(i) for i in (ids or ["-"])) + "}"
    lua_bodies = "nil" if bodies is None else "{" + ", ".join(_lua(b) for b in bodies) + "}"
    script = (
        _SCRIPT.replace("{IDS}", lua_ids)
        .replace("{TEMPLATE}", _lua(template))
        .replace("{PATH}", _lua(path))
        .replace("{HEADERS}", lua_headers)
        .replace("{PACE_MS}", str(pace_ms))
        .replace("{BODIES}", lua_bodies)
        .replace("{PER_THREAD}", str(per_thread))
    )
    handle, name = tempfile.mkstemp(prefix="lagw-bench-", suffix=".lua")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(script)
    return Path(name)


def run_wrk(url: str, script: Path, seconds: float, connections: int = 16, threads: int = 2, run: str = "run") -> Load:
    """Drive `url` with wrk for `seconds`; its summary."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed (scripts/ensure-wrk installs Debian's package)")
    duration = max(1, round(seconds))
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script)]
    done = subprocess.run([*command, url, "--", run], capture_output=True, text=True, timeout=duration + 60)
    line = next((line for line in done.stdout.splitlines() if line.startswith("WRK ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    return Load(**json.loads(line[4:]))


def process_tree(pid: int) -> list[int]:
    """A process and its children (a gunicorn master and its workers)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [pid, *(p for child in children for p in process_tree(int(child)))]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
