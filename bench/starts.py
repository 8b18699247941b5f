"""The start burst, in process: N candidates pressing Start at once, with and without forms prepared in advance.

    python -m bench starts [--starts 200] [--bank 1000] [--database-url URL] [--json]

Seeds a scratch database (SQLite in a temporary directory unless a URL is given) through the services: an approved
bank, a LOFT exam of 20 items with a 30% exposure cap, and two open sittings of N candidates each. The first
sitting's candidates start with nothing prepared (each start reads the pools and the exposure counters, assembles
and builds its form document); for the second the pre-assembly job runs first (timed on its own), and the starts
take the prepared forms. Each burst starts every candidate at once (asyncio tasks, as concurrent requests would) and
reports the latency of one start and the time until the last one is stored. Afterwards it checks that every
prepared start took its form and that the exposure counters equal the join over the forms, and times that join
against the counter read it replaces. Figures move with other work on the machine: compare runs of one sitting.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import select
from sqlmodel import Session, col

from bench.figures import latency_summary
from bench.seed import exam_definition, seed
from examengine import migrate
from examengine.clock import utcnow
from examengine.context import Services
from examengine.delivery import exposure, preassembly, prepared_forms, start
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.exams import service as exams
from examengine.exams import sittings
from examengine.scoring import retake
from examengine.settings import Settings

CAP = 0.3


def _publish_capped(services: Services, run_id: str, admin_id: str | None) -> str:
    body = {**exam_definition(run_id, 60), "code": f"BENCH-{run_id}-CAP", "max_exposure": CAP}

    def publish(*, session: Session) -> str:
        exam = exams.create_exam(session=session, definition=exams.parse_definition(body), actor_id=admin_id)
        exams.publish(session=session, exam_id=exam.exam_id, actor_id=admin_id)
        return exam.exam_id

    return services.db.call(publish)


def _sitting(services: Services, exam_id: str, user_ids: Sequence[str]) -> str:
    now = utcnow()
    view = services.db.call(
        sittings.create_sitting,
        exam_id=exam_id,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=4),
        proctor_ids=[],
        candidates=[sittings.EnrollmentRequest(user_id=u) for u in user_ids],
        actor_id=None,
    )
    return view.sitting_id


def _burst(services: Services, sitting_id: str, user_ids: Sequence[str]) -> dict[str, Any]:
    """Every candidate starts at once; the latency of each start and the time until the last is stored."""
    latencies: list[float] = []

    async def one(user_id: str) -> None:
        began = time.perf_counter()
        outcome = await start.start_attempt(
            services.db, sitting_id=sitting_id, user_id=user_id, eligible=retake.eligibility
        )
        latencies.append((time.perf_counter() - began) * 1000)
        if not outcome.created:
            raise RuntimeError(f"the start of {user_id} found an attempt already under way")

    async def everyone() -> float:
        began = time.perf_counter()
        async with anyio.create_task_group() as group:
            for user_id in user_ids:
                group.start_soon(one, user_id)
        return time.perf_counter() - began

    wall = anyio.run(everyone)
    return {
        **latency_summary(latencies),
        "burst_seconds": round(wall, 3),
        "starts_per_second": round(len(user_ids) / wall, 1),
    }


def _check(services: Services, sitting_id: str) -> dict[str, Any]:
    """Whether the counters equal the join, how many starts took a prepared form, and join vs counter read times."""

    def inspect(*, session: Session) -> dict[str, Any]:
        details = session.scalars(
            select(col(AttemptEvent.detail))
            .join(Attempt, col(Attempt.id) == col(AttemptEvent.attempt_id))
            .where(col(Attempt.sitting_id) == sitting_id, col(AttemptEvent.type) == "started")
        )
        took_prepared = sum(bool(detail.get("prepared")) for detail in details)
        began = time.perf_counter()
        joined = exposure.attempt_counts(session, sitting_id)
        join_ms = (time.perf_counter() - began) * 1000
        began = time.perf_counter()
        counted = exposure.counts(session, sitting_id)
        counter_ms = (time.perf_counter() - began) * 1000
        forms = prepared_forms.forms_in_sitting(session, sitting_id)
        return {
            "took_prepared_form": took_prepared,
            "counters_equal_join": counted == dict(prepared_forms.recount(session, sitting_id)),
            "max_exposure": round(max(joined.values(), default=0) / max(forms, 1), 3),
            "exposure_join_ms": round(join_ms, 2),
            "exposure_counters_ms": round(counter_ms, 2),
        }

    return services.db.call(inspect, write=False)


def measure(database_url: str, starts: int, bank: int) -> dict[str, Any]:
    services = Services.build(Settings(database_url=database_url, scheduler="off"))
    try:
        migrate.upgrade(services.db.engine)
        seeded = seed(services.db, services.passwords, candidates=2 * starts + 1, bank=bank, time_limit_minutes=60)
        exam_id = _publish_capped(services, seeded.run_id, None)
        people = [c.user_id for c in seeded.candidates]
        warm_up, cold, ready = people[:1], people[1 : starts + 1], people[starts + 1 :]
        # One start first, so that neither burst pays for loading the pinned pools and item content.
        _burst(services, _sitting(services, exam_id, warm_up), warm_up)
        cold_sitting, ready_sitting = _sitting(services, exam_id, cold), _sitting(services, exam_id, ready)
        results: dict[str, Any] = {"starts": starts, "bank": seeded.bank_items, "form_items": seeded.form_items}
        results["assembly at start"] = _burst(services, cold_sitting, cold)
        began = time.perf_counter()
        report = preassembly.prepare_due(
            services.db, now=utcnow(), lead_minutes=60, sitting_id=ready_sitting, eligible=retake.eligibility
        )
        job_seconds = time.perf_counter() - began
        results["pre-assembly job"] = {
            "forms": report.sittings[0].prepared_now,
            "seconds": round(job_seconds, 3),
            "ms_per_form": round(job_seconds * 1000 / max(report.sittings[0].prepared_now, 1), 2),
        }
        results["prepared forms"] = _burst(services, ready_sitting, ready)
        results["checks"] = {"assembly at start": _check(services, cold_sitting)}
        results["checks"]["prepared forms"] = _check(services, ready_sitting)
        return results
    finally:
        services.db.dispose()


def _print(results: dict[str, Any]) -> None:
    print(f"{results['starts']} starts per burst, bank {results['bank']} items, {results['form_items']} items a form")
    for name in ("assembly at start", "prepared forms"):
        figures = results[name]
        print(
            f"  {name:18} p50 {figures['p50_ms']:8.1f} ms  p95 {figures['p95_ms']:8.1f} ms"
            f"  p99 {figures['p99_ms']:8.1f} ms  burst {figures['burst_seconds']:6.2f} s"
            f" ({figures['starts_per_second']} starts/s)"
        )
    job = results["pre-assembly job"]
    print(f"  pre-assembly job   {job['forms']} forms in {job['seconds']} s ({job['ms_per_form']} ms a form)")
    for name, check in results["checks"].items():
        print(f"  check {name}: {json.dumps(check)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench starts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=200, help="candidates starting at once in each burst")
    parser.add_argument("--bank", type=int, default=1000, help="approved items in the bank")
    parser.add_argument("--database-url", help="a scratch database (default: SQLite in a temporary directory)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.starts < 1:
        parser.error("--starts must be at least 1")
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'starts.db'}"
        results = measure(url, args.starts, args.bank)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print(results)
    checks = results["checks"]
    ok = checks["prepared forms"]["took_prepared_form"] == args.starts and all(
        c["counters_equal_join"] for c in checks.values()
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
