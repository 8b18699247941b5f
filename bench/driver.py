"""The HTTP driver of the load benchmark: aiohttp on one event loop, open-loop schedules, and latency measured from
each request's intended send time, so a slow server shows as latency instead of quietly lowering the offered rate
(coordinated omission). Each phase has a Recorder; a monitor samples the server's memory and CPU during it."""

from __future__ import annotations

import asyncio
import gc
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.figures import latency_summary
from bench.servers import Server, cpu_seconds_by_process

MIB = 1024 * 1024
REQUEST_TIMEOUT_SECONDS = 30
KEEP_ALIVE_SECONDS = 3
MONITOR_SECONDS = 0.25
SCHEDULER_TICK_SECONDS = 0.001
TIMELINE_SECONDS = 10


@dataclass
class Recorder:
    """One phase: latencies of the requests that got the expected answer, and every other outcome by kind."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    intended: list[float] = field(default_factory=list)  # each answered request's intended send time
    errors: Counter[str] = field(default_factory=Counter)
    started: float = math.inf
    ended: float = 0.0
    peak_rss_bytes: int = 0
    server_cpu_seconds: float = math.nan  # measured for a phase's main recorder only
    server_cpu_seconds_by_process: list[float] = field(default_factory=list)  # the busiest first
    driver_cpu_seconds: float = math.nan

    def begin(self, at: float) -> None:
        self.started = min(self.started, at)

    def ok(self, intended: float, done: float) -> None:
        self.latencies_ms.append((done - intended) * 1000)
        self.intended.append(intended)
        self.ended = max(self.ended, done)

    def fail(self, kind: str, done: float) -> None:
        self.errors[kind] += 1
        self.ended = max(self.ended, done)

    @property
    def count(self) -> int:
        return len(self.latencies_ms) + sum(self.errors.values())

    @property
    def seconds(self) -> float:
        return max(self.ended - self.started, 1e-9) if self.count else 0.0

    def summary(self) -> dict[str, Any]:
        seconds = self.seconds
        return {
            "requests": self.count,
            "ok": len(self.latencies_ms),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors.most_common()),
            "seconds": round(seconds, 2),
            "requests_per_s": round(self.count / seconds, 1) if seconds else 0.0,
            **{key: value for key, value in latency_summary(self.latencies_ms).items() if key != "n"},
            "server_peak_rss_mib": round(self.peak_rss_bytes / MIB, 1),
            "server_cpu_cores": _per_second(self.server_cpu_seconds, seconds),
            "server_cpu_ms_per_request": None
            if math.isnan(self.server_cpu_seconds) or not self.count
            else round(self.server_cpu_seconds * 1000 / self.count, 3),
            "server_cpu_cores_by_process": [_per_second(used, seconds) for used in self.server_cpu_seconds_by_process],
            "driver_cpu_cores": _per_second(self.driver_cpu_seconds, seconds),
            "timeline": self.timeline(),
        }

    def timeline(self) -> list[dict[str, float]]:
        """Latency by TIMELINE_SECONDS window of intended send time: a queue that forms and drains shows here,
        a steady cost does not."""
        if not self.intended:
            return []
        windows: dict[int, list[float]] = {}
        for intended, latency in zip(self.intended, self.latencies_ms, strict=True):
            windows.setdefault(int((intended - self.started) // TIMELINE_SECONDS), []).append(latency)
        return [
            {"from_s": index * TIMELINE_SECONDS, **latency_summary(latencies)}
            for index, latencies in sorted(windows.items())
        ]


def _per_second(total: float, seconds: float) -> float | None:
    return None if math.isnan(total) or not seconds else round(total / seconds, 2)


class Driver:
    """One HTTP client pool against one server, and the monitor of that server's process tree."""

    def __init__(self, server: Server, *, connections: int) -> None:
        self.server = server
        self.base = server.base_url
        self._connections = connections
        self._http: aiohttp.ClientSession | None = None
        self._active: list[Recorder] = []
        self._monitor: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Driver:
        self._http = aiohttp.ClientSession(
            # Idle connections are closed before uvicorn's 5 s keep-alive timeout does it, or a request sent just
            # as the server closes would fail as a reset (browsers retry those; a PUT here would not).
            connector=aiohttp.TCPConnector(
                limit=self._connections, limit_per_host=self._connections, keepalive_timeout=KEEP_ALIVE_SECONDS
            ),
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        self._monitor = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._monitor:
            self._monitor.cancel()
        if self._http:
            await self._http.close()

    @staticmethod
    def now() -> float:
        return time.monotonic()

    async def _watch(self) -> None:
        while True:
            rss = await asyncio.to_thread(self.server.sample_rss)
            for recorder in self._active:
                recorder.peak_rss_bytes = max(recorder.peak_rss_bytes, rss)
            await asyncio.sleep(MONITOR_SECONDS)

    async def phase(self, recorder: Recorder, work: Awaitable[Any], *also: Recorder) -> Recorder:
        """Run one phase's work while sampling the server for it (its memory for `also`, the phase's other
        recorders, too)."""
        watched = [recorder, *also]
        self._active += watched
        # The driver's own collector would stop its event loop for up to 0.5 s at 10,000 candidates (full passes
        # over their coroutines and connections, which find next to no garbage), and that stop would show as the
        # server's latency: it runs between phases instead.
        collecting = gc.isenabled()
        gc.collect()
        gc.disable()
        server_cpu, driver_cpu = cpu_seconds_by_process(self.server.process.pid), time.process_time()
        rss = self.server.sample_rss()
        for one in watched:
            one.peak_rss_bytes = max(one.peak_rss_bytes, rss)
        try:
            await work
        finally:
            if collecting:
                gc.enable()
            for one in watched:
                self._active.remove(one)
            used = cpu_seconds_by_process(self.server.process.pid)
            by_process = [seconds - server_cpu.get(pid, 0.0) for pid, seconds in used.items()]
            recorder.server_cpu_seconds = sum(by_process)
            recorder.server_cpu_seconds_by_process = sorted(by_process, reverse=True)
            recorder.driver_cpu_seconds = time.process_time() - driver_cpu
        return recorder

    async def request(
        self,
        recorder: Recorder,
        method: str,
        path: str,
        intended: float,
        *,
        expect: tuple[int, ...] = (200,),
        headers: dict[str, str] | None = None,
        json: Any = None,
    ) -> bytes | None:
        """Send one request no earlier than `intended`; its latency counts from `intended`. Returns the body of an
        expected answer, None otherwise (the recorder has the reason)."""
        assert self._http is not None
        delay = intended - self.now()
        if delay > 0:
            await asyncio.sleep(delay)
        recorder.begin(intended)
        try:
            async with self._http.request(method, self.base + path, headers=headers, json=json) as response:
                body = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            recorder.fail(type(error).__name__, self.now())
            return None
        except asyncio.CancelledError:
            recorder.fail("no_answer", self.now())
            raise
        done = self.now()
        if status in expect:
            recorder.ok(intended, done)
            return body
        recorder.fail(f"http_{status}", done)
        return None


async def open_loop(rate: float, seconds: float, send: Callable[[int, float], Coroutine[Any, Any, Any]]) -> int:
    """Start `send(n, intended)` at a constant rate whatever the answers do; returns how many were started.
    Requests still running a little after their own timeout are cancelled (counted as never answered)."""
    total = max(1, round(rate * seconds))
    began = time.monotonic()
    tasks: list[asyncio.Task[Any]] = []
    started = 0
    while started < total:
        due = min(total, int((time.monotonic() - began) * rate) + 1)
        for n in range(started, due):
            tasks.append(asyncio.create_task(send(n, began + n / rate)))
        started = due
        await asyncio.sleep(SCHEDULER_TICK_SECONDS)
    if tasks:
        _done, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT_SECONDS + 5)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    return total
