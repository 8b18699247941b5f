"""What publishing checks: can the pinned pool fill the blueprint on one form, and if not, what is short."""

from __future__ import annotations

from collections.abc import Sequence

from examengine.exams.assembly.flow import RuleDemand, capacity_alone, max_fill, open_items
from examengine.exams.assembly.model import Blueprint, Pool, PoolItem, Shortfall


def check_shape(blueprint: Blueprint, pool: Pool) -> None:
    """Raise ValueError unless the pool has one section per planned section and one item tuple per draw rule."""
    if len(pool.sections) != len(blueprint.sections):
        raise ValueError(f"the pool has {len(pool.sections)} sections, the blueprint {len(blueprint.sections)}")
    for index, (plan, section) in enumerate(zip(blueprint.sections, pool.sections, strict=True)):
        if len(section.draws) != len(plan.draws):
            raise ValueError(f"section {index}: {len(section.draws)} draw pools for {len(plan.draws)} draw rules")


def resolve_fixed(blueprint: Blueprint, pool: Pool) -> tuple[list[list[PoolItem]], list[Shortfall]]:
    """Each section's fixed items in plan order, and a shortfall per section whose fixed items are missing from the
    pool, repeat an item, or hold two items of one enemy group (counting from the form's first fixed item)."""
    placed: list[list[PoolItem]] = []
    shortfalls = []
    taken_ids: set[str] = set()
    taken_groups: set[str] = set()
    for index, (plan, section) in enumerate(zip(blueprint.sections, pool.sections, strict=True)):
        listed = {(item.item_id, item.version): item for item in section.fixed}
        kept = []
        for ref in plan.fixed:
            item = listed.get((ref.item_id, ref.version))
            if item is None or item.item_id in taken_ids or not taken_groups.isdisjoint(item.enemy_groups):
                continue
            kept.append(item)
            taken_ids.add(item.item_id)
            taken_groups.update(item.enemy_groups)
        placed.append(kept)
        if len(kept) < len(plan.fixed):
            shortfalls.append(
                Shortfall(index, -1, f"the fixed items of section {plan.title!r}", len(plan.fixed), len(kept))
            )
    return placed, shortfalls


def open_demands(blueprint: Blueprint, pool: Pool, fixed: Sequence[Sequence[PoolItem]]) -> list[RuleDemand]:
    taken_ids = {item.item_id for items in fixed for item in items}
    taken_groups = {group for items in fixed for item in items for group in item.enemy_groups}
    return [
        RuleDemand(s, r, rule.count, open_items(pool.sections[s].draws[r], taken_ids, taken_groups))
        for s, plan in enumerate(blueprint.sections)
        for r, rule in enumerate(plan.draws)
    ]


def draw_shortfalls(blueprint: Blueprint, demands: Sequence[RuleDemand]) -> list[Shortfall]:
    """Each rule alone against its open items; if every rule passes alone, all rules together (a max flow)."""
    shortfalls = []
    for demand in demands:
        alone = capacity_alone(demand.items)
        if alone < demand.count:
            rule = blueprint.sections[demand.section].draws[demand.rule]
            shortfalls.append(Shortfall(demand.section, demand.rule, rule.describe(), demand.count, alone))
    if shortfalls:
        return shortfalls
    filled, tight = max_fill(demands)
    if sum(filled) == sum(d.count for d in demands):
        return []
    group = [demands[r] for r in tight]
    several_sections = len({d.section for d in group}) > 1
    names = [
        blueprint.sections[d.section].draws[d.rule].describe()
        + (f" in section {blueprint.sections[d.section].title!r}" if several_sections else "")
        for d in group
    ]
    return [
        Shortfall(
            group[0].section,
            group[0].rule,
            " plus ".join(names) + " (sharing items or enemy groups)",
            sum(d.count for d in group),
            sum(filled[r] for r in tight),
        )
    ]


def feasibility(blueprint: Blueprint, pool: Pool) -> tuple[Shortfall, ...]:
    """What keeps the pool from filling the blueprint on one form; empty when every form can be assembled.

    Fixed items come first: a section's fixed items missing from the pool, repeated, or clashing in an enemy group
    are one shortfall per section ("the fixed items of section 'A' needs 5, has 4 approved"); draw pools then lose
    the fixed items and their enemies. Each rule is checked alone (one slot per enemy component), then all rules
    together by an exact bipartite matching (max flow) over shared items and enemy groups; a joint shortfall names
    the rules competing for the missing slots (the source side of the minimum cut: Hall's condition fails for
    them). The matching is exact when no item is in two enemy groups; otherwise groups sharing an item are merged
    into one slot, a conservative bound: `feasibility` may report a shortfall for a blueprint that could be filled,
    never the reverse, so an empty answer guarantees `assemble` succeeds. Raises ValueError when the pool's shape
    does not match the blueprint.
    """
    check_shape(blueprint, pool)
    fixed, shortfalls = resolve_fixed(blueprint, pool)
    return (*shortfalls, *draw_shortfalls(blueprint, open_demands(blueprint, pool, fixed)))
