"""Form assembly: the blueprint exactly, enemy groups, retakes, exposure, difficulty, determinism and statistics."""

from __future__ import annotations

import itertools
import json
import random
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from examengine.exams.assembly import (
    AssembledForm,
    AssemblyContext,
    AssemblyError,
    Blueprint,
    DrawRule,
    ItemRef,
    Pool,
    PoolItem,
    SectionPlan,
    SectionPool,
    assemble,
    feasibility,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ("A", "B", "C", "D", "E")
Spec = tuple[str, tuple[str, ...], tuple[tuple[str | None, str | None, int], ...]]  # title, fixed ids, rules


def item(
    item_id: str,
    domain: str | None = "D1",
    *,
    tags: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    difficulty: float | None = None,
    shuffle: bool = True,
    pinned: tuple[str, ...] = ("E",),
) -> PoolItem:
    return PoolItem(item_id, 1, domain, tags, groups, 1.0, difficulty, {"R": OPTIONS}, {"R": shuffle}, {"R": pinned})


def eligible(items: Sequence[PoolItem], domain: str | None, tag: str | None) -> tuple[PoolItem, ...]:
    return tuple(i for i in items if domain in (None, i.domain) and (tag is None or tag in i.tags))


def build(specs: Sequence[Spec], items: Sequence[PoolItem], **options: float | None) -> tuple[Blueprint, Pool]:
    """A blueprint and the pool a caller would pass: fixed items by id, each rule's pool by domain and tag."""
    by_id = {i.item_id: i for i in items}
    plans, sections = [], []
    for title, fixed, rules in specs:
        plans.append(SectionPlan(title, tuple(ItemRef(f, 1) for f in fixed), tuple(DrawRule(*r) for r in rules)))
        sections.append(
            SectionPool(tuple(by_id[f] for f in fixed if f in by_id), tuple(eligible(items, d, t) for d, t, _ in rules))
        )
    return Blueprint(tuple(plans), **options), Pool(tuple(sections))


def rules_filled(drawn: Sequence[str], pools: Sequence[tuple[PoolItem, ...]], counts: Sequence[int]) -> bool:
    """Whether the drawn items fill each rule exactly from its pool: a bipartite matching (Kuhn) onto rule seats."""
    seats = [{i.item_id for i in pool} for pool, count in zip(pools, counts, strict=True) for _ in range(count)]
    holder: dict[int, str] = {}

    def seat(item_id: str, tried: set[int]) -> bool:
        for number, allowed in enumerate(seats):
            if item_id in allowed and number not in tried:
                tried.add(number)
                if number not in holder or seat(holder[number], tried):
                    holder[number] = item_id
                    return True
        return False

    return len(drawn) == len(seats) and all(seat(i, set()) for i in drawn)


def check(form: AssembledForm, blueprint: Blueprint, pool: Pool) -> None:
    """Every hard rule: fixed items present, each rule filled exactly, no repeats, one item per enemy group,
    pinned versions, option orders that permute the authored ones with fixed options in place."""
    known = {i.item_id: i for s in pool.sections for i in (*s.fixed, *itertools.chain(*s.draws))}
    on_form = [slot for section in form.sections for slot in section.slots]
    assert len({slot.item_id for slot in on_form}) == len(on_form)
    groups = Counter(g for slot in on_form for g in known[slot.item_id].enemy_groups)
    assert all(n == 1 for n in groups.values()), groups
    for plan, section, built in zip(blueprint.sections, pool.sections, form.sections, strict=True):
        ids = [slot.item_id for slot in built.slots]
        fixed = [ref.item_id for ref in plan.fixed]
        assert set(fixed) <= set(ids)
        assert rules_filled([i for i in ids if i not in fixed], section.draws, [r.count for r in plan.draws])
        for slot in built.slots:
            source = known[slot.item_id]
            assert slot.version == source.version
            for response, authored in source.choice_orders.items():
                order = slot.option_orders[response]
                assert sorted(order) == sorted(authored)
                for position, option in enumerate(authored):
                    if option in source.fixed_options.get(response, ()) or not source.shuffle.get(response):
                        assert order[position] == option
                    if not plan.shuffle_options:
                        assert order == authored


def ids_of(form: AssembledForm) -> list[str]:
    return [slot.item_id for section in form.sections for slot in section.slots]


D1 = [item(f"a{n}") for n in range(6)]
OVERLAP = [item("a", "D1"), item("b", "D1", tags=("calc",)), item("c", "D2", tags=("calc",)), item("d", "D2")]
# Rule 0 may take s or a, but rule 1 needs s: its other items are one enemy group. A greedy draw that gives s to
# rule 0 falls short, and only the joint redraw fills both.
CONTESTED = [item("s", tags=("x",)), item("a")] + [item(f"t{n}", "D2", tags=("x",), groups=("T",)) for n in range(3)]

# case: sections (title, fixed ids, rules), items, ids every form must hold
ASSEMBLES: dict[str, tuple[list[Spec], list[PoolItem], set[str]]] = {
    "one rule, pool exactly its size": ([("A", (), (("D1", None, 6),))], D1, {f"a{n}" for n in range(6)}),
    "fixed item also in the rule's pool": ([("A", ("a0",), (("D1", None, 5),))], D1, {f"a{n}" for n in range(6)}),
    "overlapping rules share items": (
        [("A", (), (("D1", None, 1), (None, "calc", 2), ("D2", None, 1)))],
        OVERLAP,
        {"a", "b", "c", "d"},
    ),
    "enemy of a fixed item is never drawn": (
        [("A", ("f",), (("D1", None, 2),))],
        [item("f", "D0", groups=("E",)), item("x", groups=("E",)), item("y"), item("z")],
        {"f", "y", "z"},
    ),
    "enemy groups across sections": (
        [("A", (), (("D1", None, 1),)), ("B", (), (("D2", None, 2),))],
        [item("p", groups=("E",)), item("q", "D2", groups=("E",)), item("r", "D2"), item("u", "D2")],
        {"p", "r", "u"},
    ),
    "greedy falls short, the joint redraw fills": (
        [("A", (), (("D1", None, 1), (None, "x", 2)))],
        CONTESTED,
        {"a", "s"},
    ),
    "several fixed items and sections": (
        [("A", ("a0", "a1"), ()), ("B", ("a2",), (("D1", None, 3),))],
        D1,
        {f"a{n}" for n in range(6)},
    ),
}


@pytest.mark.parametrize("case", sorted(ASSEMBLES))
def test_assembles_the_blueprint_exactly(case: str) -> None:
    specs, items, required = ASSEMBLES[case]
    blueprint, pool = build(specs, items)
    assert feasibility(blueprint, pool) == ()
    for seed in range(40):
        form = assemble(blueprint, pool, AssemblyContext(seed))
        check(form, blueprint, pool)
        assert required <= set(ids_of(form))


def test_the_joint_redraw_is_what_fills_contested_rules() -> None:
    blueprint, pool = build(ASSEMBLES["greedy falls short, the joint redraw fills"][0], CONTESTED)
    notes = [assemble(blueprint, pool, AssemblyContext(seed)).report.notes for seed in range(40)]
    assert 5 < sum(any("redrawn as a flow" in n for n in form_notes) for form_notes in notes) < 35


# case: sections, items, the shortfalls feasibility reports (assemble raises AssemblyError naming them)
INFEASIBLE: dict[str, tuple[list[Spec], list[PoolItem], list[str]]] = {
    "too few items": (
        [("A", (), (("D1", None, 1), ("D2", None, 8)))],
        [item("x")] + [item(f"b{n}", "D2") for n in range(5)],
        ["domain D2 needs 8, has 5 approved"],
    ),
    "an enemy group fills one slot": (
        [("A", (), (("D1", "calc", 3),))],
        [item(f"e{n}", tags=("calc",), groups=("E",)) for n in range(3)] + [item("f", tags=("calc",))],
        ["domain D1 and tag calc needs 3, has 2 approved"],
    ),
    "fixed items in one enemy group": (
        [("Intro", ("f1", "f2"), ())],
        [item("f1", groups=("E",)), item("f2", groups=("E",))],
        ["the fixed items of section 'Intro' needs 2, has 1 approved"],
    ),
    "fixed item missing from the pool": (
        [("Intro", ("gone",), (("D1", None, 1),))],
        D1,
        ["the fixed items of section 'Intro' needs 1, has 0 approved"],
    ),
    "a fixed item's enemies leave the pool": (
        [("A", ("f",), ()), ("B", (), (("D1", None, 2),))],
        [item("f", "D0", groups=("E",)), item("x", groups=("E",)), item("y")],
        ["domain D1 needs 2, has 1 approved"],
    ),
    "rules that fit alone but not together": (
        [("A", (), (("D1", None, 2),)), ("B", (), ((None, "calc", 2),))],
        [item("a"), item("b", tags=("calc",)), item("c", "D2", tags=("calc",))],
        [
            "domain D1 in section 'A' plus tag calc in section 'B' (sharing items or enemy groups)"
            " needs 4, has 3 approved"
        ],
    ),
    "enemy groups across rules": (
        [("A", (), (("D1", None, 1), ("D2", None, 1)))],
        [item("a", groups=("E",)), item("b", "D2", groups=("E",))],
        ["domain D1 plus domain D2 (sharing items or enemy groups) needs 2, has 1 approved"],
    ),
}


@pytest.mark.parametrize("case", sorted(INFEASIBLE))
def test_feasibility_words_the_shortfall_and_assembly_refuses(case: str) -> None:
    specs, items, messages = INFEASIBLE[case]
    blueprint, pool = build(specs, items)
    assert [s.message for s in feasibility(blueprint, pool)] == messages
    with pytest.raises(AssemblyError) as raised:
        assemble(blueprint, pool, AssemblyContext(7))
    assert messages[0] in str(raised.value)


THIRTY = [item(f"i{n:02d}", difficulty=0.3 + n / 50) for n in range(30)]
EIGHT_OF_THIRTY = [("A", ("i00",), (("D1", None, 8),))]


def test_same_seed_same_form_and_seeds_differ() -> None:
    blueprint, pool = build(EIGHT_OF_THIRTY, THIRTY, difficulty_target=0.6, difficulty_tolerance=0.05)
    forms = [assemble(blueprint, pool, AssemblyContext(seed)) for seed in range(300)]
    assert forms == [assemble(blueprint, pool, AssemblyContext(seed)) for seed in range(300)]
    as_json = [json.dumps(asdict(form), sort_keys=True) for form in forms]
    assert as_json[0] == json.dumps(asdict(assemble(blueprint, pool, AssemblyContext(0))), sort_keys=True)
    assert len(set(as_json)) == 300
    assert len({frozenset(ids_of(form)) for form in forms}) > 250


def test_the_form_does_not_depend_on_string_hashing() -> None:
    script = (
        "import json, dataclasses\n"
        "from tests.exams.test_assembly import ASSEMBLES, CONTESTED, build\n"
        "from examengine.exams.assembly import AssemblyContext, assemble\n"
        "blueprint, pool = build(ASSEMBLES['greedy falls short, the joint redraw fills'][0], CONTESTED)\n"
        "seen = frozenset({'s', 't1'})\n"
        "forms = [assemble(blueprint, pool, AssemblyContext(n, seen, {'a': 3}, 5)) for n in range(30)]\n"
        "print(json.dumps([dataclasses.asdict(f) for f in forms]))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO_ROOT,
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_a_pool_of_another_shape_is_refused() -> None:
    blueprint, pool = build(EIGHT_OF_THIRTY, THIRTY)
    for wrong in (Pool(()), Pool((replace(pool.sections[0], draws=()),))):
        with pytest.raises(ValueError, match=r"draw pools|sections"):
            feasibility(blueprint, wrong)
        with pytest.raises(ValueError, match=r"draw pools|sections"):
            assemble(blueprint, wrong, AssemblyContext(1))


# case: pool size, unseen items in enemy pairs, repeats the retake must make
RETAKES = {"plenty unseen": (30, 0, 0), "pool half seen": (15, 0, 5), "all seen": (10, 0, 10), "pairs": (14, 4, 8)}


@pytest.mark.parametrize("case", sorted(RETAKES))
def test_a_retake_avoids_seen_items_while_the_pool_allows(case: str) -> None:
    size, paired, repeats = RETAKES[case]
    items = [item(f"i{n:02d}", groups=(f"P{n // 2}",) if n >= size - paired else ()) for n in range(size)]
    blueprint, pool = build([("A", (), (("D1", None, 10),))], items)
    for seed in range(20):
        seen = frozenset(f"i{n:02d}" for n in range(min(size - paired, 10)))
        form = assemble(blueprint, pool, AssemblyContext(seed, seen))
        check(form, blueprint, pool)
        reused = sorted(seen & set(ids_of(form)))
        assert len(reused) == repeats
        assert form.report.repeats_forced == tuple(reused)
        assert set(ids_of(form)) != seen or repeats == 10
        assert bool(repeats) == any("seen in an earlier attempt" in n for n in form.report.notes)


# case: exposure of a, b, c, d after 9 forms (cap 50%: 5 is the most an item may reach on form 10), seen items,
# items every form holds, items no form holds, whether the cap was relaxed
EXPOSURES = {
    "over-cap items avoided": ({"a": 5, "b": 5, "c": 4}, "", "cd", "ab", False),
    "relaxed when too few are under the cap": ({"a": 5, "b": 5, "c": 5}, "", "d", "", True),
    "least exposed preferred": ({"a": 1, "b": 2, "c": 3, "d": 4}, "", "ab", "cd", False),
    "an unseen item over the cap beats a repeat": ({"c": 5, "d": 5}, "ab", "cd", "ab", True),
}


@pytest.mark.parametrize("case", sorted(EXPOSURES))
def test_exposure_cap(case: str) -> None:
    exposure, seen, always, never, relaxed = EXPOSURES[case]
    blueprint, pool = build([("A", (), (("D1", None, 2),))], [item(i) for i in "abcd"], max_exposure=0.5)
    for seed in range(20):
        form = assemble(blueprint, pool, AssemblyContext(seed, frozenset(seen), exposure, 9))
        assert set(always) <= set(ids_of(form))
        assert not set(never) & set(ids_of(form))
        assert form.report.exposure_cap_relaxed is relaxed


SPREAD = [item(f"i{n:02d}", difficulty=0.2 + n / 53) for n in range(40)]
HALF_KNOWN = [item(f"i{n:02d}", difficulty=0.2 + n / 53 if n % 2 else None) for n in range(40)]
# case: items, fixed ids, target, tolerance, whether forms land within tolerance (None: not judged)
DIFFICULTY = {
    "balanced": (SPREAD, (), 0.5, 0.01, True),
    "with a fixed item": (SPREAD, ("i39",), 0.45, 0.01, True),
    "unknown difficulties are neutral": (HALF_KNOWN, (), 0.5, 0.01, True),
    "no target": (SPREAD, (), None, None, None),
    "no tolerance: as close as swaps get": (SPREAD, (), 0.5, None, None),
    "out of reach": (SPREAD[30:], (), 0.4, 0.02, False),
    "no difficulties known": ([item(f"i{n:02d}") for n in range(20)], (), 0.5, 0.01, None),
}


@pytest.mark.parametrize("case", sorted(DIFFICULTY))
def test_mean_difficulty_lands_within_tolerance(case: str) -> None:
    items, fixed, target, tolerance, within = DIFFICULTY[case]
    blueprint, pool = build(
        [("A", fixed, (("D1", None, 10),))], items, difficulty_target=target, difficulty_tolerance=tolerance
    )
    difficulty = {i.item_id: i.difficulty for i in items}
    for seed in range(50):
        form = assemble(blueprint, pool, AssemblyContext(seed))
        check(form, blueprint, pool)
        known = [d for i in ids_of(form) if (d := difficulty[i]) is not None]
        mean = statistics.fmean(known) if known else None
        assert form.report.mean_difficulty == pytest.approx(mean)
        assert form.report.within_tolerance is (within if known else None)
        if form.report.within_tolerance:
            assert mean is not None and target is not None and tolerance is not None
            assert abs(mean - target) <= tolerance + 1e-9
        if case == "no tolerance: as close as swaps get":
            assert mean is not None and abs(mean - 0.5) < 0.005


def test_orders_follow_the_plan_and_the_item() -> None:
    items = [item("fixed1"), item("fixed2"), item("x1", shuffle=False), item("x2", pinned=("A", "E"))] + [
        item(f"y{n}", pinned=()) for n in range(4)
    ]
    plans = {
        "shuffled": build([("A", ("fixed1", "fixed2"), (("D1", None, 6),))], items),
        "in order": build([("A", ("fixed2", "fixed1"), (("D1", None, 6),))], items),
    }
    blueprint, pool = plans["in order"]
    blueprint = Blueprint((SectionPlan("A", blueprint.sections[0].fixed, blueprint.sections[0].draws, False, False),))
    orders = [ids_of(assemble(blueprint, pool, AssemblyContext(seed))) for seed in range(20)]
    assert all(order == ["fixed2", "fixed1", "x1", "x2", "y0", "y1", "y2", "y3"] for order in orders)
    blueprint, pool = plans["shuffled"]
    forms = [assemble(blueprint, pool, AssemblyContext(seed)) for seed in range(100)]
    for form in forms:
        check(form, blueprint, pool)
    assert len({tuple(ids_of(form)) for form in forms}) > 90
    options = {slot.item_id: Counter() for form in forms for slot in form.sections[0].slots}  # type: dict[str, Counter[tuple[str, ...]]]
    for form in forms:
        for slot in form.sections[0].slots:
            options[slot.item_id][slot.option_orders["R"]] += 1
    assert list(options["x1"]) == [OPTIONS]
    assert len(options["x2"]) == 6 and len(options["y0"]) > 50


def loft_bank(rng: random.Random) -> list[PoolItem]:
    """Four domains of 60 items, difficulties known; one item in five is in an enemy pair, often across domains."""
    paired = rng.sample(range(240), 48)
    group = {n: f"P{position // 2}" for position, n in enumerate(paired)}
    return [
        item(
            f"i{n:03d}",
            f"D{n % 4 + 1}",
            groups=(group[n],) if n in group else (),
            difficulty=round(rng.uniform(0.35, 0.85), 3),
        )
        for n in range(240)
    ]


def test_ten_thousand_loft_forms(capsys: pytest.CaptureFixture[str]) -> None:
    forms, cap, target, tolerance, burn_in = 10_000, 0.3, 0.6, 0.02, 20
    items = loft_bank(random.Random(2024))
    blueprint, pool = build(
        [("A", (), tuple((f"D{d}", None, 10) for d in range(1, 5)))],
        items,
        difficulty_target=target,
        difficulty_tolerance=tolerance,
        max_exposure=cap,
    )
    known = {i.item_id: i for i in items}
    exposure: Counter[str] = Counter()
    most_exposed, worst_after_burn_in, relaxed_forms, means = 0, 0.0, [], []
    for number in range(forms):
        form = assemble(blueprint, pool, AssemblyContext(number, frozenset(), exposure, number))
        on_form = [known[i] for i in ids_of(form)]
        assert len({i.item_id for i in on_form}) == 40
        assert Counter(i.domain for i in on_form) == {"D1": 10, "D2": 10, "D3": 10, "D4": 10}
        assert max(Counter(g for i in on_form for g in i.enemy_groups).values(), default=1) == 1
        assert form.report.within_tolerance is True
        means.append(form.report.mean_difficulty or 0.0)
        if form.report.exposure_cap_relaxed:
            relaxed_forms.append(number)
        exposure.update(i.item_id for i in on_form)
        most_exposed = max(most_exposed, *(exposure[i.item_id] for i in on_form))
        if number + 1 >= burn_in:
            worst_after_burn_in = max(worst_after_burn_in, most_exposed / (number + 1))
    realized = max(exposure.values()) / forms
    with capsys.disabled():
        print(
            f"\n{forms} LOFT forms: max exposure {realized:.3f} at the end, {worst_after_burn_in:.3f} over forms "
            f"{burn_in}..{forms} (cap {cap}); cap relaxed on forms {relaxed_forms[:5]}"
            f"{'...' if len(relaxed_forms) > 5 else ''} ({len(relaxed_forms)} forms); mean difficulty "
            f"{min(means):.4f}..{max(means):.4f}, sd {statistics.pstdev(means):.4f} (target {target} ± {tolerance})"
        )
    # No allowance after the burn-in. The cap cannot hold on a sitting's first forms (on form n an item already used
    # is at 1/n or more, and difficulty may need it again), so relaxing is expected there; afterwards an item is
    # only drawn while (exposure + 1) / (forms + 1) <= cap, and a share above the cap only decays.
    assert all(number < burn_in for number in relaxed_forms)
    assert realized <= cap
    assert worst_after_burn_in <= cap
    assert all(abs(mean - target) <= tolerance + 1e-9 for mean in means)


def item_shapes(
    groups: list[tuple[str, ...]],
) -> st.SearchStrategy[tuple[str, tuple[str, ...], tuple[str, ...], int | None]]:
    tags: list[tuple[str, ...]] = [(), (), ("t1",), ("t2",), ("t1", "t2")]
    domains = st.sampled_from(["D1", "D2", "D3"])
    return st.tuples(domains, st.sampled_from(tags), st.sampled_from(groups), st.none() | st.integers(0, 100))


# Strategies built once: building them inside the composite costs more than the test itself.
ONE_GROUP: list[tuple[str, ...]] = [(), (), (), ("E1",), ("E2",), ("E3",), ("E4",)]
SHAPES = {True: st.lists(item_shapes(ONE_GROUP), min_size=1, max_size=12)}
SHAPES[False] = st.lists(item_shapes([*ONE_GROUP, ("E1", "E2")]), min_size=1, max_size=12)
RULES = st.lists(
    st.tuples(
        st.sampled_from(["D1", "D2", "D3", None, None]), st.sampled_from(["t1", "t2", None, None]), st.integers(1, 2)
    ),
    min_size=1,
    max_size=2,
)
SETTINGS = st.tuples(*[st.none() | st.sampled_from([0.05, 0.1, 0.3, 0.5, 0.7])] * 3)


@st.composite
def small_cases(draw: st.DrawFn, *, one_group: bool = False) -> tuple[Blueprint, Pool, AssemblyContext]:
    """Up to twelve items over three domains, two tags and four enemy groups; one or two sections of one or two
    rules (domain, tag, both or neither), up to two fixed items; any seen items, exposure, cap and difficulty."""
    items = [
        item(f"i{n}", domain, tags=tags, groups=groups, difficulty=None if p is None else p / 100)
        for n, (domain, tags, groups, p) in enumerate(draw(SHAPES[one_group]))
    ]
    ids = [i.item_id for i in items]
    fixed = draw(st.lists(st.sampled_from(ids), unique=True, max_size=2))
    specs: list[Spec] = [(f"S{s}", tuple(fixed[s::2]), tuple(draw(RULES))) for s in range(draw(st.integers(1, 2)))]
    target, tolerance, cap = draw(SETTINGS)
    blueprint, pool = build(specs, items, difficulty_target=target, difficulty_tolerance=tolerance, max_exposure=cap)
    seen, exposed = draw(st.tuples(st.sets(st.sampled_from(ids)), st.lists(st.sampled_from(ids), max_size=20)))
    context = AssemblyContext(draw(st.integers(0, 2**32)), frozenset(seen), Counter(exposed), draw(st.integers(0, 10)))
    return blueprint, pool, context


@settings(max_examples=300, deadline=None, database=None)
@given(small_cases())
def test_assembles_whenever_feasible(case: tuple[Blueprint, Pool, AssemblyContext]) -> None:
    blueprint, pool, context = case
    feasible = not feasibility(blueprint, pool)
    try:
        form = assemble(blueprint, pool, context)
    except AssemblyError:
        assert not feasible
        return
    check(form, blueprint, pool)
    drawn = set(ids_of(form)) - {ref.item_id for plan in blueprint.sections for ref in plan.fixed}
    assert form.report.repeats_forced == tuple(sorted(drawn & context.seen_item_ids))
    cap, forms = blueprint.max_exposure, context.forms_so_far + 1
    over_cap = [i for i in drawn if cap is not None and context.exposure.get(i, 0) + 1 > cap * forms + 1e-9]
    assert form.report.exposure_cap_relaxed is bool(over_cap)
    assert form == assemble(blueprint, pool, context)


def fillable(blueprint: Blueprint, pool: Pool) -> bool:
    """Whether some form fills the blueprint, by trying every combination."""
    used: set[str] = set()
    taken: set[str] = set()
    for plan, section in zip(blueprint.sections, pool.sections, strict=True):
        listed = {(i.item_id, i.version): i for i in section.fixed}
        for ref in plan.fixed:
            fixed = listed.get((ref.item_id, ref.version))
            if fixed is None or fixed.item_id in used or taken & set(fixed.enemy_groups):
                return False
            used.add(fixed.item_id)
            taken.update(fixed.enemy_groups)
    rules = [
        (items, rule.count)
        for plan, section in zip(blueprint.sections, pool.sections, strict=True)
        for items, rule in zip(section.draws, plan.draws, strict=True)
    ]

    def place(number: int, used: set[str], taken: set[str]) -> bool:
        if number == len(rules):
            return True
        items, count = rules[number]
        for chosen in itertools.combinations([i for i in items if i.item_id not in used], count):
            groups = [g for i in chosen for g in i.enemy_groups]
            if (
                len(groups) == len(set(groups))
                and not taken & set(groups)
                and place(number + 1, used | {i.item_id for i in chosen}, taken | set(groups))
            ):
                return True
        return False

    return place(0, used, taken)


@settings(max_examples=300, deadline=None, database=None)
@given(small_cases(one_group=True))
def test_feasibility_is_exact_when_no_item_bridges_enemy_groups(case: tuple[Blueprint, Pool, AssemblyContext]) -> None:
    blueprint, pool, _ = case
    assert (feasibility(blueprint, pool) == ()) is fillable(blueprint, pool)
