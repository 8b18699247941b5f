"""Form assembly: one candidate's form from a blueprint and its pinned pool, a pure function of a stored seed.
Its latency against bank size: `python -m bench assembly`."""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Sequence

from examengine.exams.assembly.draw import EPSILON, FIXED, Draw, Form, Tiers, fill_exactly, pick
from examengine.exams.assembly.feasibility import check_shape, feasibility, resolve_fixed
from examengine.exams.assembly.model import (
    AssembledForm,
    AssemblyContext,
    AssemblyError,
    AssemblyReport,
    Blueprint,
    DrawRule,
    FormSection,
    ItemRef,
    Pool,
    PoolItem,
    SectionPlan,
    SectionPool,
    Shortfall,
    Slot,
)

__all__ = [
    "AssembledForm",
    "AssemblyContext",
    "AssemblyError",
    "AssemblyReport",
    "Blueprint",
    "DrawRule",
    "FormSection",
    "ItemRef",
    "Pool",
    "PoolItem",
    "SectionPlan",
    "SectionPool",
    "Shortfall",
    "Slot",
    "assemble",
    "feasibility",
]

SWAP_PROBES = 16  # replacement candidates looked at on each side of the ideal difficulty


Allowed = Callable[[PoolItem, PoolItem], bool]  # may this item replace that one on the form?


def _nearest_fitting(
    ladder: list[tuple[float, int]], want: float, out: PoolItem, draw: Draw, form: Form, allowed: Allowed
) -> list[int]:
    """The closest replacement for `out` below and above difficulty `want`, among a few probes on each side."""
    start = bisect.bisect_left(ladder, (want, -1))
    found = []
    for steps in (range(start - 1, max(start - 1 - SWAP_PROBES, -1), -1), range(start, start + SWAP_PROBES)):
        for rung in steps:
            if rung >= len(ladder):
                break
            item = draw.pool[ladder[rung][1]]
            if allowed(item, out) and form.fits(item, replacing=out.item_id):
                found.append(ladder[rung][1])
                break
    return found


def _swap_toward(
    target: float,
    tolerance: float | None,
    known: tuple[float, int],
    draws: Sequence[Draw],
    form: Form,
    allowed: Allowed,
) -> float:
    """Take the swap that brings the difficulty total closest to the target's, until within tolerance or stuck.

    `known` is the total and the number of the form's known difficulties; returns the new total.
    """
    total, count = known
    ladders: list[list[tuple[float, int]]] = []
    for _ in range(sum(d.count for d in draws)):
        gap = target * count - total
        if tolerance is not None and abs(gap) <= tolerance * count + EPSILON:
            break
        ladders = ladders or [
            sorted((d, i) for i in draw.candidates if (d := draw.pool[i].difficulty) is not None) for draw in draws
        ]
        best: tuple[float, Draw, int, int] | None = None
        for draw, ladder in zip(draws, ladders, strict=True):
            for position, index in enumerate(draw.picked):
                out = draw.pool[index]
                if out.difficulty is None:
                    continue
                for candidate in _nearest_fitting(ladder, out.difficulty + gap, out, draw, form, allowed):
                    error = abs(gap - ((draw.pool[candidate].difficulty or 0.0) - out.difficulty))
                    if error < abs(gap) - EPSILON and (best is None or error < best[0]):
                        best = (error, draw, position, candidate)
        if best is None:
            break
        _, draw, position, candidate = best
        out, replacement = draw.pool[draw.picked[position]], draw.pool[candidate]
        form.remove(out)
        form.add(replacement, draw.number)
        draw.picked[position] = candidate
        total += (replacement.difficulty or 0.0) - (out.difficulty or 0.0)
    return total


def _balance(blueprint: Blueprint, fixed: list[PoolItem], draws: Sequence[Draw], form: Form, tiers: Tiers) -> None:
    """Swap drawn items for others of their rule until the mean difficulty is within tolerance: first for items no
    worse in tier; if that falls short, also for unseen items over the exposure cap, since a fair form for this
    candidate outweighs one form's worth of exposure (a repeat never does)."""
    target, tolerance = blueprint.difficulty_target, blueprint.difficulty_tolerance
    known = [i.difficulty for i in (*fixed, *(d.pool[p] for d in draws for p in d.picked)) if i.difficulty is not None]
    if target is None or not known:
        return
    total = _swap_toward(target, tolerance, (sum(known), len(known)), draws, form, tiers.no_worse)
    if tolerance is not None and abs(total / len(known) - target) > tolerance + EPSILON:
        _swap_toward(target, tolerance, (total, len(known)), draws, form, tiers.seen_no_more)


def _option_orders(item: PoolItem, shuffle: bool, rng: random.Random) -> dict[str, tuple[str, ...]]:
    orders = {}
    for response in sorted(item.choice_orders):
        authored = item.choice_orders[response]
        if shuffle and item.shuffle.get(response, False):
            pinned = set(item.fixed_options.get(response, ()))
            movable = [option for option in authored if option not in pinned]
            rng.shuffle(movable)
            moving = iter(movable)
            orders[response] = tuple(option if option in pinned else next(moving) for option in authored)
        else:
            orders[response] = tuple(authored)
    return orders


def _sections(
    blueprint: Blueprint, fixed: list[list[PoolItem]], draws: Sequence[Draw], rng: random.Random
) -> tuple[FormSection, ...]:
    items = [list(section_fixed) for section_fixed in fixed]
    for draw in draws:
        # Unshuffled sections keep the pool's order within each rule, so the same draw always reads the same.
        items[draw.section].extend(draw.pool[i] for i in sorted(draw.picked))
    sections = []
    for plan, section_items in zip(blueprint.sections, items, strict=True):
        if plan.shuffle_items:
            rng.shuffle(section_items)
        slots = (Slot(i.item_id, i.version, _option_orders(i, plan.shuffle_options, rng)) for i in section_items)
        sections.append(FormSection(plan.title, tuple(slots)))
    return tuple(sections)


def _report(
    blueprint: Blueprint,
    context: AssemblyContext,
    fixed: list[PoolItem],
    draws: Sequence[Draw],
    tiers: Tiers,
    flow_notes: Sequence[str],
) -> AssemblyReport:
    notes = list(flow_notes)
    drawn = [d.pool[i] for d in draws for i in d.picked]
    repeats = tuple(sorted(i.item_id for i in drawn if i.item_id in context.seen_item_ids))
    over_cap = sorted(i.item_id for i in drawn if tiers.over_cap(i))
    known = [i.difficulty for i in (*fixed, *drawn) if i.difficulty is not None]
    mean = sum(known) / len(known) if known else None
    target, tolerance = blueprint.difficulty_target, blueprint.difficulty_tolerance
    within = None if mean is None or target is None or tolerance is None else abs(mean - target) <= tolerance + EPSILON
    if repeats:
        notes.append(f"{len(repeats)} drawn items were seen in an earlier attempt: too few unseen items fit")
    if seen_fixed := sum(i.item_id in context.seen_item_ids for i in fixed):
        notes.append(f"{seen_fixed} fixed items were seen in an earlier attempt")
    if over_cap:
        notes.append(
            f"{len(over_cap)} drawn items go over the exposure cap of {blueprint.max_exposure}:"
            " too few others fit the rules and the difficulty target"
        )
    if within is False:
        notes.append(f"mean difficulty {mean:.3f} is outside {target} ± {tolerance}: no swap in the pool comes closer")
    return AssemblyReport(repeats, bool(over_cap), mean, within, tuple(notes))


def assemble(blueprint: Blueprint, pool: Pool, context: AssemblyContext) -> AssembledForm:
    """One candidate's form: the same blueprint, pool and context always give the same form.

    Fixed items are placed first; each draw rule then takes exactly its count of distinct items, never two of one
    enemy group on the form, preferring unseen items, then items under the exposure cap, then the least exposed,
    ties at random from `random.Random(context.seed)`. Rules whose pools are scarcest draw first, from a random
    sample of a large pool; if that greedy draw runs short, or settles for worse items another rule holds, all rules
    are redrawn as a cheapest flow (see `flow`). A swap pass then brings the mean difficulty of the items
    with a known difficulty within tolerance of the target; items without one are neutral. Item and option orders
    are shuffled last where the plan and the item allow, options listed as fixed staying in place.

    Raises AssemblyError when the pool cannot fill the blueprint (never when `feasibility` finds no shortfall) and
    ValueError when the pool's shape does not match the blueprint.
    """
    check_shape(blueprint, pool)
    fixed, fixed_shortfalls = resolve_fixed(blueprint, pool)
    if fixed_shortfalls:
        messages = [s.message for s in fixed_shortfalls]
        raise AssemblyError("The fixed items cannot all be placed: " + "; ".join(messages) + ".")
    rng = random.Random(context.seed)
    tiers = Tiers(blueprint, context)
    form = Form()
    all_fixed = [item for section_fixed in fixed for item in section_fixed]
    for item in all_fixed:
        form.add(item, FIXED)
    draws = [
        Draw(number, s, r, rule.count, pool.sections[s].draws[r])
        for number, (s, r, rule) in enumerate(
            (s, r, rule) for s, plan in enumerate(blueprint.sections) for r, rule in enumerate(plan.draws)
        )
    ]
    for draw in sorted(draws, key=lambda d: (len(d.pool) / max(d.count, 1), d.number)):
        pick(draw, form, tiers, rng)
    redrawn = any(len(d.picked) < d.count or d.rerouting_may_help for d in draws) and fill_exactly(
        blueprint, draws, form, tiers, rng
    )
    _balance(blueprint, all_fixed, draws, form, tiers)
    flow_notes = ["the greedy draw fell short or settled for worse items, so all rules were redrawn as a flow"]
    report = _report(blueprint, context, all_fixed, draws, tiers, flow_notes if redrawn else [])
    return AssembledForm(_sections(blueprint, fixed, draws, rng), report)
