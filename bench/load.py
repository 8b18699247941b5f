"""The load benchmark (issue 10): a real server process driven over real HTTP by many simulated candidates.

    python -m bench load [--candidates 2000] [--duration 60] [--think 20] [--database-url URL] [--workers 1] [--json]

1. Set-up through the services: an approved bank, a published LOFT exam, an open sitting, the candidates enrolled
   with pre-issued API tokens and browser sessions (bench/seed.py).
2. The engine under uvicorn (`--workers`), then with aiohttp: a login burst (passwords, argon2), a start burst
   (candidates press Start within one second and load their first item), the rest starting, the sustained phase
   (a save per think time each, half after loading the next item page), the live channel (every open exam page
   polls GET /candidate/attempts/{id}/live every 3 s, as static/live.js does), capacity sweeps of the save, the
   item page and the live poll, and everyone submitting. Peak RSS and CPU of the server are sampled throughout.
3. Every acknowledged save is checked in the database: its seq (or a later one) is stored, with its answer.
4. The ceilings on the same machine: raw argon2 verification with the configured parameters, and a bare Starlette
   upsert endpoint, a bare Jinja2 page and a bare one-row read (bench/baseline.py) under the same
   uvicorn settings. The live channel's cost is then projected to 10,000 open pages (report.live_channel), for the
   poll and for the stream every open page holds instead where it can (bench/streams.py: quiet, then with a proctor
   acting on a few attempts a second).
The table goes to stdout and the JSON to `--output`; with --json the JSON goes to stdout and the table to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import sqlite3
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import phases, report, scratch, servers, streams
from bench.check import check_saves, unscored
from bench.driver import Driver, Recorder
from bench.options import BenchError, build_parser, check_arguments
from bench.seed import Seeded, seed
from examengine.accounts.passwords import Passwords
from examengine.clock import utcnow
from examengine.db import Database
from examengine.delivery import preassembly
from examengine.scoring import retake
from examengine.settings import Argon2Cost, Settings

ARGON2_SECONDS = 3.0
SETTLE_SECONDS = 60


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def argon2_verifies_per_s(cost: Argon2Cost, seconds: float = ARGON2_SECONDS) -> float:
    """Raw verification throughput with one thread per CPU (argon2-cffi releases the GIL, as in the server)."""
    passwords = Passwords(cost)
    stored = passwords.hash("examengine-bench-password")
    counts: list[int] = []
    ends = time.monotonic() + seconds

    def work() -> None:
        done = 0
        while time.monotonic() < ends:
            passwords.verify(stored, "examengine-bench-password")
            done += 1
        counts.append(done)

    began = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(os.cpu_count() or 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return round(sum(counts) / (time.monotonic() - began), 1)


async def _drive_engine(
    server: servers.Server, seeded: Seeded, args: argparse.Namespace, db: Database
) -> tuple[dict[str, Recorder], dict[str, Any], list[phases.Sitter], int]:
    sitters = [phases.Sitter(c) for c in seeded.candidates]
    recorders = {key: Recorder(key) for key in report.PHASE_LABELS}
    # The set-up's objects (10,000 candidates and their seeding) live for the whole run: out of the driver's full
    # collections, whose pauses (150 ms at 10,000 candidates) would otherwise show as the server's latency.
    gc.collect()
    gc.freeze()
    capacity: dict[str, Any] = {}
    async with Driver(server, connections=args.connections) as driver:
        logins = sitters[: min(args.logins, len(sitters))]
        _log(f"login burst: {len(logins):,} candidates send their password at once")
        await driver.phase(recorders["login"], phases.login_burst(driver, logins, seeded.password, recorders["login"]))
        await _starts(driver, sitters, seeded.sitting_id, args, recorders)
        await asyncio.to_thread(db.call, phases.learn_shown, sitters=sitters, write=False)
        page_bytes = await _page_size(driver, sitters)
        _log(f"sustained: {args.duration:g} s, a save every {args.think:g} s per candidate")
        saves, pages = recorders["save"], recorders["item_page"]
        await driver.phase(
            saves,
            phases.sustained(driver, sitters, seconds=args.duration, think=args.think, saves=saves, pages=pages),
            pages,
        )
        await _live_channel(driver, sitters, args, recorders["live_poll"])
        proctor = await asyncio.to_thread(streams.proctor_headers, db, f"bench-{seeded.run_id}-proctor@example.org")
        capacity["live_streams"] = await streams.live_streams(driver, sitters, args.live_seconds, proctor, _log)
        for name, send in (
            ("app_save", phases.app_save_sender(driver, sitters)),
            ("app_page", phases.app_page_sender(driver, sitters)),
            ("app_live", phases.app_live_sender(driver, sitters)),
        ):
            capacity[name] = await _sweep(driver, args, name, send)
        _log("submit: every candidate submits")
        await driver.phase(
            recorders["submit"], phases.submit_all(driver, sitters, args.submit_rate, recorders["submit"])
        )
    return recorders, capacity, sitters, page_bytes


async def _starts(
    driver: Driver,
    sitters: Sequence[phases.Sitter],
    sitting_id: str,
    args: argparse.Namespace,
    recorders: dict[str, Recorder],
) -> None:
    """The start burst, the other candidates' starts, and every started browser opening its exam page."""
    burst, rest = sitters[: args.burst], sitters[args.burst :]
    spread = max(args.think, len(rest) / max(1, args.burst))
    _log(f"start burst: {len(burst):,} candidates press Start within one second")
    await driver.phase(
        recorders["start_burst"],
        phases.start_all(driver, burst, sitting_id, 1.0, recorders["start_burst"], recorders["first_item_burst"]),
        recorders["first_item_burst"],
    )
    if rest:
        _log(f"start: the other {len(rest):,} candidates over {spread:.0f} s")
        await driver.phase(
            recorders["start_rest"],
            phases.start_all(driver, rest, sitting_id, spread, recorders["start_rest"], recorders["first_item_rest"]),
            recorders["first_item_rest"],
        )
    # A browser that pressed Start loads its exam page next, and that session takes the attempt (the device
    # lock, a chained event): work of the start, so it is done and measured here, not in the sustained phase.
    rate = len(sitters) / spread if rest else phases.OPENING_PER_S
    _log(f"exam pages: every started candidate's browser opens its exam page, {rate:,.0f} a second")
    await driver.phase(recorders["open_page"], phases.open_pages(driver, sitters, rate, recorders["open_page"]))


async def _live_channel(
    driver: Driver, sitters: Sequence[phases.Sitter], args: argparse.Namespace, polls: Recorder
) -> None:
    """Each started candidate's exam page is open (loaded once in its browser session if the sustained phase did
    not) and polls its live channel every LIVE_POLL_SECONDS for --live-seconds."""
    opening = Recorder("opening the pages not yet open")  # set-up for the phase, not reported
    await phases.open_pages(driver, sitters, phases.OPENING_PER_S, opening)
    if opening.errors:
        _log(f"{sum(opening.errors.values()):,} pages did not open: {dict(opening.errors)}")
    open_pages = sum(1 for s in sitters if s.attempt_id and s.page_open)
    _log(
        f"live channel: {open_pages:,} open pages poll every {phases.LIVE_POLL_SECONDS:g} s for {args.live_seconds:g} s"
        f" ({open_pages / phases.LIVE_POLL_SECONDS:,.0f} polls/s)"
    )
    await driver.phase(polls, phases.live_polling(driver, sitters, args.live_seconds, polls))


async def _sweep(driver: Driver, args: argparse.Namespace, name: str, send: phases.Send) -> dict[str, Any]:
    _log(f"capacity sweep: {name}")
    return await phases.capacity(
        driver,
        name,
        send,
        step_seconds=args.step_seconds,
        step_requests=args.step_requests,
        max_rate=args.max_rate,
        p99_limit_ms=report.SAVE_P99_TARGET_MS,
    )


async def _page_size(driver: Driver, sitters: Sequence[phases.Sitter]) -> int:
    """The size of the item page, for the Jinja2 baseline."""
    sitter = next((s for s in sitters if s.attempt_id), None)
    if sitter is None:
        raise RuntimeError(f"no candidate could start an attempt; the server says:\n{driver.server.log_tail()}")
    probe = Recorder("item page size")
    body = await driver.request(probe, "GET", sitter.item_page(sitter.slots[0]), driver.now(), headers=sitter.browser)
    if body is None:
        raise RuntimeError(f"the item page did not load ({dict(probe.errors)}):\n{driver.server.log_tail()}")
    return len(body)


async def _drive_baseline(server: servers.Server, args: argparse.Namespace, keys: int) -> dict[str, Any]:
    async with Driver(server, connections=args.connections) as driver:
        found = {}
        for name, send in (
            ("baseline_save", phases.baseline_save_sender(driver, keys, 20)),
            ("baseline_page", phases.baseline_page_sender(driver)),
            ("baseline_live", phases.baseline_live_sender(driver, keys)),
        ):
            found[name] = await _sweep(driver, args, name, send)
        return found


def _settle(db: Database, sitting_id: str) -> None:
    """Submissions the driver gave up on still finish in the server, and the scoring sweep scores what a submit
    left: wait for that (with the server running) before checking."""
    ends = time.monotonic() + SETTLE_SECONDS
    while (left := db.call(unscored, sitting_id=sitting_id, write=False)) and time.monotonic() < ends:
        _log(f"waiting for {left:,} finished attempts to be scored")
        time.sleep(5)


def _phase_figures(recorders: dict[str, Recorder]) -> dict[str, Any]:
    return {key: recorder.summary() for key, recorder in recorders.items() if recorder.count}


def _set_up(db: Database, settings: Settings, args: argparse.Namespace) -> tuple[Seeded, dict[str, Any]]:
    """The bank, exam, sitting and candidates through the services, and every form prepared unless told not to."""
    _log(f"set-up: {args.candidates:,} candidates, a bank of {args.bank:,} items on {db.engine.dialect.name}")
    began = time.monotonic()
    seeded = seed(
        db,
        Passwords(settings.argon2),
        candidates=args.candidates,
        bank=args.bank,
        time_limit_minutes=240,
        stored_responses=args.stored_responses,
    )
    prepared_seconds = None
    if args.prepared_forms == "yes":
        _log("set-up: preparing every candidate's form (the scheduled job's work before the window opens)")
        prepared_began = time.monotonic()
        preassembly.prepare_due(
            db, now=utcnow(), lead_minutes=settings.preassemble_minutes or 60, eligible=retake.eligibility
        )
        prepared_seconds = round(time.monotonic() - prepared_began, 1)
    setup = {
        "seconds": round(time.monotonic() - began, 1),
        "prepared_forms_seconds": prepared_seconds,
        "run_id": seeded.run_id,
        "bank_items": seeded.bank_items,
        "form_items": seeded.form_items,
        "stored_responses": seeded.stored_responses,
    }
    return seeded, setup


def _machine(args: argparse.Namespace, db: Database) -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "load_average_at_start": args.load_average,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "database": db.engine.dialect.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    with ExitStack() as stack:
        url, db = scratch.database(stack, args.database_url, "examengine-bench-")
        settings = replace(settings, database_url=url)
        seeded, setup = _set_up(db, settings, args)
        env = {"DATABASE_URL": url, "EXAMENGINE_SCHEDULER": args.scheduler}
        engine = servers.start("engine", "examengine.asgi:app", env, workers=args.workers)
        try:
            recorders, capacity, sitters, page_bytes = asyncio.run(_drive_engine(engine, seeded, args, db))
            _settle(db, seeded.sitting_id)
        finally:
            engine.stop()
        _log("checking every acknowledged save in the database")
        integrity = db.call(check_saves, sitters=sitters, sitting_id=seeded.sitting_id, write=False)
        _log("baseline: raw argon2 verification")
        argon2 = argon2_verifies_per_s(settings.argon2)
        baseline_url = scratch.baseline_database(stack, url)
        base = servers.start_baseline(env, baseline_url, page_bytes, workers=args.workers)
        try:
            capacity |= asyncio.run(_drive_baseline(base, args, len(sitters)))
        finally:
            base.stop()
    figures: dict[str, Any] = {
        "config": {key: value for key, value in vars(args).items() if key not in ("database_url", "handler")},
        "machine": _machine(args, db),
        "setup": setup,
        "phases": _phase_figures(recorders),
        "capacity": capacity,
        "baselines": {
            "argon2_verify_per_s": argon2,
            "argon2": vars(settings.argon2),
            "save_per_s": capacity["baseline_save"]["rate_per_s"],
            "page_per_s": capacity["baseline_page"]["rate_per_s"],
            "live_per_s": capacity["baseline_live"]["rate_per_s"],
            "page_bytes": page_bytes,
        },
        "integrity": integrity,
        "server": {
            "peak_rss_mib": round(engine.peak_rss_bytes / 2**20, 1),
            "workers": args.workers,
            "logs": {"engine": str(engine.log_path), "baseline": str(base.log_path)},
        },
    }
    figures["ratios"] = report.ratios(figures)
    figures["live_channel"] = report.live_channel(figures, sum(1 for s in sitters if s.attempt_id and s.page_open))
    figures["live_channel"]["streams"] = capacity.pop("live_streams", {})
    figures["targets"] = report.targets(figures)
    return figures


def execute(args: argparse.Namespace, settings: Settings) -> None:
    """Run the benchmark and print its figures; raises BenchError for options it cannot run with."""
    problem = check_arguments(args)
    if problem:
        raise BenchError(problem)
    args.load_average = [round(x, 2) for x in os.getloadavg()]
    figures = run(args, settings)
    text = report.table(figures)
    output = Path(args.output or f"var/bench-{datetime.now(UTC):%Y%m%dT%H%M%S}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    if args.json:
        print(text, file=sys.stderr)
        print(json.dumps(figures, indent=2, default=str))
    else:
        print(text)
        print(f"JSON written to {output}")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        execute(build_parser().parse_args(argv), Settings.from_env())
    except (BenchError, RuntimeError) as error:
        print(f"python -m bench load: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
