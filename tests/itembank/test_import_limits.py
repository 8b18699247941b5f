"""Imports stay linear and bounded: repeated ids cost O(1) each, a file has a unit limit named in its refusal,
deep nesting is a clear import error, and long work stops when the server shuts down."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine import shutdown
from examengine.accounts.bulk_import import MAX_ROWS as USER_ROWS
from examengine.accounts.bulk_import import parse_users_csv
from examengine.context import Services
from examengine.errors import InvalidInput, ShuttingDown, TooLarge
from examengine.exams.enrolment_csv import MAX_ROWS as ENROLMENT_ROWS
from examengine.exams.enrolment_csv import parse_enrolment_csv
from itembank.formats.common import MAX_ITEMS_PER_FILE
from itembank.formats.ids import Identifiers
from itembank.importing import read_upload
from tests.api.test_items_api import author, upload  # noqa: F401 - the fixture

QTI_HEAD = '<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="deep" title="t"><itemBody>'


class CountingSet(set[str]):
    lookups = 0

    def __contains__(self, value: object) -> bool:
        CountingSet.lookups += 1
        return super().__contains__(value)


def lookups_for(copies: int) -> int:
    ids = Identifiers()
    ids._used = CountingSet()
    CountingSet.lookups = 0
    claimed = [ids.claim("dup") for _ in range(copies)]
    assert len(set(claimed)) == copies
    return CountingSet.lookups


def test_repeated_identifiers_cost_constant_work_each() -> None:
    small, double = lookups_for(2_000), lookups_for(4_000)
    assert double <= 2 * small + 10  # linear: quadratic work would be 4x
    assert double <= 3 * 4_000


def test_literal_suffixes_are_skipped_and_every_id_stays_unique() -> None:
    ids = Identifiers()
    claimed = [ids.claim(w) for w in ("a-2", "a", "a", "a", "a-3", "9x", "9x", "")]
    assert claimed == ["a-2", "a", "a-3", "a-4", "a-3-2", "q_9x", "q_9x-2", "item"]


def csv_rows(count: int) -> bytes:
    return ("id,stem,a,b,answer\n" + "dup,What?,x,y,A\n" * count).encode()


def test_200000_rows_of_one_repeated_id_are_refused_by_the_row_limit() -> None:
    with pytest.raises(TooLarge) as refused:
        read_upload("big.csv", csv_rows(200_000))
    assert "big.csv" in refused.value.message
    assert f"{MAX_ITEMS_PER_FILE:,} rows" in refused.value.message
    assert refused.value.details == {"file": "big.csv", "limit": MAX_ITEMS_PER_FILE}


def test_repeated_ids_under_the_limit_import_with_unique_identifiers() -> None:
    result = read_upload("dups.csv", csv_rows(3_000))
    assert not result.errors
    assert len({item.content.identifier for item in result.items}) == 3_000


@pytest.mark.parametrize(
    ("name", "document"),
    [
        (
            "many.json",
            json.dumps([{"id": f"i{n}", "kind": "essay", "stem": "x"} for n in range(MAX_ITEMS_PER_FILE + 1)]),
        ),
        ("many.gift", "\n\n".join("Q? {}" for _ in range(MAX_ITEMS_PER_FILE + 1))),
    ],
)
def test_every_format_has_the_item_limit(name: str, document: str) -> None:
    with pytest.raises(TooLarge, match=f"{name} holds more than {MAX_ITEMS_PER_FILE:,}"):
        read_upload(name, document.encode())


@pytest.fixture
def stopping() -> Iterator[None]:
    shutdown.begin()
    try:
        yield
    finally:
        shutdown.reset()


@pytest.mark.usefixtures("stopping")
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rows.csv", csv_rows(10)),
        ("items.json", json.dumps([{"id": "a", "kind": "essay", "stem": "x"}]).encode()),
        ("q.gift", b"Q? {}"),
        ("q.txt", b"Q?\nA. x\nB. y\nANSWER: A\n"),
    ],
)
def test_imports_stop_when_the_server_shuts_down(name: str, data: bytes) -> None:
    with pytest.raises(ShuttingDown):
        read_upload(name, data)


def deep_qti(levels: int) -> bytes:
    return (QTI_HEAD + "<div>" * levels + "x" + "</div>" * levels + "</itemBody></assessmentItem>").encode()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("deep.xml", deep_qti(50_000), "nested more than 100 levels"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("deep.yaml", b"items: " + b"[" * 100_000, "nested too deeply"),
    ],
)
def test_deep_nesting_is_a_clear_import_error(name: str, data: bytes, message: str) -> None:
    result = read_upload(name, data)
    assert result.items == []
    assert message in result.errors[0].message


def test_deep_and_oversized_files_are_4xx_through_the_api(
    app_client: TestClient,
    author: dict[str, str],  # noqa: F811
) -> None:
    upload_: Callable[..., Any] = upload
    deep = upload_(app_client, author, "deep.xml", deep_qti(50_000))
    assert deep.status_code == 422 and "nested more than 100 levels" in deep.text
    big = upload_(app_client, author, "big.csv", csv_rows(MAX_ITEMS_PER_FILE + 1))
    assert big.status_code == 413
    assert big.json()["error"]["code"] == "import_too_large" and "big.csv" in big.json()["error"]["message"]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_enrolment_numbers_must_be_finite(services: Services, make_user: Callable[..., Any], value: str) -> None:
    make_user("cand@example.org")
    data = f"email,extra_minutes,time_multiplier\ncand@example.org,{value},1\ncand@example.org,0,{value}\n".encode()
    with pytest.raises(InvalidInput) as refused:
        services.db.call(parse_enrolment_csv, data=data)
    messages = [p["message"] for p in refused.value.details["problems"]]
    assert "extra_minutes must be a finite number" in messages[0]


def test_enrolment_and_user_files_have_a_row_limit(services: Services) -> None:
    rows = "email\n" + "".join(f"c{n}@example.org\n" for n in range(ENROLMENT_ROWS + 1))
    with pytest.raises(TooLarge, match=f"the limit is {ENROLMENT_ROWS:,}"):
        services.db.call(parse_enrolment_csv, data=rows.encode())
    users = "email,name\n" + "".join(f"u{n}@example.org,U\n" for n in range(USER_ROWS + 1))
    with pytest.raises(TooLarge, match=f"the limit is {USER_ROWS:,}"):
        parse_users_csv(users.encode())


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("n.json", b'[{"id": "a", "kind": "numeric", "stem": "x", "answer": "nan"}]'),
        ("n.json", b'[{"id": "a", "kind": "numeric", "stem": "x", "answer": 1, "tolerance": "inf"}]'),
        ("n.yaml", b"- {id: a, kind: essay, stem: x, points: .inf}"),
        ("n.yaml", b"- {id: a, kind: numeric, stem: x, answer: .nan}"),
    ],
)
def test_items_with_non_finite_numbers_are_refused(name: str, document: bytes) -> None:
    result = read_upload(name, document)
    assert result.items == [] and "finite" in result.errors[0].message


def test_sigterm_sets_the_flag_and_still_reaches_the_servers_own_handler() -> None:
    received: list[int] = []
    original_int = signal.getsignal(signal.SIGINT)
    original = signal.signal(signal.SIGTERM, lambda number, frame: received.append(number))  # stands in for uvicorn
    try:
        shutdown.watch_signals()
        assert not shutdown.stopping()
        signal.raise_signal(signal.SIGTERM)
        assert shutdown.stopping() and received == [signal.SIGTERM]
        with pytest.raises(ShuttingDown, match="shutting down"):
            read_upload("rows.csv", csv_rows(3))
    finally:
        signal.signal(signal.SIGTERM, original)
        signal.signal(signal.SIGINT, original_int)
        shutdown.reset()
