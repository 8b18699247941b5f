"""The load benchmark's live stream phase: every open exam page holds GET /candidate/attempts/{id}/events open (as
static/live.js does where EventSource works) instead of polling.

1. opening: the streams are opened at STREAMS_OPENING_PER_S, each until its first message (the full state);
2. quiet: the streams are held for --live-seconds with nothing happening (the hub's feed read once a second, a ping
   and a batch re-check of the sessions every 20 s): the channel's own cost;
3. active: for another --live-seconds a proctor sends a message to ACTIONS_PER_S attempts a second (through the API),
   and each message's arrival on its stream is timed from the moment the action was sent.

Server CPU over the quiet window (from /proc) / open streams / seconds is the cost of one open page a second;
projected to 10,000 open pages it is a share of one core, against the issue's target of 10 % (linear in the pages,
which overstates it: the feed's read once a second is the same for 10 pages or 10,000). The active window's extra
CPU (the proctor's requests and the pushes they cause, the same whatever the number of pages) is added to it for the
projection with a proctor at work.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
from sqlmodel import Session

from bench.driver import MIB, Driver
from bench.figures import latency_summary
from bench.phases import Sitter
from bench.servers import tree_cpu_seconds
from examengine.accounts import service as accounts
from examengine.accounts.credentials import issue
from examengine.accounts.models import CredentialKind
from examengine.db import Database

STREAMS_OPENING_PER_S = 200
ACTIONS_PER_S = 4
FIRST_MESSAGE_SECONDS = 60
MARK = "bench-"


@dataclass
class StreamFigures:
    opened: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    dropped: int = 0
    pings: int = 0
    messages: int = 0
    sent: dict[str, float] = field(default_factory=dict)  # message -> when its action was sent
    latencies_ms: list[float] = field(default_factory=list)
    action_errors: int = 0


async def _hold(
    http: aiohttp.ClientSession, base: str, sitter: Sitter, figures: StreamFigures, first: asyncio.Event
) -> None:
    try:
        async with http.get(f"{base}/candidate/attempts/{sitter.attempt_id}/events", headers=sitter.browser) as answer:
            if answer.status != 200:
                key = f"http_{answer.status}"
                figures.refused[key] = figures.refused.get(key, 0) + 1
                return
            figures.opened += 1
            kind = "message"
            async for raw in answer.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    if kind == "ping":
                        figures.pings += 1
                    else:
                        figures.messages += 1
                        _arrived(figures, json.loads(line[6:]))
                        first.set()
                    kind = "message"
    except (aiohttp.ClientError, TimeoutError):
        figures.dropped += 1
    finally:
        first.set()


def _arrived(figures: StreamFigures, state: dict[str, Any]) -> None:
    message = (state.get("announcement") or {}).get("message", "")
    sent = figures.sent.pop(message, None) if message.startswith(MARK) else None
    if sent is not None:
        figures.latencies_ms.append((time.monotonic() - sent) * 1000)


def proctor_headers(db: Database, email: str) -> dict[str, str]:
    """An API token for the run's proctor (seeded without a password), as a proctor's client would hold."""

    def issue_token(*, session: Session) -> str:
        user_id = accounts.find_user_id_by_email(session=session, email=email)
        if user_id is None:
            raise RuntimeError(f"the benchmark's proctor {email} is not there")
        return issue(session=session, user_id=user_id, kind=CredentialKind.API, lifetime=timedelta(hours=2)).token

    return {"Authorization": f"Bearer {db.call(issue_token)}"}


async def _act(
    driver: Driver, proctor: dict[str, str], running: Sequence[Sitter], figures: StreamFigures, n: int
) -> None:
    assert driver._http is not None
    sitter = running[n % len(running)]  # a few a second, each attempt at most once in a feed round
    message = f"{MARK}{n}"
    figures.sent[message] = time.monotonic()
    try:
        async with driver._http.post(
            f"{driver.base}/api/v1/attempts/{sitter.attempt_id}/announce", json={"message": message}, headers=proctor
        ) as answer:
            await answer.read()
            if answer.status != 200:
                figures.action_errors += 1
                figures.sent.pop(message, None)
    except (aiohttp.ClientError, TimeoutError):
        figures.action_errors += 1
        figures.sent.pop(message, None)


def _window(driver: Driver, began_cpu: float, began: float, streams: int) -> dict[str, Any]:
    seconds = time.monotonic() - began
    cpu = tree_cpu_seconds(driver.server.process.pid) - began_cpu
    per_page = cpu / streams / seconds if streams and seconds else None
    return {
        "seconds": round(seconds, 1),
        "server_cpu_seconds": round(cpu, 3),
        "server_cpu_cores": round(cpu / seconds, 4) if seconds else None,
        "server_cpu_ms_per_page_per_s": None if per_page is None else round(per_page * 1000, 5),
        "one_core_share_at_10000_pages": None if per_page is None else round(per_page * 10_000, 4),
    }


async def _actions(
    driver: Driver,
    proctor: dict[str, str],
    running: Sequence[Sitter],
    figures: StreamFigures,
    seconds: float,
    held: int,
) -> tuple[dict[str, Any], int]:
    """The active window: a proctor's message to ACTIONS_PER_S attempts a second; its figures and the actions."""
    active_cpu, active_began = tree_cpu_seconds(driver.server.process.pid), time.monotonic()
    actions = []
    total = max(1, round(seconds * ACTIONS_PER_S))
    for n in range(total):
        actions.append(asyncio.create_task(_act(driver, proctor, running, figures, n)))
        await asyncio.sleep(1 / ACTIONS_PER_S)
    await asyncio.gather(*actions)
    await asyncio.sleep(3)  # the last messages' way to their streams
    return _window(driver, active_cpu, active_began, held), total


async def _open(
    http: aiohttp.ClientSession, driver: Driver, running: Sequence[Sitter], figures: StreamFigures
) -> list[asyncio.Task[None]]:
    """A stream for each running page, STREAMS_OPENING_PER_S a second, each held until its first message."""
    firsts = [asyncio.Event() for _ in running]
    tasks = []
    for n, (sitter, first) in enumerate(zip(running, firsts, strict=True)):
        tasks.append(asyncio.create_task(_hold(http, driver.base, sitter, figures, first)))
        if n % STREAMS_OPENING_PER_S == STREAMS_OPENING_PER_S - 1:
            await asyncio.sleep(1)
    await asyncio.wait_for(asyncio.gather(*(first.wait() for first in firsts)), FIRST_MESSAGE_SECONDS)
    return tasks


async def live_streams(
    driver: Driver, sitters: Sequence[Sitter], seconds: float, proctor: dict[str, str], log: Any
) -> dict[str, Any]:
    """Open a stream for every open exam page, hold them quiet, then with proctor actions; the figures."""
    running = [s for s in sitters if s.attempt_id and s.page_open]
    if not running:
        return {}
    figures = StreamFigures()
    rss_before = driver.server.sample_rss()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as http:
        log(f"live streams: opening {len(running):,} streams, {STREAMS_OPENING_PER_S} a second")
        tasks = await _open(http, driver, running, figures)
        held = figures.opened
        rss_held = driver.server.sample_rss()
        log(f"live streams: {held:,} open, quiet for {seconds:g} s")
        quiet_cpu, quiet_began = tree_cpu_seconds(driver.server.process.pid), time.monotonic()
        await asyncio.sleep(seconds)
        quiet = _window(driver, quiet_cpu, quiet_began, held)
        log(f"live streams: a proctor's message to {ACTIONS_PER_S} attempts a second for {seconds:g} s")
        active, total = await _actions(driver, proctor, running, figures, seconds, held)
        rss_peak = driver.server.sample_rss()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    latency = latency_summary(figures.latencies_ms)
    # The proctor's requests and the pushes they cause cost the same whatever the number of open pages: at 10,000
    # pages the active cost is the quiet cost per page times 10,000 plus this.
    actions_cores = (active["server_cpu_cores"] or 0.0) - (quiet["server_cpu_cores"] or 0.0)
    quiet_share = quiet["one_core_share_at_10000_pages"]
    at_scale = None if quiet_share is None else round(quiet_share + max(0.0, actions_cores), 4)
    return {
        "streams": held,
        "refused": figures.refused,
        "dropped": figures.dropped,
        "pings": figures.pings,
        "quiet": quiet,
        "active": {
            **active,
            "actions": total,
            "action_errors": figures.action_errors,
            "actions_server_cpu_cores": round(actions_cores, 4),
            "one_core_share_at_10000_pages_with_actions": at_scale,
        },
        "delivery_ms": {key: latency.get(key) for key in ("n", "p50_ms", "p99_ms", "max_ms")},
        "not_delivered": len(figures.sent),
        "rss_mib": {
            "before": round(rss_before / MIB, 1),
            "with_streams": round(rss_held / MIB, 1),
            "after_actions": round(rss_peak / MIB, 1),
            "kib_per_stream": round((rss_held - rss_before) / 1024 / held, 1) if held else None,
        },
        "target_one_core_share": 0.10,
    }
