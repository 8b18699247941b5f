"""The side-by-side benchmark (issue 22): the engine and the bare baselines measured in one run, each driven by the
same closed loop (aiohttp, `--connections` requests always in flight) against a real uvicorn server with the same
settings, and each figure beside the server CPU it cost per request, read from /proc for the server's process tree
(so a ratio is the server's, not the driver's).

    python -m bench side [--candidates 400] [--seconds 10] [--connections 32] [--workers 1] [--database-url URL]

1. Set-up through the services (bench/seed.py): an approved bank, a published exam, an open sitting, the
   candidates enrolled with API tokens and browser sessions, every form prepared before the window opens.
2. The engine: every candidate presses Start and fetches each item of their form over the API, `--connections` at
   a time (CPU per start plus first item, and per further item); then the closed loops: durable saves
   (`PUT /api/v1/attempts/{id}/responses/{slot}`) and item pages (`GET /candidate/attempts/{id}/items/{slot}`).
3. The baselines (bench/baseline.py) under the same uvicorn settings: the same single-row upsert with the same
   durability, and a bare Jinja2 page of the item page's size, in the same closed loops.
4. Every acknowledged save is looked up in the database afterwards: a 200 means durable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bench import phases, scratch, servers
from bench.check import check_saves
from bench.driver import Driver, Recorder
from bench.seed import seed
from examengine.accounts.passwords import Passwords
from examengine.clock import utcnow
from examengine.db import Database
from examengine.delivery import preassembly
from examengine.scoring import retake
from examengine.settings import Settings

Send = phases.Send


def _log(message: str) -> None:
    print(f"[bench side {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def closed_loop(driver: Driver, recorder: Recorder, send: Send, *, seconds: float, connections: int) -> None:
    """`connections` senders, each sending its next request the moment its last one is answered."""
    ends = driver.now() + seconds
    counter = iter(range(10**12))

    async def sender() -> None:
        while driver.now() < ends:
            await send(recorder, next(counter), driver.now())

    await asyncio.gather(*(sender() for _ in range(connections)))


def figures(recorder: Recorder) -> dict[str, Any]:
    """What a closed loop measured: answers per second, latency and the server CPU per request."""
    summary = recorder.summary()
    seconds = summary["seconds"] or 1e-9
    return {
        "answered_per_s": round(summary["ok"] / seconds, 1),
        "requests": summary["requests"],
        "errors": summary["errors"],
        "error_kinds": summary["error_kinds"],
        "p50_ms": summary["p50_ms"],
        "p99_ms": summary["p99_ms"],
        "server_cpu_ms_per_request": summary["server_cpu_ms_per_request"],
        "server_cpu_cores": summary["server_cpu_cores"],
        "driver_cpu_cores": summary["driver_cpu_cores"],
    }


async def _loop(driver: Driver, name: str, send: Send, args: argparse.Namespace) -> dict[str, Any]:
    warm = Recorder(f"{name} warm-up")
    await closed_loop(driver, warm, send, seconds=min(2.0, args.seconds), connections=args.connections)
    recorder = Recorder(name)
    _log(f"{name}: {args.seconds:g} s, {args.connections} requests in flight")
    await driver.phase(
        recorder, closed_loop(driver, recorder, send, seconds=args.seconds, connections=args.connections)
    )
    return figures(recorder)


async def _starts(
    driver: Driver, sitters: Sequence[phases.Sitter], sitting_id: str, connections: int
) -> dict[str, Any]:
    """Everyone presses Start and fetches each item of their form, `connections` candidates at a time: the server
    CPU per start plus first item, and per further item."""
    starts, first, rest = Recorder("start"), Recorder("first item"), Recorder("further items")
    gate = asyncio.Semaphore(connections)

    async def one(sitter: phases.Sitter) -> None:
        async with gate:
            body = await driver.request(
                starts, "POST", f"/api/v1/sittings/{sitting_id}/attempts", driver.now(), expect=(200, 201),
                headers=sitter.api,
            )  # fmt: skip
            if body is None:
                return
            started = json.loads(body)
            sitter.attempt_id = started["attempt_id"]
            sitter.slots = [slot["slot"] for section in started["sections"] for slot in section["slots"]]
            await driver.request(first, "GET", _item(sitter, 0), driver.now(), headers=sitter.api)

    async def everyone_starts() -> None:
        await asyncio.gather(*(one(s) for s in sitters))

    began = driver.now()
    await driver.phase(starts, everyone_starts(), first)
    all_in = driver.now() - began
    started = [s for s in sitters if s.attempt_id]

    async def further(sitter: phases.Sitter) -> None:
        async with gate:
            for index in range(1, len(sitter.slots)):
                await driver.request(rest, "GET", _item(sitter, index), driver.now(), headers=sitter.api)

    async def every_further_item() -> None:
        await asyncio.gather(*(further(s) for s in started))

    await driver.phase(rest, every_further_item())
    cpu = starts.server_cpu_seconds
    return {
        "candidates": len(sitters),
        "started": len(started),
        "errors": sum(starts.errors.values()) + sum(first.errors.values()) + sum(rest.errors.values()),
        "seconds_to_every_first_item": round(all_in, 2),
        "server_cpu_ms_per_start_and_first_item": round(cpu * 1000 / max(1, len(started)), 3),
        "server_cpu_ms_per_further_item": rest.summary()["server_cpu_ms_per_request"],
        "form_items": len(started[0].slots) if started else 0,
        "seconds_for_every_item": round(driver.now() - began, 2),
    }


def _item(sitter: phases.Sitter, index: int) -> str:
    return f"/api/v1/attempts/{sitter.attempt_id}/items/{sitter.slots[index]}"


async def _prepare_engine(
    driver: Driver, db: Database, sitters: list[phases.Sitter], sitting_id: str, args: argparse.Namespace
) -> tuple[dict[str, Any], int]:
    """The starts, then each started candidate's item page opened once (its session holds the attempt); returns
    the start figures and the item page's size (the bare page's)."""
    _log(f"start: {len(sitters):,} candidates press Start and fetch every item, {args.connections} at a time")
    starts = await _starts(driver, sitters, sitting_id, args.connections)
    await asyncio.to_thread(db.call, phases.learn_shown, sitters=sitters, write=False)
    opening = Recorder("opening the item pages")
    await asyncio.gather(*(phases.load_page(driver, opening, s, driver.now()) for s in sitters if s.attempt_id))
    sitter = next(s for s in sitters if s.attempt_id)
    body = await driver.request(opening, "GET", sitter.item_page(sitter.slots[0]), driver.now(), headers=sitter.browser)
    return starts, len(body or b"")


def _health_sender(driver: Driver) -> Send:
    async def send(recorder: Recorder, _n: int, intended: float) -> None:
        await driver.request(recorder, "GET", "/healthz", intended)

    return send


def _median(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median throughput, and every round's throughput and CPU per request beside it."""
    ordered = sorted(rounds, key=lambda r: r["answered_per_s"])
    middle = dict(ordered[len(ordered) // 2])
    middle["rounds"] = [(r["answered_per_s"], r["server_cpu_ms_per_request"]) for r in rounds]
    middle["errors"] = sum(r["errors"] for r in rounds)
    return middle


async def _alternate(
    engine: Driver, bare: Driver, sitters: list[phases.Sitter], args: argparse.Namespace
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each closed loop of the engine, then its baseline's, `--rounds` times over (so a slow spell of the disk or
    the machine falls on both), and the median round of each."""
    loops = {
        "save": (phases.app_save_sender(engine, sitters), phases.baseline_save_sender(bare, len(sitters), 20)),
        "item_page": (phases.app_page_sender(engine, sitters), phases.baseline_page_sender(bare)),
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for round_number in range(1, args.rounds + 1):
        for name, (engine_send, bare_send) in loops.items():
            found.setdefault(name, []).append(
                await _loop(engine, f"engine {name}, round {round_number}", engine_send, args)
            )
            found.setdefault("bare " + name, []).append(
                await _loop(bare, f"bare {name}, round {round_number}", bare_send, args)
            )
        found.setdefault("healthz", []).append(
            await _loop(engine, f"engine /healthz, round {round_number}", _health_sender(engine), args)
        )
    medians = {name: _median(found[name]) for name in ("save", "item_page")}
    medians["bare_endpoint_on_engine"] = _median(found["healthz"])
    return medians, {"save": _median(found["bare save"]), "page": _median(found["bare item_page"])}


async def _drive(
    engine_server: servers.Server,
    db: Database,
    sitters: list[phases.Sitter],
    sitting_id: str,
    args: argparse.Namespace,
    env: dict[str, str],
    baseline_url: str,
) -> tuple[dict[str, Any], dict[str, Any], servers.Server]:
    async with Driver(engine_server, connections=args.connections) as engine:
        starts, page_bytes = await _prepare_engine(engine, db, sitters, sitting_id, args)
        base = servers.start_baseline(env, baseline_url, page_bytes, workers=args.workers)
        try:
            async with Driver(base, connections=args.connections) as bare:
                mine, theirs = await _alternate(engine, bare, sitters, args)
        finally:
            base.stop()
    return {"starts": starts, "page_bytes": page_bytes, **mine}, theirs, base


def _ratio(engine: float | None, baseline: float | None) -> float | None:
    return None if not engine or not baseline else round(engine / baseline, 3)


def run(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    with ExitStack() as stack:
        url, db = scratch.database(stack, args.database_url, "examengine-bench-side-")
        settings = replace(settings, database_url=url)
        _log(f"set-up: {args.candidates:,} candidates on {db.engine.dialect.name}, forms prepared")
        seeded = seed(db, Passwords(settings.argon2), candidates=args.candidates, bank=1000, time_limit_minutes=240)
        preassembly.prepare_due(db, now=utcnow(), lead_minutes=60, eligible=retake.eligibility)
        sitters = [phases.Sitter(c) for c in seeded.candidates]
        env = {"DATABASE_URL": url, "EXAMENGINE_SCHEDULER": "off"}
        baseline_url = scratch.baseline_database(stack, url)
        engine = servers.start("engine", "examengine.asgi:app", env, workers=args.workers)
        try:
            found, bare, _base = asyncio.run(_drive(engine, db, sitters, seeded.sitting_id, args, env, baseline_url))
        finally:
            engine.stop()
        integrity = db.call(check_saves, sitters=sitters, sitting_id=seeded.sitting_id, write=False)
    page_bytes = found.pop("page_bytes")
    save, page = found["save"], found["item_page"]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "database": db.engine.dialect.name, "workers": args.workers},
        "config": {
            "candidates": args.candidates,
            "seconds": args.seconds,
            "connections": args.connections,
            "rounds": args.rounds,
        },
        "engine": found,
        "baseline": bare,
        "page_bytes": page_bytes,
        "integrity": integrity,
        "ratios": {
            "saves_answered": _ratio(save["answered_per_s"], bare["save"]["answered_per_s"]),
            "server_cpu_per_save": _ratio(save["server_cpu_ms_per_request"], bare["save"]["server_cpu_ms_per_request"]),
            "pages_answered": _ratio(page["answered_per_s"], bare["page"]["answered_per_s"]),
            "server_cpu_per_page": _ratio(page["server_cpu_ms_per_request"], bare["page"]["server_cpu_ms_per_request"]),
        },
    }


def table(result: dict[str, Any]) -> str:
    engine, bare, ratios, starts = result["engine"], result["baseline"], result["ratios"], result["engine"]["starts"]

    def row(label: str, mine: dict[str, Any], theirs: dict[str, Any] | None, ratio_key: str | None) -> str:
        base = theirs or {}
        return (
            f"| {label} | {mine['answered_per_s']:,.0f} | {mine['server_cpu_ms_per_request']} ms | "
            f"{mine['p99_ms']} ms | {base.get('answered_per_s', '')} | "
            f"{str(base.get('server_cpu_ms_per_request', '')) + ' ms' if theirs else ''} | "
            f"{ratios.get(ratio_key + 's_answered', '') if ratio_key else ''} | "
            f"{ratios.get('server_cpu_per_' + ratio_key, '') if ratio_key else ''} |"
        )

    lines = [
        f"examengine bench side: {result['date']}, {result['machine']['cpus']} CPUs, "
        f"{result['machine']['database']}, {result['machine']['workers']} worker(s), "
        f"{result['config']['connections']} requests in flight, {result['config']['seconds']:g} s a loop, the median"
        f" of {result['config']['rounds']} alternating rounds",
        "",
        "| closed loop | engine answered/s | engine CPU/request | engine p99 | bare answered/s | bare CPU/request "
        "| answered ratio | CPU ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        row("durable save", engine["save"], bare["save"], "save"),
        row("item page", engine["item_page"], bare["page"], "page"),
        row("GET /healthz (the engine's floor)", engine["bare_endpoint_on_engine"], None, None),
        "",
        f"starts: {starts['started']:,} of {starts['candidates']:,} started, {starts['errors']} errors; "
        f"server CPU per start plus first item {starts['server_cpu_ms_per_start_and_first_item']} ms, "
        f"per further item {starts['server_cpu_ms_per_further_item']} ms; every first item in "
        f"{starts['seconds_to_every_first_item']} s, every item of every form in {starts['seconds_for_every_item']} s",
        f"saves: {result['integrity']}",
        f"errors: engine save {engine['save']['errors']}, page {engine['item_page']['errors']}; "
        f"bare save {bare['save']['errors']}, page {bare['page']['errors']}",
        "rounds (answered/s, CPU ms/request): "
        f"engine save {engine['save']['rounds']}; bare save {bare['save']['rounds']}; "
        f"engine page {engine['item_page']['rounds']}; bare page {bare['page']['rounds']}",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench side", description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=400, help="candidates who start (default 400)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of each closed loop (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="requests in flight (default 32)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of engine and baseline loops (default 3)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of each server (default 1)")
    parser.add_argument("--database-url", default="", help="a scratch database (default a new SQLite file)")
    parser.add_argument("--json", action="store_true", help="JSON on stdout, the table on stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.candidates < args.connections or args.seconds <= 0 or args.rounds < 1:
        print(
            "python -m bench side: --candidates must be at least --connections, --seconds above 0, --rounds at least 1",
            file=sys.stderr,
        )
        return 2
    try:
        result = run(args, Settings.from_env())
    except RuntimeError as error:
        print(f"python -m bench side: {error}", file=sys.stderr)
        return 2
    text = table(result)
    if args.json:
        print(text, file=sys.stderr)
        print(json.dumps(result, indent=2, default=str))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
