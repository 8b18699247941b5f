"""Assembly latency against bank size: `python -m bench assembly [--forms 500]`.

A 60-item blueprint (six domain rules of ten, difficulty target, 30% exposure cap) is assembled from rule pools cut
from a generated bank of 1,000 and of 100,000 items of the same shape. Each timed form is a retake (sixty items
seen before) in a sitting whose exposure counts grow form by form, after untimed warm-up forms. Assembly should
cost the same for both banks: the ratio of the medians is the figure to watch (target at most 1.5). A third pool,
every 100th item of the large bank, is as small as the small bank's but spread through memory like the large one:
against it, the large bank shows what pool size alone costs, apart from cache misses on a larger heap. The pools
are frozen out of garbage collection (`gc.freeze`), so a full collection's pause does not land in one form's time.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
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
BLOCK = 25
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
    """One pool and the running state of a sitting drawing from it."""

    def __init__(self, blueprint: Blueprint, pool: Pool, rng: random.Random) -> None:
        self.rng = rng
        self.blueprint, self.pool = blueprint, pool
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


def sittings(sizes: tuple[int, ...]) -> dict[str, Sitting]:
    """A sitting per bank size, and one drawing every 100th item of the largest bank's rule pools: a pool as small
    as the 1,000-item bank's, its items spread through memory like the large bank's."""
    found = {}
    for size in sizes:
        rng = random.Random(size)
        blueprint, pool = bank_pool(size, rng)
        found[f"{size:,}"] = Sitting(blueprint, pool, rng)
    strided = Pool((SectionPool(draws=tuple(rule[::100] for rule in pool.sections[0].draws)),))
    found[f"{size:,} / 100"] = Sitting(blueprint, strided, random.Random(size + 1))
    return found


def time_forms(sizes: tuple[int, ...], forms: int) -> dict[str, tuple[int, list[float]]]:
    """Each sitting's rule pool size and seconds per form. The sittings take turns in blocks of forms, so a machine
    getting busier slows them alike, while each block runs with the caches of a steady stream of one exam's forms."""
    running = sittings(sizes)
    # The banks stay for the whole run, as a server's cache of pinned pools would: out of the collector's sweeps,
    # whose pauses grow with the heap, not with assembly.
    gc.collect()
    gc.freeze()
    for sitting in running.values():
        for _ in range(WARMUP_FORMS):
            sitting.timed_form()
    seconds: dict[str, list[float]] = {name: [] for name in running}
    for start in range(0, forms, BLOCK):
        for name, sitting in running.items():
            seconds[name].extend(sitting.timed_form() for _ in range(min(BLOCK, forms - start)))
    return {name: (len(sitting.pool.sections[0].draws[0]), seconds[name]) for name, sitting in running.items()}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench assembly", description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=500, help="timed forms per bank (default 500)")
    args = parser.parse_args(argv)
    print(f"{'bank':>15} {'rule pool':>10} {'p50 ms':>8} {'p99 ms':>8}")
    medians = {}
    for name, (pool_size, seconds) in time_forms(BANKS, args.forms).items():
        medians[name] = statistics.median(seconds)
        p99 = percentile(seconds, 0.99)
        print(f"{name:>15} {pool_size:>10,} {1000 * medians[name]:>8.2f} {1000 * p99:>8.2f}")
    ratio = medians["100,000"] / medians["1,000"]
    print(f"p50 ratio 100,000 / 1,000: {ratio:.2f} (target <= {RATIO_TARGET})")
    alone = medians["100,000"] / medians["100,000 / 100"]
    print(f"p50 ratio 100,000 / (100,000 / 100), the cost of pool size alone: {alone:.2f}")
    return 0 if ratio <= RATIO_TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
