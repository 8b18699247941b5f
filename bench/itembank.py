"""The item bank benchmark (issue 3): import throughput and filtered search latency over a large bank.

    python -m bench itembank [--items 10000] [--bank 100000] [--database-url URL] [--json]

1. Import: `--items` generated native items (single_choice, multiple_response, numeric, short_text, true_false;
   domains D1..D8, tags, enemy groups, ~300-character stems) as one native JSON document in memory; parsing
   (`read_upload`) and storing (`import_items`, one unit of work) are timed separately and together.
2. Search: the bank grows to `--bank` item versions through the same services (`import_items` in batches of 5,000
   per unit of work, `create_version` for about 8% of the versions). Only the review workflow's statuses are set in
   bulk (an UPDATE and the ItemTransition rows `transition` would write; calling `transition` ~150,000 times would
   take minutes). Then `--searches` randomized `list_items` calls, each in its own read unit of work as a request
   would run it, are timed per query shape, and the SQL of each shape is explained (EXPLAIN QUERY PLAN on SQLite).

Everything generated comes from one seeded random generator, so two runs hold the same bank and the same queries.
Without --database-url the bank is a SQLite file in a temporary directory, deleted afterwards. Progress goes to
stderr; the table goes to stdout, or to stderr with --json, which prints the figures as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, event, func, insert, select
from sqlmodel import Session

from examengine import migrate
from examengine.accounts import service as accounts
from examengine.clock import utcnow
from examengine.db import Database
from itembank import service
from itembank.models import ALLOWED_TRANSITIONS, VERSION_TABLE, ItemStatus, ItemTransition, ItemVersion

IMPORT_TARGET_ITEMS_PER_S = 1_000
SEARCH_TARGET_P95_MS = 50.0
BATCH = 5_000
VERSION_BATCH = 1_000
EXTRA_VERSION_SHARE = 0.08
WARMUP_SEARCHES = 10
DOMAINS = [f"D{n}" for n in range(1, 9)]
DOMAIN_WEIGHTS = [18, 16, 14, 13, 12, 11, 9, 7]
KINDS = ["single_choice", "multiple_response", "numeric", "short_text", "true_false"]
KIND_WEIGHTS = [45, 20, 12, 10, 13]
COMMON_TAGS = [
    "algebra",
    "geometry",
    "statistics",
    "probability",
    "calculus",
    "reading",
    "grammar",
    "vocabulary",
    "chemistry",
    "physics",
    "biology",
    "history",
    "geography",
    "economics",
    "ethics",
    "safety",
    "regulation",
    "networking",
    "security",
    "databases",
]
RARE_TAGS = 3_000
ENEMY_GROUPS = 2_000
# The final status of the latest versions; earlier versions end approved or retired.
LATEST_STATUS_WEIGHTS = {ItemStatus.DRAFT: 20, ItemStatus.REVIEW: 15, ItemStatus.APPROVED: 55, ItemStatus.RETIRED: 10}
ENGLISH_TEXT = (
    "the of and to in is that for it as with was on be by this are or an at from which not have has but all "
    "can one more when will their there been what who if so out about up into than them some could time only "
    "two most other after first also any new because these may such should each both between under while "
    "following correct value given shown above below table figure answer statement best describes result "
    "process system patient sample measure rate level change increase decrease total average number small large "
    "method data model group control effect cause reason example case type form part point line area volume "
    "energy force mass speed water temperature pressure cell function equation graph angle triangle circle "
    "price market cost demand supply law court contract policy risk report network server request record"
)
SYLLABLES = (
    "ka",
    "lo",
    "me",
    "ti",
    "ra",
    "su",
    "ne",
    "vo",
    "bi",
    "da",
    "pe",
    "ru",
    "mi",
    "sa",
    "to",
    "le",
    "fa",
    "go",
    "hu",
    "ze",
    "ni",
    "po",
    "ca",
    "de",
    "li",
    "mo",
)

MARKUP = re.compile(r"<[^>]+>")


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _pseudo_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4)))
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


@dataclass
class Vocabulary:
    """Words ranked by frequency (Zipf): stems are drawn from it and the text searches pick by rank."""

    words: list[str]
    cumulative: list[float]
    absent: list[str]

    @classmethod
    def build(cls, rng: random.Random, size: int = 5_000) -> Vocabulary:
        english = ENGLISH_TEXT.split()
        taken = set(english)
        words = english + _pseudo_words(rng, size - len(english), taken)
        # words that occur nowhere: a letter the syllables never use
        absent = [w[:3] + "qx" + w[3:] for w in _pseudo_words(rng, 50, taken)]
        total, cumulative = 0.0, []
        for rank in range(1, len(words) + 1):
            total += 1.0 / rank
            cumulative.append(total)
        return cls(words, cumulative, absent)

    def sentence(self, rng: random.Random, length: int) -> str:
        return " ".join(rng.choices(self.words, cum_weights=self.cumulative, k=length))


def _text(rng: random.Random, vocab: Vocabulary, chars: int) -> str:
    words = vocab.sentence(rng, max(3, chars // 6))
    return words[:chars].rsplit(" ", 1)[0]


def native_item(rng: random.Random, vocab: Vocabulary, number: int) -> dict[str, Any]:
    """One realistic native item (see itembank/formats/NATIVE.md)."""
    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
    domain = rng.choices(DOMAINS, DOMAIN_WEIGHTS)[0]
    tags = rng.sample(COMMON_TAGS[: rng.choice((5, 10, 20))], rng.randint(1, 3))
    if rng.random() < 0.3:
        tags.append(f"topic-{rng.randrange(RARE_TAGS):04d}")
    enemies = [f"EG-{rng.randrange(ENEMY_GROUPS):04d}"] if rng.random() < 0.15 else []
    stem_text = _text(rng, vocab, rng.randint(220, 380))
    cut = rng.randrange(len(stem_text) // 3, 2 * len(stem_text) // 3)
    stem = f"<p>{stem_text[:cut]}<strong>{stem_text[cut : cut + 12]}</strong>{stem_text[cut + 12 :]}?</p>"
    item: dict[str, Any] = {
        "id": f"bench-{number:07d}",
        "kind": kind,
        "title": f"{domain} {_text(rng, vocab, 40)}",
        "stem": stem,
        "rationale": f"<p>{_text(rng, vocab, 120)}</p>",
        "metadata": {
            "domain": domain,
            "tags": tags,
            "enemy_groups": enemies,
            "language": "en",
            "expected_seconds": rng.choice((30, 45, 60, 90, 120, 180)),
            "source": "examengine bench",
        },
    }
    if kind in ("single_choice", "multiple_response"):
        count = 4 if kind == "single_choice" else 5
        right = set(rng.sample(range(count), 1 if kind == "single_choice" else rng.randint(2, 3)))
        item["options"] = [
            {"id": "ABCDE"[i], "text": _text(rng, vocab, rng.randint(15, 60)) or "none", "correct": i in right}
            for i in range(count)
        ]
        if kind == "multiple_response":
            item["points"] = 2
    elif kind == "numeric":
        item["answer"] = round(rng.uniform(-1000, 1000), 2)
        item["tolerance"] = rng.choice((0, 0.01, 0.5))
    elif kind == "short_text":
        item["answers"] = [{"text": w} for w in rng.sample(vocab.words[:300], rng.randint(1, 2))]
    else:
        item["answer"] = rng.random() < 0.5
    return item


def native_document(items: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps({"format": "examengine-items", "version": 1, "items": list(items)}).encode()


def percentile(ordered: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) of sorted values, interpolating between the closest ranks."""
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "p50_ms": round(percentile(ordered, 50), 2),
        "p95_ms": round(percentile(ordered, 95), 2),
        "p99_ms": round(percentile(ordered, 99), 2),
        "max_ms": round(ordered[-1], 2) if ordered else math.nan,
        "mean_ms": round(sum(ordered) / len(ordered), 2) if ordered else math.nan,
    }


@dataclass
class Bank:
    """What this run wrote: each item with its latest version number, the users, and phrases for text searches."""

    versions: dict[str, int] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    reviewer: str = ""
    phrases: list[str] = field(default_factory=list)


def _users(db: Database) -> tuple[list[str], str]:
    """Three authors and a reviewer (the workflow's separation of duties), created once per database."""

    def ensure(*, session: Session, email: str, roles: list[str]) -> str:
        found = accounts.find_user_id_by_email(session=session, email=email)
        if found:
            return found
        return accounts.create_user(session=session, email=email, name=email.split("@")[0], roles=roles).id

    authors = [db.call(ensure, email=f"bench-author-{n}@example.org", roles=["author"]) for n in range(3)]
    reviewer = db.call(ensure, email="bench-reviewer@example.org", roles=["author"])
    return authors, reviewer


def _version_changes(rng: random.Random, item: dict[str, Any]) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.5:
        tags = list(item["metadata"]["tags"])
        return {"tags": [*tags[:-1], rng.choice(COMMON_TAGS)]}
    if roll < 0.8:
        return {"native": {**item, "stem": item["stem"].replace("?</p>", " (revised wording)?</p>")}}
    return {"points": rng.choice((2, 3))}


def _add_versions(
    db: Database, rng: random.Random, bank: Bank, batch: Sequence[tuple[str, dict[str, Any]]], extras: dict[int, int]
) -> int:
    """New draft versions through create_version, VERSION_BATCH calls per unit of work."""
    work = [(item_id, item, extras[i]) for i, (item_id, item) in enumerate(batch) if extras.get(i)]
    added = 0
    for start in range(0, len(work), VERSION_BATCH):

        def run(*, session: Session, chunk: Sequence[tuple[str, dict[str, Any], int]]) -> int:
            made = 0
            for item_id, item, count in chunk:
                for _ in range(count):
                    view = service.create_version(
                        session=session,
                        item_id=item_id,
                        changes=_version_changes(rng, item),
                        actor_id=bank.authors[made % len(bank.authors)],
                    )
                    bank.versions[item_id] = view.version
                    made += 1
            return made

        added += db.call(run, chunk=work[start : start + VERSION_BATCH])
    return added


def _status_path(rng: random.Random, final: ItemStatus) -> list[ItemStatus]:
    if final == ItemStatus.DRAFT:
        return []
    if final == ItemStatus.RETIRED and rng.random() < 0.3:
        return [ItemStatus.RETIRED]  # a dropped draft
    path = [ItemStatus.REVIEW, ItemStatus.APPROVED, ItemStatus.RETIRED]
    return path[: path.index(final) + 1]


def _set_statuses(db: Database, rng: random.Random, bank: Bank) -> Counter[str]:
    """Walk each version this run wrote along the workflow, writing what `transition` writes, in bulk."""
    move = (
        VERSION_TABLE.update()
        .where(
            VERSION_TABLE.c.item_id == bindparam("b_item"),
            VERSION_TABLE.c.version == bindparam("b_version"),
            VERSION_TABLE.c.status == bindparam("b_from"),
        )
        .values(status=bindparam("b_to"))
    )
    statuses: Counter[str] = Counter()
    now = utcnow() - timedelta(days=30)
    steps: list[dict[str, Any]] = []
    for item_id, latest in bank.versions.items():
        for version in range(1, latest + 1):
            if version == latest:
                final = rng.choices(list(LATEST_STATUS_WEIGHTS), list(LATEST_STATUS_WEIGHTS.values()))[0]
            else:
                final = rng.choice((ItemStatus.APPROVED, ItemStatus.RETIRED))
            current = ItemStatus.DRAFT
            for to in _status_path(rng, final):
                assert to in ALLOWED_TRANSITIONS[current]
                actor = bank.reviewer if to in (ItemStatus.APPROVED, ItemStatus.RETIRED) else bank.authors[0]
                steps.append({"item_id": item_id, "version": version, "from": current, "to": to, "actor": actor})
                current = to
            if version == latest:
                statuses[str(current)] += 1
    # Each UPDATE's WHERE names the status before the step, so steps must run in order per version.
    for start in range(0, len(steps), 20_000):
        chunk = steps[start : start + 20_000]

        def run(*, session: Session, chunk: list[dict[str, Any]] = chunk) -> None:
            for depth in range(3):
                layer = [s for s in chunk if _depth(s) == depth]
                if not layer:
                    continue
                session.execute(
                    move,
                    [
                        {"b_item": s["item_id"], "b_version": s["version"], "b_from": s["from"], "b_to": s["to"]}
                        for s in layer
                    ],
                )
            session.execute(
                insert(ItemTransition),
                [
                    {
                        "item_id": s["item_id"],
                        "version": s["version"],
                        "from_status": s["from"],
                        "to_status": s["to"],
                        "actor_id": s["actor"],
                        "at": now,
                        "comment": "bench",
                    }
                    for s in chunk
                ],
            )

        db.call(run)
        _log(f"statuses: {min(start + 20_000, len(steps)):,}/{len(steps):,} workflow steps written")
    return statuses


def _depth(step: dict[str, Any]) -> int:
    return {ItemStatus.DRAFT: 0, ItemStatus.REVIEW: 1, ItemStatus.APPROVED: 2}[step["from"]]


def _import_batch(
    db: Database, items: Sequence[dict[str, Any]], actor: str
) -> tuple[float, float, list[service.ImportedRef]]:
    data = native_document(items)
    started = time.perf_counter()
    result = service.read_upload("bench.json", data, "native")
    parsed = time.perf_counter()
    if result.errors:
        raise RuntimeError(f"the generated items do not import: {service.problem_dict(result.errors[0])}")
    report = db.call(service.import_items, result=result, actor_id=actor)
    stored = time.perf_counter()
    return parsed - started, stored - parsed, list(report.imported)


def bench_import(db: Database, rng: random.Random, vocab: Vocabulary, bank: Bank, count: int) -> dict[str, Any]:
    items = [native_item(rng, vocab, n) for n in range(count)]
    size = len(native_document(items))
    _log(f"import: {count:,} items generated ({size / 1e6:.1f} MB of native JSON); parsing and storing")
    parse_s, store_s, refs = _import_batch(db, items, bank.authors[0])
    total_s = parse_s + store_s
    bank.versions.update((ref.item_id, 1) for ref in refs)
    _remember_phrases(rng, bank, items)
    figures = {
        "items": count,
        "document_bytes": size,
        "parse_seconds": round(parse_s, 3),
        "store_seconds": round(store_s, 3),
        "total_seconds": round(total_s, 3),
        "parse_items_per_s": round(count / parse_s, 1),
        "store_items_per_s": round(count / store_s, 1),
        "total_items_per_s": round(count / total_s, 1),
        "target_items_per_s": IMPORT_TARGET_ITEMS_PER_S,
    }
    figures["meets_target"] = figures["total_items_per_s"] >= IMPORT_TARGET_ITEMS_PER_S
    _log(f"import: {figures['total_items_per_s']:,.0f} items/s end to end ({total_s:.1f} s)")
    return {**figures, "_items": items, "_refs": refs}


def _remember_phrases(rng: random.Random, bank: Bank, items: Sequence[dict[str, Any]]) -> None:
    """Two-word phrases from real stems, as an author searches for an item they remember."""
    for item in rng.sample(list(items), min(20, len(items))):
        words = MARKUP.sub(" ", item["stem"]).split()
        start = rng.randrange(max(1, len(words) - 2))
        bank.phrases.append(" ".join(words[start : start + 2]).strip("?"))


def grow_bank(
    db: Database,
    rng: random.Random,
    vocab: Vocabulary,
    bank: Bank,
    target_versions: int,
    first_batch: tuple[list[dict[str, Any]], list[service.ImportedRef]],
) -> dict[str, Any]:
    started = time.perf_counter()
    existing = int(
        db.call(lambda *, session: session.scalar(select(func.count()).select_from(ItemVersion)), write=False)
    )
    wanted = max(0, target_versions - existing)
    already = len(first_batch[0])
    total_items = max(already, round((wanted + already) * (1 - EXTRA_VERSION_SHARE)))
    extras_total = max(0, wanted - (total_items - already))
    two = extras_total // 7  # items that get two more versions; the rest get one
    chosen = rng.sample(range(total_items), min(total_items, extras_total - two))
    extras = {index: 2 if n < two else 1 for n, index in enumerate(chosen)}
    _log(
        f"bank: {existing:,} versions present; adding {total_items - already:,} items in batches of {BATCH:,} "
        f"and {extras_total:,} new versions"
    )
    made = _add_versions(
        db, rng, bank, list(zip([r.item_id for r in first_batch[1]], first_batch[0], strict=True)), extras
    )
    number = already
    while number < total_items:
        size = min(BATCH, total_items - number)
        items = [native_item(rng, vocab, n) for n in range(number, number + size)]
        actor = bank.authors[(number // BATCH) % len(bank.authors)]
        _parse, _store, refs = _import_batch(db, items, actor)
        bank.versions.update((ref.item_id, 1) for ref in refs)
        shifted = {i - number: c for i, c in extras.items() if number <= i < number + size}
        made += _add_versions(db, rng, bank, list(zip([r.item_id for r in refs], items, strict=True)), shifted)
        number += size
        _log(f"bank: {number:,}/{total_items:,} items, {made:,} extra versions ({time.perf_counter() - started:.0f} s)")
    statuses = _set_statuses(db, rng, bank)
    versions = int(
        db.call(lambda *, session: session.scalar(select(func.count()).select_from(ItemVersion)), write=False)
    )
    seconds = time.perf_counter() - started
    _log(f"bank: {versions:,} versions in {seconds:.0f} s")
    return {
        "versions": versions,
        "items_added": total_items,
        "extra_versions": made,
        "latest_status": dict(sorted(statuses.items())),
        "seconds": round(seconds, 1),
    }


SHAPES = [
    "first page",
    "status",
    "domain",
    "status+domain",
    "author+status",
    "tag (common)",
    "tag (rare)",
    "status+tag",
    "q (common word)",
    "q (phrase)",
    "q (rare word)",
    "q (no match)",
    "q+status+domain",
    "cursor paging",
]


def _filters(rng: random.Random, vocab: Vocabulary, bank: Bank, shape: str) -> dict[str, Any]:
    status = rng.choice(list(ItemStatus)).value
    domain = rng.choice(DOMAINS)
    common_tag = rng.choice(COMMON_TAGS[:10])
    rare_tag = f"topic-{rng.randrange(RARE_TAGS):04d}"
    common_word = rng.choice(vocab.words[20:200])
    rare_word = rng.choice(vocab.words[3_000:])
    phrase = rng.choice(bank.phrases) if bank.phrases else common_word
    return {
        "first page": {},
        "status": {"status": status},
        "domain": {"domain": domain},
        "status+domain": {"status": status, "domain": domain},
        "author+status": {"author_id": rng.choice(bank.authors), "status": status},
        "tag (common)": {"tag": common_tag},
        "tag (rare)": {"tag": rare_tag},
        "status+tag": {"status": status, "tag": common_tag},
        "q (common word)": {"q": common_word},
        "q (phrase)": {"q": phrase},
        "q (rare word)": {"q": rare_word},
        "q (no match)": {"q": rng.choice(vocab.absent)},
        "q+status+domain": {"q": common_word, "status": status, "domain": domain},
        "cursor paging": rng.choice(({}, {"status": status}, {"domain": domain}, {"tag": common_tag})),
    }[shape]


@contextmanager
def _captured_sql(db: Database) -> Iterator[list[tuple[str, Any]]]:
    captured: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "item_version" in statement:
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield captured
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def explain(db: Database, filters: dict[str, Any]) -> list[str]:
    """The plan of the SELECT list_items runs for these filters."""
    with _captured_sql(db) as captured:
        db.call(service.list_items, write=False, **filters)
    statement, parameters = captured[-1]
    prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    if db.is_sqlite:
        return [str(row[-1]) for row in rows]
    return [str(row[0]) for row in rows]


def bench_search(db: Database, rng: random.Random, vocab: Vocabulary, bank: Bank, count: int) -> dict[str, Any]:
    plan = [SHAPES[i % len(SHAPES)] for i in range(count)]
    rng.shuffle(plan)
    for shape in rng.sample(SHAPES, min(WARMUP_SEARCHES, len(SHAPES))):
        db.call(service.list_items, write=False, **_filters(rng, vocab, bank, shape))
    samples: dict[str, list[float]] = defaultdict(list)
    rows: dict[str, list[int]] = defaultdict(list)
    examples: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    for n, shape in enumerate(plan, 1):
        filters = _filters(rng, vocab, bank, shape)
        if shape == "cursor paging":
            # walk to a page 2..6 deep (not timed), then time the request that carries the cursor
            cursor = None
            for _ in range(rng.randint(1, 5)):
                cursor = db.call(service.list_items, write=False, cursor=cursor, **filters).next_cursor
                if cursor is None:
                    break
            filters = {**filters, "cursor": cursor}
        examples.setdefault(shape, filters)
        began = time.perf_counter()
        page = db.call(service.list_items, write=False, **filters)
        samples[shape].append((time.perf_counter() - began) * 1000)
        rows[shape].append(len(page.items))
        if n % 50 == 0:
            _log(f"search: {n}/{count} ({time.perf_counter() - started:.1f} s)")
    every = [ms for values in samples.values() for ms in values]
    overall = latency_summary(every)
    shapes: dict[str, dict[str, Any]] = {
        shape: {
            **latency_summary(samples[shape]),
            "mean_rows": round(sum(rows[shape]) / len(rows[shape]), 1),
            "example": {k: v for k, v in examples[shape].items() if k != "author_id"},
        }
        for shape in SHAPES
        if samples[shape]
    }
    slow = [shape for shape, figures in shapes.items() if figures["p95_ms"] > SEARCH_TARGET_P95_MS]
    plans = {shape: explain(db, examples[shape]) for shape in shapes}
    return {
        "searches": count,
        "overall": overall,
        "target_p95_ms": SEARCH_TARGET_P95_MS,
        "meets_target": overall["p95_ms"] <= SEARCH_TARGET_P95_MS,
        "over_target_ms": round(max(0.0, overall["p95_ms"] - SEARCH_TARGET_P95_MS), 2),
        "slow_shapes": slow,
        "shapes": shapes,
        "query_plans": plans,
    }


def run(*, items: int, bank_versions: int, database_url: str, seed: int = 3, searches: int = 200) -> dict[str, Any]:
    rng = random.Random(seed)
    db = Database(database_url)
    try:
        _log(f"database {db.engine.url.render_as_string(hide_password=True)}: migrating")
        migrate.upgrade(db.engine)
        vocab = Vocabulary.build(rng)
        authors, reviewer = _users(db)
        bank = Bank(authors=authors, reviewer=reviewer)
        imported = bench_import(db, rng, vocab, bank, items)
        first = (imported.pop("_items"), imported.pop("_refs"))
        grown = grow_bank(db, rng, vocab, bank, bank_versions, first)
        searched = bench_search(db, rng, vocab, bank, searches)
    finally:
        db.dispose()
    return {
        "config": {
            "items": items,
            "bank": bank_versions,
            "searches": searches,
            "seed": seed,
            "database": db.engine.dialect.name,
            "sqlite_version": sqlite3.sqlite_version if db.is_sqlite else None,
        },
        "import": imported,
        "bank": grown,
        "search": searched,
    }


def table(report: dict[str, Any]) -> str:
    imp, bank, search = report["import"], report["bank"], report["search"]

    def verdict(ok: bool) -> str:
        return "meets target" if ok else "MISSES target"

    lines = [
        f"Item bank benchmark ({report['config']['database']}, seed {report['config']['seed']})",
        "",
        f"Import of {imp['items']:,} native items ({imp['document_bytes'] / 1e6:.1f} MB JSON)",
        f"  {'stage':<8} {'seconds':>9} {'items/s':>10}",
        f"  {'parse':<8} {imp['parse_seconds']:>9.2f} {imp['parse_items_per_s']:>10,.0f}",
        f"  {'store':<8} {imp['store_seconds']:>9.2f} {imp['store_items_per_s']:>10,.0f}",
        f"  {'total':<8} {imp['total_seconds']:>9.2f} {imp['total_items_per_s']:>10,.0f}"
        f"   target >= {imp['target_items_per_s']:,}: {verdict(imp['meets_target'])}",
        "",
        f"Bank: {bank['versions']:,} versions; latest status {bank['latest_status']}; built in {bank['seconds']:.0f} s",
        "",
        f"{search['searches']} searches through list_items, one read unit of work each (ms)",
        f"  {'shape':<18} {'n':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'rows':>6}",
    ]
    for shape, f in [*search["shapes"].items(), ("ALL", search["overall"])]:
        rows = f"{f['mean_rows']:>6.1f}" if "mean_rows" in f else ""
        flag = "  <- slow" if shape in search["slow_shapes"] else ""
        lines.append(
            f"  {shape:<18} {f['n']:>4} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f} {f['p99_ms']:>8.1f} "
            f"{f['max_ms']:>8.1f} {rows}{flag}"
        )
    lines.append(f"  target p95 <= {search['target_p95_ms']:.0f} ms: {verdict(search['meets_target'])}")
    lines += ["", "Query plans of the slow shapes" if search["slow_shapes"] else "Query plans"]
    for shape in search["slow_shapes"] or list(search["query_plans"])[:3]:
        lines.append(f"  {shape}:")
        lines += [f"    {step}" for step in search["query_plans"][shape]]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench itembank", description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="items in the timed import (default 10,000)")
    parser.add_argument("--bank", type=int, default=100_000, help="item versions to search over (default 100,000)")
    parser.add_argument("--searches", type=int, default=200, help="timed searches (default 200)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--database-url", help="a database to migrate and fill (default: SQLite in a temp dir)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if args.items < 1 or args.bank < 1 or args.searches < 1:
        print("--items, --bank and --searches must be positive", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="examengine-bench-") as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'itembank.db'}"
        report = run(
            items=args.items, bank_versions=args.bank, database_url=url, seed=args.seed, searches=args.searches
        )
    if args.json:
        print(table(report), file=sys.stderr)
        print(json.dumps(report, indent=2))
    else:
        print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
