"""Assembly latency against bank size: `python -m examengine.exams.assembly --bench [--forms 500]`.

A 60-item blueprint (six domain rules of ten, difficulty target, 30% exposure cap) is assembled from rule pools cut
from a generated bank of 1,000 and of 100,000 items of the same shape. Each timed form is a retake (sixty items
seen before) in a sitting whose exposure counts grow form by form, after untimed warm-up forms. Assembly should
cost the same for both banks: the ratio of the medians is the figure to watch (target at most 1.5).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter

from examengine.exams.assembly import (
    AssemblyContext,
    Blueprint,
    DrawRule,
    Pool,
    PoolItem,
    SectionPlan,
    SectionPool,
    assemble,
)

DOMAINS = [f"D{n}" for n in range(1, 7)]
PER_DOMAIN = 10
RATIO_TARGET = 1.5
BANKS = (1_000, 100_000)
WARMUP_FORMS = 30
OPTIONS: dict[str, tuple[str, ...]] = {"RESPONSE": ("A", "B", "C", "D", "E")}
SHUFFLE = {"RESPONSE": True}
PINNED: dict[str, tuple[str, ...]] = {"RESPONSE": ("E",)}  # "none of the above" stays last


def domain_items(domain: str, count: int, rng: random.Random) -> tuple[PoolItem, ...]:
    """`count` items of one domain; about one in five is in an enemy pair with its neighbour."""
    items: list[PoolItem] = []
    while len(items) < count:
        paired = len(items) + 2 <= count and rng.random() < 1 / 9
        groups = (f"E-{domain}-{len(items)}",) if paired else ()
        for _ in range(2 if paired else 1):
            item_id = f"{domain}-{len(items):06d}"
            difficulty = rng.uniform(0.3, 0.9)
            items.append(PoolItem(item_id, 1, domain, (), groups, 1.0, difficulty, OPTIONS, SHUFFLE, PINNED))
    return tuple(items)


def bank_pool(size: int, rng: random.Random) -> tuple[Blueprint, Pool]:
    plan = SectionPlan("Main", draws=tuple(DrawRule(d, None, PER_DOMAIN) for d in DOMAINS))
    blueprint = Blueprint((plan,), difficulty_target=0.6, difficulty_tolerance=0.02, max_exposure=0.3)
    draws = tuple(domain_items(d, size // len(DOMAINS), rng) for d in DOMAINS)
    return blueprint, Pool((SectionPool(draws=draws),))


class Sitting:
    """One bank's pool and the running state of a sitting drawing from it."""

    def __init__(self, size: int) -> None:
        self.rng = random.Random(size)
        self.blueprint, self.pool = bank_pool(size, self.rng)
        self.every_item = [item.item_id for rule in self.pool.sections[0].draws for item in rule]
        self.exposure: Counter[str] = Counter()
        self.forms = 0

    def timed_form(self) -> float:
        context = AssemblyContext(
            self.forms, frozenset(self.rng.sample(self.every_item, 60)), self.exposure, self.forms
        )
        started = time.perf_counter()
        form = assemble(self.blueprint, self.pool, context)
        elapsed = time.perf_counter() - started
        self.exposure.update(slot.item_id for section in form.sections for slot in section.slots)
        self.forms += 1
        return elapsed


def time_forms(sizes: tuple[int, ...], forms: int) -> dict[int, list[float]]:
    """Seconds per form for each bank size; the banks take turns, so a busy machine slows them alike."""
    sittings = {size: Sitting(size) for size in sizes}
    seconds: dict[int, list[float]] = {size: [] for size in sizes}
    for number in range(WARMUP_FORMS + forms):
        for size, sitting in sittings.items():
            elapsed = sitting.timed_form()
            if number >= WARMUP_FORMS:
                seconds[size].append(elapsed)
    return seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m examengine.exams.assembly", description=__doc__.splitlines()[0])
    parser.add_argument("--bench", action="store_true", help="time assembly for a small and a large bank")
    parser.add_argument("--forms", type=int, default=500, help="timed forms per bank (default 500)")
    args = parser.parse_args(argv)
    if not args.bench:
        parser.print_help()
        return 2
    print(f"{'bank':>8} {'rule pool':>10} {'p50 ms':>8} {'p99 ms':>8}")
    timings = time_forms(BANKS, args.forms)
    medians = {size: statistics.median(seconds) for size, seconds in timings.items()}
    for size, seconds in timings.items():
        p99 = percentile(seconds, 0.99)
        print(f"{size:>8,} {size // len(DOMAINS):>10,} {1000 * medians[size]:>8.2f} {1000 * p99:>8.2f}")
    ratio = medians[100_000] / medians[1_000]
    print(f"p50 ratio 100,000 / 1,000: {ratio:.2f} (target <= {RATIO_TARGET})")
    return 0 if ratio <= RATIO_TARGET else 1
