"""The native format: every kind compiles and scores as documented in NATIVE.md, and bad input is explained."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from itembank.content import content_from_json, content_to_json
from itembank.formats.native import export_native, import_native, item_from_dict
from itembank.formats.qti import export_item_xml, import_item_xml
from itembank.scoring import score

KINDS: list[tuple[dict[str, Any], list[tuple[dict[str, Any], float | None]], float]] = [
    (
        {"kind": "single_choice", "options": [{"id": "A", "text": "3"}, {"id": "B", "text": "4", "correct": True}]},
        [({"RESPONSE": "B"}, 1), ({"RESPONSE": "A"}, 0), ({}, 0)],
        1,
    ),
    (
        {
            "kind": "multiple_response",
            "points": 2,
            "options": [
                {"id": "A", "text": "2", "weight": 1},
                {"id": "B", "text": "4", "weight": -1},
                {"id": "C", "text": "3", "weight": 1},
            ],
        },
        [
            ({"RESPONSE": ["A", "C"]}, 2),
            ({"RESPONSE": ["A"]}, 1),
            ({"RESPONSE": ["A", "B"]}, 0),
            ({"RESPONSE": ["B"]}, 0),
        ],
        2,
    ),
    (
        {
            "kind": "multiple_response",
            "floor": -1,
            "ceiling": 1.5,
            "options": [
                {"id": "A", "text": "a", "weight": 1},
                {"id": "B", "text": "b", "weight": 1},
                {"id": "C", "text": "c", "weight": -2},
            ],
        },
        [({"RESPONSE": ["A", "B"]}, 1.5), ({"RESPONSE": ["C"]}, -1)],
        1.5,
    ),
    ({"kind": "true_false", "answer": False}, [({"RESPONSE": "false"}, 1), ({"RESPONSE": "true"}, 0)], 1),
    (
        {"kind": "numeric", "answer": 100, "tolerance": 5, "tolerance_mode": "relative"},
        [({"RESPONSE": "105"}, 1), ({"RESPONSE": 94.9}, 0), ({"RESPONSE": "abc"}, 0)],
        1,
    ),
    (
        {"kind": "short_text", "answers": [{"text": "New  York"}, {"text": "NYC", "points": 0.5}]},
        [({"RESPONSE": " new york "}, 1), ({"RESPONSE": "nyc"}, 0.5), ({"RESPONSE": "Boston"}, 0)],
        1,
    ),
    (
        {
            "kind": "ordering",
            "points": 3,
            "options": [{"id": "a", "text": "1st"}, {"id": "b", "text": "2nd"}, {"id": "c", "text": "3rd"}],
        },
        [({"RESPONSE": ["a", "b", "c"]}, 3), ({"RESPONSE": ["b", "a", "c"]}, 0)],
        3,
    ),
    (
        {
            "kind": "matching",
            "pairs": [{"left": "NL", "right": "Amsterdam"}, {"left": "BE", "right": "Brussels"}],
            "distractors": ["Paris"],
        },
        [({"RESPONSE": ["L1 R1", "L2 R2"]}, 1), ({"RESPONSE": ["L1 R1", "L2 R3"]}, 0.5)],
        1,
    ),
    (
        {
            "kind": "inline_choice",
            "stem": "<p>Water is {{state}} at {{temp}}.</p>",
            "gaps": [
                {
                    "id": "state",
                    "options": [{"id": "ice", "text": "solid", "correct": True}, {"id": "gas", "text": "gas"}],
                },
                {
                    "id": "temp",
                    "options": [{"id": "m10", "text": "-10 C", "correct": True}, {"id": "p50", "text": "50 C"}],
                },
            ],
        },
        [({"RESPONSE_state": "ice", "RESPONSE_temp": "m10"}, 1), ({"RESPONSE_state": "ice"}, 0.5)],
        1,
    ),
    ({"kind": "essay", "points": 5}, [({"RESPONSE": "text"}, None)], 5),
]


@pytest.mark.parametrize(
    ("spec", "attempts", "maximum"), KINDS, ids=[f"{i}-{k[0]['kind']}" for i, k in enumerate(KINDS)]
)
def test_kind_scores_and_round_trips(spec: dict[str, Any], attempts: list[Any], maximum: float) -> None:
    content = item_from_dict({"id": "q", "stem": "<p>Q?</p>", **spec})
    for responses, expected in attempts:
        result = score(content, responses)
        assert result.score == expected, responses
        assert result.max_score == maximum
    assert content_from_json(json.loads(json.dumps(content_to_json(content)))) == content
    qti = import_item_xml(export_item_xml(content).encode(), "q.xml")
    assert qti.errors == []
    assert qti.items[0].content == content.model_copy(update={"native": None, "rationale": ""})


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {
                "id": "q",
                "kind": "single_choice",
                "stem": "s",
                "options": [{"id": "A", "text": "a"}, {"id": "B", "text": "b"}],
            },
            "exactly one option with correct: true",
        ),
        ({"id": "q", "kind": "numeric", "stem": "s"}, "needs a numeric answer"),
        ({"id": "q", "kind": "inline_choice", "stem": "no gaps", "gaps": []}, "one {{gap-id}} marker per entry"),
        ({"id": "q", "kind": "essay", "stem": "s", "pionts": 3}, "pionts: Extra inputs are not permitted"),
        ({"id": "q", "kind": "hotspot", "stem": "s"}, "kind: Input should be"),
    ],
)
def test_invalid_items_are_explained(document: dict[str, Any], message: str) -> None:
    result = import_native(json.dumps([document]).encode(), "items.json")
    assert result.items == []
    assert message in result.problems[0].message
    assert result.problems[0].item == "q"


def test_yaml_problems_carry_line_numbers_and_duplicates_are_refused() -> None:
    text = (
        b"items:\n  - id: a\n    kind: true_false\n    stem: s\n    answer: true\n"
        b"  - id: a\n    kind: essay\n    stem: e\n  - id: b\n    kind: essay\n"
    )
    result = import_native(text, "items.yaml")
    assert [i.content.identifier for i in result.items] == ["a"]
    assert [(p.line, p.item) for p in result.problems] == [(6, "a"), (9, "b")]
    assert "used twice" in result.problems[0].message


def test_export_native_round_trips_and_documented_example_imports() -> None:
    documented = (Path(__file__).resolve().parents[2] / "itembank" / "formats" / "NATIVE.md").read_text(
        encoding="utf-8"
    )
    example = re.search(r"```yaml\n(.*?)```", documented, re.DOTALL)
    assert example is not None
    result = import_native(example.group(1).encode(), "NATIVE.md")
    assert result.problems == []
    assert score(result.items[0].content, {"RESPONSE": "amsterdam"}).score == 1
    assert result.items[0].metadata.expected_seconds == 30
    again = import_native(export_native([i.content for i in result.items]).encode(), "export.yaml")
    assert [i.content for i in again.items] == [i.content for i in result.items]


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"expected_seconds": -6_992_933_126_114_150}, "expected_seconds"),
        ({"expected_seconds": 86_401}, "expected_seconds"),
        ({"domain": "d" * 101}, "domain"),
        ({"language": "x" * 36}, "language"),
        ({"source": "s" * 501}, "source"),
    ],
)
def test_metadata_that_no_column_could_hold_is_refused_by_name(metadata: dict[str, Any], field: str) -> None:
    """Found from outside: an expected_seconds beyond a 32-bit integer was a 500 on PostgreSQL. Every metadata value
    is bounded as the version's column is, so it is refused where it is read, naming the field."""
    result = import_native(
        json.dumps([{"id": "q1", "kind": "essay", "stem": "Why?", "metadata": metadata}]).encode(), "items.json"
    )
    assert not result.items and len(result.errors) == 1
    assert field in result.errors[0].message
