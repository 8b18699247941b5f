"""The item bank benchmark's bank: a timed import, then the bank grown to its size through the same services, with
the review workflow's statuses set in bulk (see bench/itembank.py)."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlmodel import Session

from bench.figures import progress
from bench.items import COMMON_TAGS, Vocabulary, native_document, native_item
from examengine.accounts import service as accounts
from examengine.clock import utcnow
from examengine.db import Database
from itembank import authoring, importing
from itembank.models import ALLOWED_TRANSITIONS, VERSION_TABLE, ItemStatus, ItemTransition, ItemVersion

IMPORT_TARGET_ITEMS_PER_S = 1_000
BATCH = 5_000
VERSION_BATCH = 1_000
EXTRA_VERSION_SHARE = 0.08
# The final status of the latest versions; earlier versions end approved or retired.
LATEST_STATUS_WEIGHTS = {ItemStatus.DRAFT: 20, ItemStatus.REVIEW: 15, ItemStatus.APPROVED: 55, ItemStatus.RETIRED: 10}
MARKUP = re.compile(r"<[^>]+>")


@dataclass
class Bank:
    """What this run wrote: each item with its latest version number, the users, and phrases for text searches."""

    versions: dict[str, int] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    reviewer: str = ""
    phrases: list[str] = field(default_factory=list)


def users(db: Database) -> tuple[list[str], str]:
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
                    view = authoring.create_version(
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


def _workflow_steps(rng: random.Random, bank: Bank) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Each version this run wrote walked along the workflow to a final status drawn at random; the latest
    versions' final statuses counted."""
    statuses: Counter[str] = Counter()
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
    return steps, statuses


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
    now = utcnow() - timedelta(days=30)
    steps, statuses = _workflow_steps(rng, bank)
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
        progress(f"statuses: {min(start + 20_000, len(steps)):,}/{len(steps):,} workflow steps written")
    return statuses


def _depth(step: dict[str, Any]) -> int:
    return {ItemStatus.DRAFT: 0, ItemStatus.REVIEW: 1, ItemStatus.APPROVED: 2}[step["from"]]


def _import_batch(
    db: Database, items: Sequence[dict[str, Any]], actor: str
) -> tuple[float, float, list[importing.ImportedRef]]:
    data = native_document(items)
    started = time.perf_counter()
    result = importing.read_upload("bench.json", data, "native")
    parsed = time.perf_counter()
    if result.errors:
        raise RuntimeError(f"the generated items do not import: {importing.problem_dict(result.errors[0])}")
    report = db.call(importing.import_items, result=result, actor_id=actor)
    stored = time.perf_counter()
    return parsed - started, stored - parsed, list(report.imported)


def bench_import(db: Database, rng: random.Random, vocab: Vocabulary, bank: Bank, count: int) -> dict[str, Any]:
    items = [native_item(rng, vocab, n) for n in range(count)]
    size = len(native_document(items))
    progress(f"import: {count:,} items generated ({size / 1e6:.1f} MB of native JSON); parsing and storing")
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
    progress(f"import: {figures['total_items_per_s']:,.0f} items/s end to end ({total_s:.1f} s)")
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
    first_batch: tuple[list[dict[str, Any]], list[importing.ImportedRef]],
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
    progress(
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
        progress(
            f"bank: {number:,}/{total_items:,} items, {made:,} extra versions ({time.perf_counter() - started:.0f} s)"
        )
    statuses = _set_statuses(db, rng, bank)
    versions = int(
        db.call(lambda *, session: session.scalar(select(func.count()).select_from(ItemVersion)), write=False)
    )
    seconds = time.perf_counter() - started
    progress(f"bank: {versions:,} versions in {seconds:.0f} s")
    return {
        "versions": versions,
        "items_added": total_items,
        "extra_versions": made,
        "latest_status": dict(sorted(statuses.items())),
        "seconds": round(seconds, 1),
    }
