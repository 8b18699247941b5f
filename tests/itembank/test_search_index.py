"""The item search's indexes: list_items reads the latest versions (is_latest, item_number, partial indexes, labels
keyed by item number, SQLite's FTS5 trigram table / PostgreSQL's pg_trgm index) and must answer exactly what a
brute-force filter over every item's latest version answers; migration 0006 fills all of it on a database that
already holds items, and takes it away again."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import bindparam, inspect, select, text, update
from sqlmodel import Session, col

from bench.itembank import explain
from examengine import migrate
from examengine.accounts import service as accounts
from examengine.db import Database
from examengine.errors import InvalidInput
from itembank import authoring, importing, search
from itembank.content import content_to_json
from itembank.formats.native import item_from_dict
from itembank.models import Item, ItemStatus, ItemVersion, ItemVersionTag, item_code
from tests.conftest import ENGINES, fresh_database

WORDS = ["kalo", "meti", "rasu", "nevo", "bida", "peru", "misa", "tole", "fago", "huze", "value", "graph", "angle"]
WORDS += [f"w{n:03d}x" for n in range(60)]  # rarer words
SPECIAL = ["50% off", "snake_case", "it's", 'say "hi"', "a/b\\c", "100%_sure", "o'brien", "%_%", "x'y\"z"]
COMMON_TAGS = ["t-alpha", "t-beta", "t-gamma", "t-delta"]
DOMAINS = ["D1", "D2", "D3", "D4", "D5"]
ITEMS = 2_400
BATCH = 800

QUERIES = [
    # three characters or more: the text index on SQLite, pg_trgm on PostgreSQL
    "kalo",
    "KaLo",
    "lo me",
    "w017x",
    "value graph",
    "nomatchqx",
    "50%",
    "% off",
    "snake_c",
    "e_c",
    "it's",
    "'s ",
    'say "hi"',
    '"hi"',
    '""',
    "a/b\\c",
    "/b\\",
    "100%_",
    "%_%",
    "o'brien",
    "x'y\"z",
    "  rasu  ",
    # below three characters: LIKE
    "ka",
    "k",
    "%",
    "_",
    "'",
    '"',
    "/",
    "\\",
    "%_",
    "x'",
    "   ",
]


def _stem(rng: random.Random) -> str:
    words = rng.choices(WORDS[:13], k=rng.randint(5, 10)) + rng.choices(WORDS[13:], k=rng.randint(0, 2))
    if rng.random() < 0.25:
        words.insert(rng.randrange(len(words)), rng.choice(SPECIAL))
    if rng.random() < 0.1:
        words[0] = words[0].upper()
    rng.shuffle(words)
    return "<p>" + " ".join(words) + "?</p>"


def _native(rng: random.Random, n: int) -> dict[str, Any]:
    tags = rng.sample(COMMON_TAGS, rng.randint(0, 2))
    if rng.random() < 0.2:
        tags.append(f"r-{rng.randrange(150):03d}")
    metadata: dict[str, Any] = {"tags": tags}
    if rng.random() < 0.9:
        metadata["domain"] = rng.choice(DOMAINS)
    return {
        "id": f"search-{n:05d}",
        "kind": "true_false",
        "title": f"Item {n} {rng.choice(WORDS)}",
        "stem": _stem(rng),
        "answer": rng.random() < 0.5,
        "metadata": metadata,
    }


def _changes(rng: random.Random, item: dict[str, Any]) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.3:
        return {"tags": rng.sample([*COMMON_TAGS, "t-new", f"r-{rng.randrange(150):03d}"], rng.randint(0, 3))}
    if roll < 0.55:
        return {"domain": rng.choice([*DOMAINS, "D9"])}
    if roll < 0.85:
        return {"native": {**item, "stem": _stem(rng)}}
    return {"native": {**item, "stem": "<p>revised " + rng.choice(SPECIAL) + " kalo</p>"}, "tags": ["t-revised"]}


@dataclass
class Bank:
    db: Database
    authors: list[str]
    rare_tags: list[str]


def _users(db: Database) -> list[str]:
    def make(*, session: Session, n: int) -> str:
        return accounts.create_user(
            session=session, email=f"search-author-{n}@example.org", name=f"Author {n}", roles=["author"]
        ).id

    return [db.call(make, n=n) for n in range(3)]


@pytest.fixture(scope="module", params=ENGINES)
def bank(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    """A few thousand items, some with newer versions that change their text, tags, domain and author, every
    version in some status; built once per engine, in a database of its own, for the module's read-only tests."""
    with fresh_database(request, request.param, "examengine_search_bank", tmp_path_factory.mktemp("bank")) as url:
        db = Database(url)
        migrate.upgrade(db.engine)
        try:
            yield _build_bank(db)
        finally:
            db.dispose()


def _build_bank(db: Database) -> Bank:
    rng = random.Random(11)
    authors = _users(db)
    natives = [_native(rng, n) for n in range(ITEMS)]
    ids: list[str] = []
    for start in range(0, ITEMS, BATCH):
        document = json.dumps({"items": natives[start : start + BATCH]}).encode()
        result = importing.read_upload("bank.json", document, "native")
        assert not result.errors
        report = db.call(importing.import_items, result=result, actor_id=authors[start // BATCH % 3])
        ids += [ref.item_id for ref in report.imported]
    latest = dict.fromkeys(ids, 1)
    for index in rng.sample(range(ITEMS), 400) + rng.sample(range(ITEMS), 60):
        view = db.call(
            authoring.create_version,
            item_id=ids[index],
            changes=_changes(rng, natives[index]),
            actor_id=rng.choice(authors),
        )
        latest[ids[index]] = view.version
    moves = [
        {"b_item": item_id, "b_version": version, "b_status": rng.choice(list(ItemStatus)).value}
        for item_id, last in latest.items()
        for version in range(1, last + 1)
    ]
    table = ItemVersion.__table__  # type: ignore[attr-defined]
    statement = (
        table.update()
        .where(table.c.item_id == bindparam("b_item"), table.c.version == bindparam("b_version"))
        .values(status=bindparam("b_status"))
    )
    db.call(lambda *, session: session.execute(statement, moves))
    return Bank(db, authors, sorted({t for n in natives for t in n["metadata"]["tags"] if t.startswith("r-")}))


def _expected(db: Database) -> list[dict[str, Any]]:
    """Every item's latest version, found the slow way: item.latest_version, not the new columns."""

    def read(*, session: Session) -> list[dict[str, Any]]:
        items = {
            row.id: row for row in session.execute(select(col(Item.id), col(Item.number), col(Item.latest_version)))
        }
        rows = []
        for version in session.scalars(select(ItemVersion)):
            item = items[version.item_id]
            if version.version == item.latest_version:
                rows.append(
                    {
                        "item_id": item.id,
                        "number": item.number,
                        "version": version.version,
                        "status": version.status,
                        "title": version.title,
                        "domain": version.domain,
                        "tags": tuple(version.tags),
                        "author_id": version.author_id,
                        "search_text": version.search_text,
                    }
                )
        return sorted(rows, key=lambda r: r["number"])

    return db.call(read, write=False)


def _brute_force(rows: list[dict[str, Any]], filters: dict[str, Any]) -> list[tuple[Any, ...]]:
    found = []
    for row in rows:
        if filters.get("status") and row["status"] != filters["status"]:
            continue
        if filters.get("domain") and row["domain"] != filters["domain"]:
            continue
        if filters.get("author_id") and row["author_id"] != filters["author_id"]:
            continue
        if filters.get("tag") and filters["tag"] not in row["tags"]:
            continue
        if filters.get("q") and filters["q"].strip().lower() not in row["search_text"]:
            continue
        found.append(_key(row["item_id"], item_code(row["number"]), row["version"], row["status"], row))
    return found


def _key(item_id: str, code: str, version: int, status: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return (item_id, code, version, str(status), row["title"], row["domain"], tuple(row["tags"]), row["author_id"])


def _walk(db: Database, filters: dict[str, Any], limit: int) -> list[tuple[Any, ...]]:
    """Every page of list_items, following next_cursor."""
    got: list[tuple[Any, ...]] = []
    cursor = None
    for _ in range(ITEMS):
        page = db.call(search.list_items, write=False, cursor=cursor, limit=limit, **filters)
        got += [_key(s.item_id, s.code, s.latest_version, s.status, {**s.__dict__, "tags": s.tags}) for s in page.items]
        assert len(page.items) == limit or page.next_cursor is None
        if page.next_cursor is None:
            return got
        assert page.next_cursor == page.items[-1].code.removeprefix("ITM-").lstrip("0")
        cursor = page.next_cursor
    raise AssertionError("the cursor never ended")


def _combinations(bank: Bank) -> list[dict[str, Any]]:
    rng = random.Random(5)
    combos: list[dict[str, Any]] = [{}]
    combos += [{"status": s.value} for s in ItemStatus]
    combos += [{"domain": d} for d in [*DOMAINS, "D9", "nowhere"]]
    combos += [{"tag": t} for t in [*COMMON_TAGS, "t-new", "t-revised", *bank.rare_tags[:5], "no-such-tag"]]
    combos += [{"author_id": a} for a in bank.authors]
    combos += [{"q": q} for q in QUERIES]
    for _ in range(140):
        combo: dict[str, Any] = {}
        if rng.random() < 0.5:
            combo["status"] = rng.choice(list(ItemStatus)).value
        if rng.random() < 0.4:
            combo["domain"] = rng.choice(DOMAINS)
        if rng.random() < 0.4:
            combo["tag"] = rng.choice([*COMMON_TAGS, *bank.rare_tags[:10]])
        if rng.random() < 0.3:
            combo["author_id"] = rng.choice(bank.authors)
        if rng.random() < 0.5:
            combo["q"] = rng.choice(QUERIES)
        combos.append(combo)
    return combos


def test_list_items_matches_a_brute_force_filter(bank: Bank) -> None:
    rows = _expected(bank.db)
    assert len(rows) == ITEMS
    rng = random.Random(9)
    nonempty = 0
    for filters in _combinations(bank):
        expected = _brute_force(rows, filters)
        got = _walk(bank.db, filters, rng.choice((7, 50, 400)))
        assert got == expected, filters
        nonempty += bool(expected)
    assert nonempty > 100  # the combinations do find things
    for q in ("50%", "%", "_", "e_c", "it's", "'", '"hi"', '"', "a/b\\c", "\\", "x'y\"z", "KaLo"):
        assert _brute_force(rows, {"q": q}), f"the bank holds no text for {q!r}: the check would prove nothing"


def test_special_characters_are_matched_literally(bank: Bank) -> None:
    rows = _expected(bank.db)
    every = len(rows)
    assert len(_walk(bank.db, {"q": "%"}, 400)) == len(_brute_force(rows, {"q": "%"})) < every
    assert len(_walk(bank.db, {"q": "_"}, 400)) == len(_brute_force(rows, {"q": "_"})) < every
    assert len(_walk(bank.db, {"q": "%%%"}, 400)) == 0
    assert len(_walk(bank.db, {"q": "___"}, 400)) == 0
    assert len(_walk(bank.db, {"q": "   "}, 400)) == every  # blank text filters nothing, as before


def test_the_search_uses_the_indexes_on_sqlite(bank: Bank) -> None:
    if not bank.db.is_sqlite:
        pytest.skip("SQLite's query plans")
    plan = " | ".join(explain(bank.db, {"q": "kalo", "status": "draft"}))
    assert plan.startswith("SCAN item_search VIRTUAL TABLE INDEX") and "ix_item_version_latest" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    plan = " | ".join(explain(bank.db, {"q": "ka"}))
    assert "VIRTUAL TABLE" not in plan and "ix_item_version_latest" in plan, plan
    plan = " | ".join(explain(bank.db, {"status": "draft"}))
    assert "ix_item_version_latest_status" in plan and "TEMP B-TREE" not in plan, plan
    plan = " | ".join(explain(bank.db, {"author_id": bank.authors[0], "status": "draft"}))
    assert "ix_item_version_latest" in plan and "TEMP B-TREE" not in plan, plan
    plan = " | ".join(explain(bank.db, {"tag": "t-alpha", "status": "review"}))
    assert plan.startswith("SEARCH item_version_label USING INDEX ix_item_version_label_lookup"), plan
    assert "TEMP B-TREE" not in plan, plan
    plan = " | ".join(explain(bank.db, {"cursor": "1200"}))
    assert "ix_item_version_latest_number" in plan and "TEMP B-TREE" not in plan, plan


def test_the_trigram_index_exists_on_postgresql(bank: Bank) -> None:
    if bank.db.is_sqlite:
        pytest.skip("PostgreSQL's pg_trgm index")
    with bank.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")):
            pytest.skip("pg_trgm is not installed here: migration 0006 leaves the text search without an index")
        definition = connection.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_item_version_search_trgm'")
        )
        assert "gin_trgm_ops" in definition and "is_latest" in definition
        # a rare word is looked up in the trigram index, once the GIN index has statistics (VACUUM, as autovacuum
        # does; an index built on an empty table and never vacuumed looks too costly to the planner)
        connection.execute(text("VACUUM ANALYZE item_version"))
        plan = connection.execute(
            text(
                "EXPLAIN SELECT item_id FROM item_version WHERE is_latest AND search_text LIKE :p ESCAPE '/' "
                "ORDER BY item_number LIMIT 51"
            ),
            {"p": "%w017x%"},
        ).scalars()
        assert "ix_item_version_search_trgm" in " ".join(plan)


def _state(db: Database) -> dict[str, Any]:
    def read(*, session: Session) -> dict[str, Any]:
        numbers: dict[str, int] = dict(session.execute(select(col(Item.id), col(Item.number))).all())
        latest: dict[str, int] = dict(session.execute(select(col(Item.id), col(Item.latest_version))).all())
        versions = session.execute(
            select(
                col(ItemVersion.item_id),
                col(ItemVersion.version),
                col(ItemVersion.item_number),
                col(ItemVersion.is_latest),
            )
        ).all()
        labels = session.execute(select(col(ItemVersionTag.item_id), col(ItemVersionTag.item_number))).all()
        search: dict[int, str] = {}
        if db.is_sqlite:
            search = dict(session.execute(text("SELECT rowid, search_text FROM item_search")).all())
        texts: dict[int, str] = dict(
            session.execute(
                select(col(ItemVersion.item_number), col(ItemVersion.search_text)).where(col(ItemVersion.is_latest))
            ).all()
        )
        return {"numbers": numbers, "latest": latest, "versions": versions, "labels": labels, "search": search,
                "texts": texts}  # fmt: skip

    return db.call(read, write=False)


def _assert_consistent(db: Database) -> None:
    state = _state(db)
    for item_id, version, number, is_latest in state["versions"]:
        assert number == state["numbers"][item_id]
        assert bool(is_latest) == (version == state["latest"][item_id]), (item_id, version)
    assert sum(bool(v[3]) for v in state["versions"]) == len(state["numbers"])
    assert all(number == state["numbers"][item_id] for item_id, number in state["labels"])
    if db.is_sqlite:
        for number, search_text in state["texts"].items():
            assert state["search"][number] == search_text


def test_create_version_moves_the_latest_flag_and_the_text(db: Database) -> None:
    document = json.dumps(
        {
            "items": [
                {"id": "a", "kind": "true_false", "stem": "<p>zebra crossing</p>", "answer": True,
                 "metadata": {"domain": "D1", "tags": ["old-tag"]}},
                {"id": "b", "kind": "true_false", "stem": "<p>yak shaving</p>", "answer": False},
            ]
        }
    ).encode()  # fmt: skip
    report = db.call(importing.import_items, result=importing.read_upload("a.json", document, "native"))
    first, second = (ref.item_id for ref in report.imported)
    _assert_consistent(db)
    assert [i.item_id for i in db.call(search.list_items, q="zebra", write=False).items] == [first]

    native = {"id": "a", "kind": "true_false", "stem": "<p>okapi 100% crossing</p>", "answer": True}
    db.call(authoring.create_version, item_id=first, changes={"native": native, "tags": ["new-tag"]}, actor_id=None)
    db.call(authoring.create_version, item_id=first, changes={"domain": "D2"}, actor_id=None)
    _assert_consistent(db)

    def ids(**filters: Any) -> list[str]:
        return [i.item_id for i in db.call(search.list_items, write=False, **filters).items]

    assert ids(q="zebra") == [] and ids(q="okapi") == [first] and ids(q="100%") == [first]
    assert ids(q="crossing") == [first] and ids(q="yak") == [second]
    assert ids(tag="old-tag") == [] and ids(tag="new-tag") == [first]
    assert ids(domain="D1") == [] and ids(domain="D2") == [first]
    page = db.call(search.list_items, write=False)
    assert [(i.item_id, i.latest_version) for i in page.items] == [(first, 3), (second, 1)]
    # a version's status moving does not touch the flags
    db.call(
        lambda *, session: session.execute(
            update(ItemVersion).where(col(ItemVersion.item_id) == first).values(status=ItemStatus.REVIEW)
        )
    )
    assert ids(status="review") == [first]
    _assert_consistent(db)


def test_a_bad_cursor_is_refused(db: Database) -> None:
    for cursor in ("x", "-1", "1234567890"):
        with pytest.raises(InvalidInput):
            db.call(search.list_items, write=False, cursor=cursor)


@pytest.fixture(params=ENGINES)
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with fresh_database(request, request.param, "examengine_search_migration", tmp_path) as url:
        database = Database(url)
        yield database
        database.dispose()


def _fill_at_0005(db: Database) -> None:
    """Three items as revision 0005 stored them: the first with two versions, one stem with a percent sign."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with db.engine.begin() as connection:
        for number, (item_id, latest) in enumerate((("i1", 2), ("i2", 1), ("i3", 1)), 1):
            connection.execute(
                text("INSERT INTO item (id, number, latest_version, created_at) VALUES (:id, :n, :v, :at)"),
                {"id": item_id, "n": number, "v": latest, "at": now},
            )
            for version in range(1, latest + 1):
                words = {"i1": f"alpha v{version} 50% off", "i2": "beta gamma", "i3": "gamma delta"}[item_id]
                content = item_from_dict(
                    {"id": item_id, "kind": "true_false", "stem": f"<p>{words}</p>", "answer": True}
                )
                connection.execute(
                    text(
                        "INSERT INTO item_version (item_id, version, status, content, title, search_text, "
                        "interaction, max_score, human_scored, domain, tags, enemy_groups, created_at) VALUES "
                        "(:id, :v, 'draft', :c, :t, :s, '', 1, :f, 'D1', :tags, '[]', :at)"
                    ),
                    {"id": item_id, "v": version, "c": json.dumps(content_to_json(content)),
                     "t": f"{item_id} v{version}", "s": authoring.plain_text(content), "f": False,
                     "tags": json.dumps([f"tag-v{version}"]), "at": now},
                )  # fmt: skip
                connection.execute(
                    text("INSERT INTO item_version_label VALUES (:id, :v, 'tag', :label)"),
                    {"id": item_id, "v": version, "label": f"tag-v{version}"},
                )
                connection.execute(
                    text(
                        "INSERT INTO item_transition (item_id, version, to_status, at, comment) "
                        "VALUES (:id, :v, 'draft', :at, '')"
                    ),
                    {"id": item_id, "v": version, "at": now},
                )


def _counts(db: Database) -> tuple[int, ...]:
    with db.engine.connect() as connection:
        return tuple(
            int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            for table in ("item", "item_version", "item_version_label", "item_transition")
        )


def test_migration_0006_fills_an_existing_bank_and_downgrades_cleanly(old_database: Database) -> None:
    db = old_database
    migrate.upgrade(db.engine, "0005")
    _fill_at_0005(db)
    before = _counts(db)
    migrate.upgrade(db.engine)
    assert _counts(db) == before == (3, 4, 4, 4)
    _assert_consistent(db)

    def ids(**filters: Any) -> list[str]:
        return [i.item_id for i in db.call(search.list_items, write=False, **filters).items]

    assert ids() == ["i1", "i2", "i3"]
    assert ids(q="alpha") == ["i1"] and ids(q="v2 50%") == ["i1"] and ids(q="v1") == [] and ids(q="%") == ["i1"]
    assert ids(q="gamma") == ["i2", "i3"] and ids(q="ga") == ["i2", "i3"]
    assert ids(tag="tag-v1") == ["i2", "i3"] and ids(tag="tag-v2") == ["i1"]
    assert ids(status="draft", cursor="1") == ["i2", "i3"]
    native = {"id": "i2", "kind": "true_false", "stem": "<p>beta epsilon</p>", "answer": True}
    view = db.call(authoring.create_version, item_id="i2", changes={"domain": "D2", "native": native}, actor_id=None)
    assert view.version == 2 and ids(domain="D2") == ["i2"] and ids(q="gamma") == ["i3"] and ids(q="epsilon") == ["i2"]
    _assert_consistent(db)

    config = migrate.alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    assert migrate.current_revision(db.engine) == "0005"
    assert _counts(db) == (3, 5, 5, 5)  # nothing cascaded away
    columns = {c["name"] for c in inspect(db.engine).get_columns("item_version")}
    assert "is_latest" not in columns and "item_number" not in columns
    assert "item_number" not in {c["name"] for c in inspect(db.engine).get_columns("item_version_label")}
    assert not any(name.startswith("item_search") for name in inspect(db.engine).get_table_names())
    indexes = {i["name"]: i["column_names"] for i in inspect(db.engine).get_indexes("item_version_label")}
    assert indexes["ix_item_version_label_lookup"] == ["kind", "label"]

    migrate.upgrade(db.engine)
    _assert_consistent(db)
    assert ids(domain="D2") == ["i2"] and ids(q="gamma") == ["i3"]
