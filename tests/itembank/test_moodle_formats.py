"""Moodle's own GIFT and Aiken fixtures, and the CSV format."""

from __future__ import annotations

from typing import Any

import pytest

from itembank.content import ItemContent
from itembank.formats.aiken import import_aiken
from itembank.formats.csv_format import import_csv
from itembank.formats.gift import import_gift
from itembank.scoring import score
from tests.itembank.refdata import MOODLE, needs_refdata


def _by_title(contents: list[ItemContent]) -> dict[str, ItemContent]:
    return {c.title: c for c in contents}


@needs_refdata
def test_gift_fixture_reads_every_question_kind() -> None:
    result = import_gift((MOODLE / "gift" / "questions.gift.txt").read_bytes(), "questions.gift.txt")
    assert result.problems == []
    kinds = [(item.line, item.content.title, (item.content.native or {})["kind"]) for item in result.items]
    assert kinds == [
        (2, "Q8", "essay"),
        (5, "Moodle activities", "matching"),
        (14, "Q2", "single_choice"),
        (22, "colours", "multiple_response"),
        (31, "Q5", "numeric"),
        (34, "Shortanswer", "short_text"),
        (41, "Q1", "true_false"),
        (46, "2-08 TSL", "true_false"),
        (49, "2-08 TSL", "true_false"),
    ]
    assert len({item.content.identifier for item in result.items}) == 9


GIFT_SCORES: list[tuple[str, dict[str, Any], float | None]] = [
    ("Q8", {"RESPONSE": "Fine, thanks"}, None),
    ("Moodle activities", {"RESPONSE": ["L1 R1", "L2 R2", "L3 R3", "L4 R4"]}, 1.0),
    ("Moodle activities", {"RESPONSE": ["L1 R1", "L2 R2", "L3 R5"]}, 0.5),
    ("Q2", {"RESPONSE": "A"}, 1.0),
    ("Q2", {"RESPONSE": "B"}, 0.0),
    ("colours", {"RESPONSE": ["A", "C"]}, 1.0),  # yellow 50% + off-beige 50%
    ("colours", {"RESPONSE": ["A"]}, 0.5),
    ("colours", {"RESPONSE": ["A", "B"]}, 0.0),  # 50% - 100% floors at 0
    ("Q5", {"RESPONSE": "1"}, 1.0),  # {#3:2} accepts 1..5
    ("Q5", {"RESPONSE": "5"}, 1.0),
    ("Q5", {"RESPONSE": "5.5"}, 0.0),
    ("Shortanswer", {"RESPONSE": "frog"}, 1.0),
    ("Shortanswer", {"RESPONSE": "Cat"}, 0.5),
    ("Shortanswer", {"RESPONSE": "dog"}, 0.0),
    ("Q1", {"RESPONSE": "false"}, 1.0),
    ("Q1", {"RESPONSE": "true"}, 0.0),
]


@needs_refdata
@pytest.mark.parametrize(("title", "responses", "expected"), GIFT_SCORES)
def test_gift_fixture_scores(title: str, responses: dict[str, Any], expected: float | None) -> None:
    result = import_gift((MOODLE / "gift" / "questions.gift.txt").read_bytes(), "questions.gift.txt")
    content = _by_title([item.content for item in result.items])[title]
    assert score(content, responses).score == expected


@needs_refdata
def test_gift_category_becomes_domain_and_html_is_sanitised() -> None:
    result = import_gift((MOODLE / "gift" / "questions_in_category.gift.txt").read_bytes(), "c.gift")
    assert result.problems == []
    assert [i.metadata.domain for i in result.items] == ["$course$/Default for New Features"] * 4
    greeting = _by_title([i.content for i in result.items])["Greeting"]
    assert '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3" rel="noopener noreferrer">' in greeting.stem
    assert score(greeting, {"RESPONSE": "B"}).score == 1.0


def test_gift_reports_question_without_answers() -> None:
    result = import_gift(b"::ok:: Fine? {T}\n\n::bad:: No braces here\n", "x.gift")
    assert len(result.items) == 1
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [
        (3, "no answer block {...} found (descriptions are not imported)")
    ]


@needs_refdata
def test_aiken_fixture() -> None:
    result = import_aiken((MOODLE / "aiken" / "questions.aiken.txt").read_bytes(), "questions.aiken.txt")
    assert result.problems == []
    first, second = (item.content for item in result.items)
    assert [c.html for c in first.interactions[0].choices] == [
        "Petr Skoda",
        "Martin Dougiamas",
        "Eloy Lafuente",
        "Tim Hunt",
    ]
    assert first.response("RESPONSE").correct_response == ("B",)  # type: ignore[union-attr]
    assert '&lt;html class="cool"&gt; &amp; images' in second.stem
    assert score(second, {"RESPONSE": "A"}).score == 1.0


@needs_refdata
def test_aiken_errors_are_reported_on_their_lines_and_good_questions_kept() -> None:
    result = import_aiken((MOODLE / "aiken" / "aiken_errors.txt").read_bytes(), "aiken_errors.txt")
    assert [p.line for p in result.problems] == [3, 5, 7, 18]
    assert all(p.severity == "error" for p in result.problems)
    stems = [item.content.stem.split("</p>")[0] for item in result.items]
    assert stems == ["<p>A good question", "<p>A second good question"]
    assert [item.content.response("RESPONSE").correct_response for item in result.items] == [("A",), ("B",)]  # type: ignore[union-attr]


CSV = b"""id,kind,stem,A,B,C,answer,points,tags
q1,,Two plus two?,3,4,5,B,,arith;easy
q2,multiple_response,Which are primes?,2,4,3,A;C,2,
q3,,Broken,x,,,B,,
,,,,,,,,
q4,single_choice,No answer,a,b,,,,
"""


def test_csv_items_and_row_problems() -> None:
    result = import_csv(CSV, "items.csv")
    assert [i.content.identifier for i in result.items] == ["q1", "q2"]
    assert [(p.line, p.item, p.message) for p in result.problems] == [
        (4, "q3", "answer B names an empty or missing option column"),
        (6, "q4", "the answer column is empty: give the right option's letter"),
    ]
    q1, q2 = (i.content for i in result.items)
    assert result.items[0].metadata.tags == ("arith", "easy")
    assert score(q1, {"RESPONSE": "B"}).score == 1.0
    assert [score(q2, {"RESPONSE": r}).score for r in (["A", "C"], ["A"], ["A", "B"], ["B"])] == [2.0, 1.0, 0.0, 0.0]
    assert score(q2, {}).max_score == 2.0


def test_csv_without_required_columns() -> None:
    result = import_csv(b"question,a,b\nx,1,2\n", "bad.csv")
    assert result.items == []
    assert result.problems[0].line == 1
    assert "answer, stem" in result.problems[0].message
