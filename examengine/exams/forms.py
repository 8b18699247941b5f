"""From a published (or to-be-published) version's blueprint and pools to what the assembler takes."""

from __future__ import annotations

from collections.abc import Sequence

from examengine.caches import CacheKind, ProcessCaches
from examengine.exams.assembly.model import Blueprint, DrawRule, ItemRef, Pool, PoolItem, SectionPlan, SectionPool
from examengine.exams.definition import ExamDefinition
from examengine.exams.service import PoolItemRow, RulePool


def _pool_item(row: PoolItemRow) -> PoolItem:
    return PoolItem(row.item_id, row.version, row.domain, row.tags, row.enemy_groups, row.points, row.difficulty)


CONVERTED: CacheKind[tuple[int, int], tuple[ExamDefinition, Sequence[RulePool], Blueprint, Pool]] = CacheKind(
    "assembly inputs", 64
)


def blueprint_and_pool(
    definition: ExamDefinition, pools: Sequence[RulePool], caches: ProcessCaches | None = None
) -> tuple[Blueprint, Pool]:
    """What the assembler takes. A published version's definition and pinned pools are the same objects on every
    start (both are kept in the process caches), so their conversion is kept there too when `caches` is given: a
    start must not rebuild a pool of 100,000 items. The entry holds both objects, so an id is never mistaken for
    another's."""
    if caches is None:
        return _convert(definition, pools)
    converted = caches.of(CONVERTED)
    key = (id(definition), id(pools))
    found = converted.get(key)
    if found is not None and found[0] is definition and found[1] is pools:
        return found[2], found[3]
    blueprint, pool = _convert(definition, pools)
    converted.put(key, (definition, pools, blueprint, pool))
    return blueprint, pool


def _convert(definition: ExamDefinition, pools: Sequence[RulePool]) -> tuple[Blueprint, Pool]:
    by_rule = {(pool.section, pool.rule): pool for pool in pools}
    sections, section_pools = [], []
    for index, section in enumerate(definition.sections):
        fixed = by_rule.get((index, -1))
        sections.append(
            SectionPlan(
                section.title,
                tuple(ItemRef(i.item_id, i.version) for i in section.items),
                tuple(DrawRule(r.domain, r.tag, r.count) for r in section.draw),
                section.shuffle_items,
                section.shuffle_options,
            )
        )
        section_pools.append(
            SectionPool(
                tuple(_pool_item(row) for row in fixed.items) if fixed else (),
                tuple(tuple(_pool_item(row) for row in by_rule[(index, r)].items) for r in range(len(section.draw))),
            )
        )
    blueprint = Blueprint(
        tuple(sections), definition.difficulty_target, definition.difficulty_tolerance, definition.max_exposure
    )
    return blueprint, Pool(tuple(section_pools))
