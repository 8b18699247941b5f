"""Drawing items for a form's rules: a greedy draw from samples of the pools, and a cheapest flow when greed fails."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from examengine.exams.assembly.feasibility import draw_shortfalls
from examengine.exams.assembly.flow import RuleDemand, cheapest_fill, open_items
from examengine.exams.assembly.model import AssemblyContext, AssemblyError, Blueprint, PoolItem

# A rule draws from a random sample of this many items per slot (plus a margin) and reads its whole pool only when
# the sample cannot fill it with unseen items under the exposure cap, so cost follows the form, not the bank.
SAMPLE_PER_SLOT = 3
SAMPLE_MARGIN = 16
EPSILON = 1e-9
FIXED = -1


class Form:
    """The items on the form so far: who claimed each item (a draw's number, or FIXED) and each enemy group."""

    def __init__(self) -> None:
        self.owner: dict[str, int] = {}
        self.group_holder: dict[str, str] = {}

    def fits(self, item: PoolItem, replacing: str | None = None) -> bool:
        if item.item_id in self.owner:
            return False
        return not item.enemy_groups or all(
            self.group_holder.get(group, replacing) == replacing for group in item.enemy_groups
        )

    def add(self, item: PoolItem, owner: int) -> None:
        self.owner[item.item_id] = owner
        for group in item.enemy_groups:
            self.group_holder[group] = item.item_id

    def remove(self, item: PoolItem) -> None:
        del self.owner[item.item_id]
        for group in item.enemy_groups:
            del self.group_holder[group]

    def blockers(self, item: PoolItem) -> set[int]:
        holders = [self.group_holder[g] for g in item.enemy_groups if g in self.group_holder]
        return {self.owner[i] for i in (item.item_id, *holders) if i in self.owner}


class Tiers:
    """Preference classes, best first: 0 unseen, 1 unseen over the exposure cap, 2 seen, 3 seen over the cap.

    An unseen item over the cap beats a repeat: a repeat lets this candidate profit from an earlier attempt, while
    one form over the cap raises an item's exposure by a fraction of a percent.
    """

    def __init__(self, blueprint: Blueprint, context: AssemblyContext) -> None:
        self.context = context
        cap = blueprint.max_exposure
        # An item may join this form while (exposure + 1) / (forms + 1) <= cap; no exposure reaches this limit.
        self.limit = float("inf") if cap is None else cap * (context.forms_so_far + 1) + EPSILON - 1
        self.ranks: dict[str, tuple[int, int]] = {}

    def rank(self, item: PoolItem) -> tuple[int, int]:
        """The item's tier and exposure, the greedy draw's order (looked up once per assembly)."""
        rank = self.ranks.get(item.item_id)
        if rank is None:
            exposure = self.context.exposure.get(item.item_id, 0)
            rank = (2 * (item.item_id in self.context.seen_item_ids) + (exposure > self.limit), exposure)
            self.ranks[item.item_id] = rank
        return rank

    def exposure(self, item: PoolItem) -> int:
        return self.rank(item)[1]

    def over_cap(self, item: PoolItem) -> bool:
        return self.rank(item)[0] % 2 == 1

    def of(self, item: PoolItem) -> int:
        return self.rank(item)[0]

    def no_worse(self, replacement: PoolItem, out: PoolItem) -> bool:
        return self.of(replacement) <= self.of(out)

    def seen_no_more(self, replacement: PoolItem, out: PoolItem) -> bool:
        seen = self.context.seen_item_ids
        return replacement.item_id not in seen or out.item_id in seen


@dataclass
class Draw:
    number: int
    section: int
    rule: int
    count: int
    pool: tuple[PoolItem, ...]
    candidates: list[int] = field(default_factory=list)  # pool indices considered: a sample, or all
    picked: list[int] = field(default_factory=list)
    rerouting_may_help: bool = False  # a better item was held by another draw


def pick(draw: Draw, form: Form, tiers: Tiers, rng: random.Random) -> None:
    """Greedy: the draw's count of fitting items, best tier first, then least exposed, ties at random."""
    sample = SAMPLE_PER_SLOT * draw.count + SAMPLE_MARGIN
    if len(draw.pool) > sample:
        pick_among(draw, rng.sample(range(len(draw.pool)), sample), form, tiers, rng)
        if len(draw.picked) == draw.count and all(tiers.of(draw.pool[i]) == 0 for i in draw.picked):
            return
        unpick(draw, form)
    pick_among(draw, list(range(len(draw.pool))), form, tiers, rng)
    worst = max((tiers.of(draw.pool[i]) for i in draw.picked), default=0)
    draw.rerouting_may_help = worst > 0 and any(
        tiers.of(draw.pool[i]) < worst and not form.blockers(draw.pool[i]) <= {FIXED, draw.number}
        for i in draw.candidates
    )


def pick_among(draw: Draw, candidates: list[int], form: Form, tiers: Tiers, rng: random.Random) -> None:
    draw.candidates = candidates
    ranked = sorted(
        (*tiers.rank(item), rng.random(), index) for index in candidates if form.fits(item := draw.pool[index])
    )
    for *_, index in ranked:
        if len(draw.picked) == draw.count:
            break
        if form.fits(draw.pool[index]):
            form.add(draw.pool[index], draw.number)
            draw.picked.append(index)


def unpick(draw: Draw, form: Form) -> None:
    for index in draw.picked:
        form.remove(draw.pool[index])
    draw.picked = []


def profile(draws: Sequence[Draw], tiers: Tiers) -> list[int]:
    """How many picks fall in each tier, worst tier first: a smaller profile is a better draw."""
    counts = [0, 0, 0, 0]
    for draw in draws:
        for index in draw.picked:
            counts[3 - tiers.of(draw.pool[index])] += 1
    return counts


def fill_exactly(blueprint: Blueprint, draws: Sequence[Draw], form: Form, tiers: Tiers, rng: random.Random) -> bool:
    """Redraw all rules as a cheapest flow: fewest picks in the worst tier, then the next tier, then least exposure.

    Returns whether the flow's draw was taken: the greedy one stays if it filled every rule with a profile at least
    as good. Raises AssemblyError when the rules cannot be filled.
    """
    greedy = [(d.candidates, d.picked) for d in draws]
    before = profile(draws, tiers) if all(len(d.picked) == d.count for d in draws) else None
    for draw in draws:
        unpick(draw, form)
    fixed_ids, fixed_groups = set(form.owner), set(form.group_holder)
    demands = []
    for draw in draws:
        shuffled = list(draw.pool)
        rng.shuffle(shuffled)
        demands.append(RuleDemand(draw.section, draw.rule, draw.count, open_items(shuffled, fixed_ids, fixed_groups)))
    slots = sum(d.count for d in draws)
    # Weights that make one pick in a worse tier cost more than any number of picks in better tiers.
    per_tier = slots * (1 + max((tiers.exposure(i) for d in demands for i in d.items), default=0)) + 1
    weights = [0, per_tier, per_tier * (slots + 1), per_tier * (slots + 1) ** 2]
    chosen = cheapest_fill(demands, lambda item: weights[tiers.of(item)] + tiers.exposure(item))
    if chosen is None and before is None:
        shortfalls = draw_shortfalls(blueprint, demands)
        raise AssemblyError(
            "The pool cannot fill the blueprint on one form: " + "; ".join(s.message for s in shortfalls) + ".",
            details={"shortfalls": [s.message for s in shortfalls]},
        )
    if chosen is not None:
        for draw, items in zip(draws, chosen, strict=True):
            position = {item.item_id: index for index, item in enumerate(draw.pool)}
            draw.candidates, draw.picked = list(range(len(draw.pool))), [position[i.item_id] for i in items]
    taken = chosen is not None and (before is None or profile(draws, tiers) < before)
    if not taken:
        for draw, (candidates, picked) in zip(draws, greedy, strict=True):
            draw.candidates, draw.picked = candidates, picked
    for draw in draws:
        for index in draw.picked:
            form.add(draw.pool[index], draw.number)
    return taken
