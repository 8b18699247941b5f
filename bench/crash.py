"""Crash durability: candidates save answers while the server is killed (SIGKILL, no shutdown) at random moments and
started again, round after round. Afterwards every save that got a 200 must be in the database with its seq or a
later one, nothing may be duplicated, no attempt's status may have gone backwards, and a SQLite file must pass its
integrity check.

    python -m bench crash [--database-url URL] [--rounds N] [--candidates N]

Without --database-url it runs on a new SQLite file in a temporary directory. A given database is migrated and gets
the run's users, items, exam and sitting added (every name carries the run's id): use a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

from bench import servers
from bench.check import check_saves
from bench.driver import Driver, Recorder
from bench.phases import Sitter, learn_shown, save
from bench.seed import seed
from examengine import migrate
from examengine.accounts.passwords import Passwords
from examengine.db import Database, is_sqlite
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.settings import Argon2Cost

# How far along its life an attempt is: a status may only ever be seen at the same rank or a later one.
RANK = {AttemptStatus.WAITING: 0, AttemptStatus.IN_PROGRESS: 1, AttemptStatus.PAUSED: 1, **dict.fromkeys(FINAL, 2)}
MIN_LIFE_SECONDS, MAX_LIFE_SECONDS = 0.3, 2.0
RETRY_PAUSE_SECONDS = 0.05
AFTER_KILL_SECONDS = 0.2  # saves keep trying against the dead server for a moment, as real clients would


@dataclass
class Run:
    sitters: list[Sitter]
    rng: random.Random
    saves: Recorder = field(default_factory=lambda: Recorder("saves"))
    kills: int = 0
    restarts: int = 0
    submitted: set[str] = field(default_factory=set)  # attempts whose submit got a 200
    seen: dict[str, list[str]] = field(default_factory=dict)  # every status read back, in order
    backwards: list[str] = field(default_factory=list)
    learn_shown: Callable[[], None] = lambda: None  # what each client learns from its item views (phases.learn_shown)


async def _start_attempts(driver: Driver, run: Run, sitting_id: str) -> None:
    starting = Recorder("start")
    for sitter in run.sitters:
        body = await driver.request(
            starting,
            "POST",
            f"/api/v1/sittings/{sitting_id}/attempts",
            driver.now(),
            expect=(200, 201),
            headers=sitter.api,
        )
        if body is None:
            raise RuntimeError(f"a candidate could not start the attempt: {dict(starting.errors)}")
        started = json.loads(body)
        sitter.attempt_id = started["attempt_id"]
        sitter.slots = [slot["slot"] for section in started["sections"] for slot in section["slots"]]


async def _read_statuses(driver: Driver, run: Run) -> None:
    """Read every attempt's status back after a restart; note any that moved back or lost an acknowledged submit."""
    reading = Recorder("status")
    for sitter in run.sitters:
        body = await driver.request(
            reading, "GET", f"/api/v1/attempts/{sitter.attempt_id}", driver.now(), headers=sitter.api
        )
        if body is None:
            raise RuntimeError(
                f"the restarted server did not answer for attempt {sitter.attempt_id}: {dict(reading.errors)}"
            )
        status = AttemptStatus(json.loads(body)["status"])
        history = run.seen.setdefault(sitter.attempt_id, [])
        if history and RANK[status] < RANK[AttemptStatus(history[-1])]:
            run.backwards.append(f"{sitter.attempt_id}: {history[-1]} -> {status}")
        if sitter.attempt_id in run.submitted and status not in FINAL:
            run.backwards.append(f"{sitter.attempt_id}: submitted (acknowledged) -> {status}")
        history.append(status.value)


async def _keep_saving(driver: Driver, run: Run, sitter: Sitter, stop: asyncio.Event) -> None:
    while not stop.is_set() and sitter.attempt_id not in run.submitted:
        slot = sitter.slots[sitter.position % len(sitter.slots)]
        sitter.position += 1
        acknowledged = sitter.acknowledged
        await save(driver, run.saves, sitter, slot, driver.now())
        # A refused connection fails at once: pause as a browser would, not spin against the dead server.
        await asyncio.sleep(0 if sitter.acknowledged > acknowledged else RETRY_PAUSE_SECONDS)


async def _submit_some(driver: Driver, run: Run) -> None:
    """A third of the candidates hand in mid-run: their attempts must stay submitted through later crashes."""
    submitting = Recorder("submit")
    for sitter in run.sitters[: max(1, len(run.sitters) // 3)]:
        path = f"/api/v1/attempts/{sitter.attempt_id}/submit"
        if await driver.request(submitting, "POST", path, driver.now(), headers=sitter.api) is not None:
            run.submitted.add(sitter.attempt_id)


async def _one_life(server: servers.Server, run: Run, *, sitting_id: str, first: bool, submit: bool) -> None:
    """The server's life from start to SIGKILL, with every candidate saving all along."""
    async with Driver(server, connections=len(run.sitters) + 1) as driver:
        if first:
            await _start_attempts(driver, run, sitting_id)
            await asyncio.to_thread(run.learn_shown)
        await _read_statuses(driver, run)
        if submit:
            await _submit_some(driver, run)
        stop = asyncio.Event()
        savers = [asyncio.create_task(_keep_saving(driver, run, s, stop)) for s in run.sitters]
        await asyncio.sleep(run.rng.uniform(MIN_LIFE_SECONDS, MAX_LIFE_SECONDS))
        server.process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(server.process.wait)
        run.kills += 1
        await asyncio.sleep(AFTER_KILL_SECONDS)
        stop.set()
        await asyncio.gather(*savers)


async def _final_read(server: servers.Server, run: Run) -> None:
    async with Driver(server, connections=2) as driver:
        await _read_statuses(driver, run)


def duplicates(*, session: Session, sitting_id: str) -> int:
    """Answer rows stored twice for one slot, plus candidates holding more than one attempt in the sitting."""
    attempts = select(col(Attempt.id)).where(col(Attempt.sitting_id) == sitting_id)
    slot_rows = select(col(AttemptSlot.attempt_id), col(AttemptSlot.slot)).where(
        col(AttemptSlot.attempt_id).in_(attempts)
    )
    twice = slot_rows.group_by(col(AttemptSlot.attempt_id), col(AttemptSlot.slot)).having(func.count() > 1)
    per_user = (
        select(col(Attempt.user_id))
        .where(col(Attempt.sitting_id) == sitting_id)
        .group_by(col(Attempt.user_id))
        .having(func.count() > 1)
    )
    return len(session.execute(twice).all()) + len(session.execute(per_user).all())


def stored_statuses(*, session: Session, sitting_id: str) -> dict[str, str]:
    rows = session.execute(select(col(Attempt.id), col(Attempt.status)).where(col(Attempt.sitting_id) == sitting_id))
    return {attempt_id: str(status) for attempt_id, status in rows}


def sqlite_integrity(url: str) -> str:
    with sqlite3.connect(str(make_url(url).database)) as connection:
        answer = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    connection.close()
    return answer


def crash_run(url: str, *, rounds: int, candidates: int, rng_seed: int | None = None) -> dict[str, Any]:
    """Seed, run `rounds` server lives each ended by SIGKILL, and check the database; returns the figures."""
    began = time.monotonic()
    db = Database(url)
    try:
        migrate.upgrade(db.engine)
        # Tokens are issued up front, so the password cost only shapes the seeding: keep it cheap.
        passwords = Passwords(Argon2Cost(time_cost=1, memory_kib=1024, parallelism=1))
        seeded = seed(db, passwords, candidates=candidates, bank=0, time_limit_minutes=240)
        run = Run([Sitter(candidate) for candidate in seeded.candidates], random.Random(rng_seed))
        run.learn_shown = functools.partial(db.call, learn_shown, sitters=run.sitters, write=False)
        env = {"DATABASE_URL": url, "EXAMENGINE_SCHEDULER": "off"}
        for number in range(rounds):
            server = servers.start("crash", "examengine.asgi:app", env)
            run.restarts += number > 0
            try:
                asyncio.run(
                    _one_life(
                        server, run, sitting_id=seeded.sitting_id, first=number == 0, submit=number == rounds // 2
                    )
                )
            finally:
                server.stop()
        server = servers.start("crash", "examengine.asgi:app", env)  # recovery after the last kill
        run.restarts += 1
        try:
            asyncio.run(_final_read(server, run))
        finally:
            server.stop()
        saves = db.call(check_saves, sitters=run.sitters, sitting_id=seeded.sitting_id, write=False)
        doubled = db.call(duplicates, sitting_id=seeded.sitting_id, write=False)
        final = db.call(stored_statuses, sitting_id=seeded.sitting_id, write=False)
    finally:
        db.dispose()
    for attempt_id, status in final.items():
        last_seen = run.seen.get(attempt_id, [status])[-1]
        if RANK[AttemptStatus(status)] < RANK[AttemptStatus(last_seen)]:
            run.backwards.append(f"{attempt_id}: {last_seen} -> {status} (stored)")
    return {
        "engine": make_url(url).get_backend_name(),
        "rounds": rounds,
        "candidates": candidates,
        "kills": run.kills,
        "restarts": run.restarts,
        "saves_sent": run.saves.count,
        "saves_acknowledged": saves["acknowledged_saves"],
        "saves_failed": dict(run.saves.errors),
        "slots_checked": saves["slots_checked"],
        "lost": saves["lost_saves"],
        "lost_examples": saves["lost_examples"],
        "corrupted": saves["corrupted_saves"],
        "duplicates": doubled,
        "submitted_acknowledged": len(run.submitted),
        "status_went_backwards": run.backwards,
        "integrity_check": sqlite_integrity(url) if is_sqlite(url) else "n/a (PostgreSQL)",
        "seconds": round(time.monotonic() - began, 1),
    }


def failures(figures: dict[str, Any]) -> list[str]:
    problems = [f"{figures[key]} {key}" for key in ("lost", "corrupted", "duplicates") if figures[key]]
    problems += [f"status went backwards: {moved}" for moved in figures["status_went_backwards"]]
    if figures["integrity_check"] not in ("ok", "n/a (PostgreSQL)"):
        problems.append(f"integrity_check: {figures['integrity_check']}")
    if not figures["saves_acknowledged"]:
        problems.append("no save was acknowledged: nothing was tested")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench crash", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="a scratch database (default: a new SQLite file in a temporary directory)"
    )
    parser.add_argument("--rounds", type=int, default=10, help="server lives, each ended by SIGKILL (default 10)")
    parser.add_argument("--candidates", type=int, default=50, help="simulated candidates saving answers (default 50)")
    parser.add_argument("--seed", type=int, help="seed of the random kill moments, to repeat a run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.candidates < 1:
        parser.error("--rounds and --candidates must be at least 1")
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='examengine-crash-')) / 'crash.db'}"
    try:
        figures = crash_run(url, rounds=args.rounds, candidates=args.candidates, rng_seed=args.seed)
    except (RuntimeError, migrate.NotMigrated) as error:
        print(f"crash test: {error}", file=sys.stderr)
        return 2
    problems = failures(figures)
    if args.json:
        print(json.dumps({**figures, "problems": problems}, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")
        print("OK: no acknowledged save lost" if not problems else "FAILED:\n  " + "\n  ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
