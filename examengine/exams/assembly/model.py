"""The values form assembly takes and returns: frozen, plain, JSON-serialisable with `dataclasses.asdict`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from examengine.errors import Conflict


class AssemblyError(Conflict):
    """The pool cannot fill the blueprint on one form without breaking a hard rule."""

    code = "assembly_infeasible"


@dataclass(frozen=True, slots=True)
class PoolItem:
    """A pinned item version with what assembly needs: its metadata and its choice interactions' options."""

    item_id: str
    version: int
    domain: str | None = None
    tags: tuple[str, ...] = ()
    enemy_groups: tuple[str, ...] = ()
    points: float = 1.0
    difficulty: float | None = None  # classical p-value in [0, 1]
    choice_orders: dict[str, tuple[str, ...]] = field(default_factory=dict)  # response id -> authored option ids
    shuffle: dict[str, bool] = field(default_factory=dict)  # response id -> whether the item allows shuffling
    fixed_options: dict[str, tuple[str, ...]] = field(default_factory=dict)  # option ids that stay in place


@dataclass(frozen=True, slots=True)
class ItemRef:
    item_id: str
    version: int


@dataclass(frozen=True, slots=True)
class DrawRule:
    domain: str | None
    tag: str | None
    count: int

    def describe(self) -> str:
        parts = [f"domain {self.domain}" if self.domain else "", f"tag {self.tag}" if self.tag else ""]
        return " and ".join(p for p in parts if p) or "any item"


@dataclass(frozen=True, slots=True)
class SectionPlan:
    title: str
    fixed: tuple[ItemRef, ...] = ()
    draws: tuple[DrawRule, ...] = ()
    shuffle_items: bool = True
    shuffle_options: bool = True


@dataclass(frozen=True, slots=True)
class Blueprint:
    sections: tuple[SectionPlan, ...]
    difficulty_target: float | None = None
    difficulty_tolerance: float | None = None
    max_exposure: float | None = None  # the largest share of a sitting's forms one item may appear on


@dataclass(frozen=True, slots=True)
class SectionPool:
    """One section's pinned items: its fixed items, and per draw rule (in the plan's order) the eligible items."""

    fixed: tuple[PoolItem, ...] = ()
    draws: tuple[tuple[PoolItem, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Pool:
    sections: tuple[SectionPool, ...]


@dataclass(frozen=True, slots=True)
class AssemblyContext:
    seed: int
    seen_item_ids: frozenset[str] = frozenset()  # items this candidate met in earlier attempts
    exposure: Mapping[str, int] = field(default_factory=dict)  # forms of this sitting already holding each item
    forms_so_far: int = 0


@dataclass(frozen=True, slots=True)
class Slot:
    item_id: str
    version: int
    option_orders: dict[str, tuple[str, ...]]  # response id -> option ids in delivery order


@dataclass(frozen=True, slots=True)
class FormSection:
    title: str
    slots: tuple[Slot, ...]


@dataclass(frozen=True, slots=True)
class AssemblyReport:
    repeats_forced: tuple[str, ...]  # drawn items the candidate saw before, used because the pool ran out
    exposure_cap_relaxed: bool
    mean_difficulty: float | None  # over the form's items of known difficulty
    within_tolerance: bool | None  # None without a difficulty target and tolerance
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AssembledForm:
    sections: tuple[FormSection, ...]
    report: AssemblyReport


@dataclass(frozen=True, slots=True)
class Shortfall:
    section: int
    rule: int  # -1: the section's fixed items; for a shortfall shared by several rules, the first of them
    description: str
    needed: int
    available: int

    @property
    def message(self) -> str:
        return f"{self.description} needs {self.needed}, has {self.available} approved"
