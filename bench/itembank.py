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
import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.bank import Bank, bench_import, grow_bank, users
from bench.figures import latency_summary, progress
from bench.items import COMMON_TAGS, DOMAINS, RARE_TAGS, Vocabulary
from examengine import migrate
from examengine.db import Database
from itembank import search
from itembank.models import ItemStatus

SEARCH_TARGET_P95_MS = 50.0
WARMUP_SEARCHES = 10


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
        db.call(search.list_items, write=False, **filters)
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
        db.call(search.list_items, write=False, **_filters(rng, vocab, bank, shape))
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
                cursor = db.call(search.list_items, write=False, cursor=cursor, **filters).next_cursor
                if cursor is None:
                    break
            filters = {**filters, "cursor": cursor}
        examples.setdefault(shape, filters)
        began = time.perf_counter()
        page = db.call(search.list_items, write=False, **filters)
        samples[shape].append((time.perf_counter() - began) * 1000)
        rows[shape].append(len(page.items))
        if n % 50 == 0:
            progress(f"search: {n}/{count} ({time.perf_counter() - started:.1f} s)")
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
        progress(f"database {db.engine.url.render_as_string(hide_password=True)}: migrating")
        migrate.upgrade(db.engine)
        vocab = Vocabulary.build(rng)
        authors, reviewer = users(db)
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
