"""Server processes for the load benchmark: the engine and the baselines, each a real uvicorn process started with
the same settings, and the memory they use (read from /proc, summed over the process and its workers)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from examengine.settings import PROJECT_ROOT

STARTUP_SECONDS = 60


def uvicorn_command(app: str, port: int, workers: int) -> list[str]:
    """The same for the engine and the baselines: uvloop, httptools, no access log (a log line per request would
    be measured as well, and production servers log at the proxy), and no uvicorn proxy headers (the engine reads
    forwarded headers itself, from the proxies it trusts: examengine serve and the Procfile switch uvicorn's off)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--no-proxy-headers",
        "--log-level",
        "warning",
        "--backlog",
        "4096",
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found += [int(child) for child in listing.read().split()]
    except OSError:
        return []
    return found


def _status_kib(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pids(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue += _children(current)
    return pids


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (uvicorn's workers) right now."""
    return sum(_status_kib(p, "VmRSS") for p in tree_pids(pid)) * 1024


def tree_cpu_seconds(pid: int) -> float:
    """User and system CPU time used so far by a process and its live descendants."""
    return sum(cpu_seconds_by_process(pid).values())


def cpu_seconds_by_process(pid: int) -> dict[int, float]:
    """User and system CPU time used so far by each of a process and its live descendants (uvicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            used[p] = (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return used


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    log: IO[bytes]
    peak_rss_bytes: int = 0

    def sample_rss(self) -> int:
        now = tree_rss_bytes(self.process.pid)
        self.peak_rss_bytes = max(self.peak_rss_bytes, now)
        return now

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server; its log stays (the report names it), for the story behind any 500 or reset."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def start(name: str, app: str, env: dict[str, str], *, workers: int = 1, log_dir: Path | None = None) -> Server:
    """Start `app` under uvicorn and wait until /healthz answers; raises RuntimeError with the server's log. The
    log goes to a new file in `log_dir` (the temporary directory by default)."""
    port = free_port()
    descriptor, log_name = tempfile.mkstemp(prefix=f"examengine-bench-{name}-", suffix=".log", dir=log_dir)
    log, log_path = os.fdopen(descriptor, "wb"), Path(log_name)
    process = subprocess.Popen(
        uvicorn_command(app, port, workers),
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(name, process, f"http://127.0.0.1:{port}", log_path, log)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(f"the {name} server exited during start-up ({log_path}):\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the {name} server did not answer /healthz within {STARTUP_SECONDS} s:\n{server.log_tail()}")


def start_baseline(env: dict[str, str], database_url: str, page_bytes: int, *, workers: int) -> Server:
    """The bare endpoints of bench/baseline.py on `database_url`, with a page of `page_bytes` (the item page's)."""
    return start(
        "baseline",
        "bench.baseline:app",
        {**env, "DATABASE_URL": database_url, "BENCH_PAGE_BYTES": str(page_bytes)},
        workers=workers,
    )
