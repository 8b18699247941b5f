"""The expression evaluator and the scoring entry point, table-driven with hand-checked values."""

from __future__ import annotations

from typing import Any

import pytest

from itembank.content import (
    ItemContent,
    LookupEntry,
    LookupTable,
    MapEntry,
    Mapping,
    OutcomeDeclaration,
    ResponseDeclaration,
    ResponseProcessing,
    RPNode,
)
from itembank.qti.values import ScoringError
from itembank.scoring import score


def n(name: str, *children: RPNode, text: str | None = None, **attrs: str) -> RPNode:
    return RPNode(name=name, attrs=attrs, children=children, text=text)


def base(value: str, base_type: str = "float") -> RPNode:
    return n("baseValue", text=value, baseType=base_type)


def var(identifier: str = "RESPONSE") -> RPNode:
    return n("variable", identifier=identifier)


def item(expression: RPNode, response: ResponseDeclaration | None = None) -> ItemContent:
    """An item whose SCORE is 1 when `expression` is true, else 0 (so NULL also scores 0)."""
    rule = n(
        "responseCondition",
        n("responseIf", expression, n("setOutcomeValue", base("1"), identifier="SCORE")),
        n("responseElse", n("setOutcomeValue", base("0"), identifier="SCORE")),
    )
    return ItemContent(
        identifier="t",
        responses=(response or ResponseDeclaration(identifier="RESPONSE", cardinality="single", base_type="float"),),
        outcomes=(OutcomeDeclaration(identifier="SCORE", base_type="float"),),
        response_processing=ResponseProcessing(rules=(rule,)),
    )


def equal(mode: str, tolerance: str = "", **extra: str) -> RPNode:
    attrs = {"toleranceMode": mode, **({"tolerance": tolerance} if tolerance else {}), **extra}
    # the tolerance applies around the first operand: the key, as authors write it
    return n("equal", base("10"), var(), **attrs)


CONDITIONS: list[tuple[str, RPNode, Any, float]] = [
    ("exact equal", equal("exact"), 10, 1),
    ("exact unequal", equal("exact"), 10.0001, 0),
    ("absolute inside", equal("absolute", "0.5"), "10.5", 1),
    ("absolute outside", equal("absolute", "0.5"), "10.51", 0),
    ("absolute asymmetric", equal("absolute", "0 1"), 9.9, 0),
    ("absolute bound excluded", equal("absolute", "0.5", includeUpperBound="false"), 10.5, 0),
    ("relative 10% inside", equal("relative", "10"), 11, 1),
    ("relative 10% outside", equal("relative", "10"), 11.01, 0),
    ("null response", equal("exact"), None, 0),
    ("gte", n("gte", var(), base("2")), 2, 1),
    ("lt", n("lt", var(), base("2")), 2, 0),
    ("and with null is null", n("and", n("gte", var(), base("0")), n("isNull", n("null"))), None, 0),
    ("or short-circuits null", n("or", n("isNull", var()), n("gt", var(), base("1"))), None, 1),
    ("not", n("not", n("gt", var(), base("1"))), 0, 1),
    (
        "sum/product/subtract",
        n("equal", n("sum", n("product", base("2"), base("3")), n("subtract", base("1"), var())), base("5")),
        2,
        1,
    ),
    ("divide by zero is null", n("isNull", n("divide", base("1"), base("0"))), 1, 1),
    ("integerDivide", n("equal", n("integerDivide", base("7", "integer"), base("2", "integer")), base("3")), 0, 1),
    ("round half up", n("equal", n("round", base("2.5")), base("3")), 0, 1),
    ("equalRounded 3 sig figs", n("equalRounded", var(), base("3.14159"), figures="3"), 3.14, 1),
    (
        "equalRounded 2 decimals",
        n("equalRounded", var(), base("3.14159"), figures="2", roundingMode="decimalPlaces"),
        3.15,
        0,
    ),
    ("min/max", n("equal", n("max", base("1"), var(), base("3")), base("4")), 4, 1),
]


@pytest.mark.parametrize(("label", "expression", "response", "expected"), CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_numeric_conditions(label: str, expression: RPNode, response: Any, expected: float) -> None:
    assert score(item(expression), {"RESPONSE": response}).score == expected


STRING = ResponseDeclaration(identifier="RESPONSE", cardinality="single", base_type="string")
STRINGS: list[tuple[str, RPNode, Any, float]] = [
    ("stringMatch case-sensitive", n("stringMatch", var(), base("York", "string"), caseSensitive="true"), "york", 0),
    ("stringMatch case-insensitive", n("stringMatch", var(), base("York", "string"), caseSensitive="false"), "YORK", 1),
    ("substring", n("substring", base("ork", "string"), var(), caseSensitive="true"), "New York", 1),
    ("patternMatch full match", n("patternMatch", var(), pattern="[0-9]{4}"), "2024", 1),
    ("patternMatch partial is no match", n("patternMatch", var(), pattern="[0-9]{4}"), "x2024", 0),
    (
        "trim + toAscii",
        n(
            "stringMatch",
            n("customOperator", n("customOperator", var(), definition="x:ToAscii"), definition="x:Trim"),
            base("test", "string"),
            caseSensitive="true",
        ),
        " tést ",
        1,
    ),
    (
        "comma decimal",
        n("equal", n("customOperator", var(), definition="x:ParseCommaDecimal"), base("0.63"), toleranceMode="exact"),
        "0,6300",
        1,
    ),
    ("empty string is null", n("isNull", var()), "", 1),
]


@pytest.mark.parametrize(("label", "expression", "response", "expected"), STRINGS, ids=[c[0] for c in STRINGS])
def test_string_conditions(label: str, expression: RPNode, response: Any, expected: float) -> None:
    assert score(item(expression, STRING), {"RESPONSE": response}).score == expected


MULTIPLE = ResponseDeclaration(
    identifier="RESPONSE", cardinality="multiple", base_type="identifier", correct_response=("A", "B")
)
ORDERED = ResponseDeclaration(
    identifier="RESPONSE", cardinality="ordered", base_type="identifier", correct_response=("A", "B")
)
PAIRS = ResponseDeclaration(
    identifier="RESPONSE", cardinality="multiple", base_type="pair", correct_response=("A B", "C D")
)
CONTAINERS: list[tuple[str, ResponseDeclaration, RPNode, Any, float]] = [
    ("multiple ignores order", MULTIPLE, n("match", var(), n("correct", identifier="RESPONSE")), ["B", "A"], 1),
    (
        "multiple counts duplicates",
        MULTIPLE,
        n("match", var(), n("correct", identifier="RESPONSE")),
        ["A", "B", "B"],
        0,
    ),
    ("ordered respects order", ORDERED, n("match", var(), n("correct", identifier="RESPONSE")), ["B", "A"], 0),
    ("pairs are unordered", PAIRS, n("match", var(), n("correct", identifier="RESPONSE")), ["B A", "D C"], 1),
    ("member", MULTIPLE, n("member", base("A", "identifier"), var()), ["C", "A"], 1),
    (
        "contains",
        MULTIPLE,
        n("contains", var(), n("multiple", base("A", "identifier"), base("C", "identifier"))),
        ["C", "A", "B"],
        1,
    ),
    (
        "contains ordered needs a run",
        ORDERED,
        n("contains", var(), n("ordered", base("A", "identifier"), base("B", "identifier"))),
        ["A", "C", "B"],
        0,
    ),
    (
        "delete then size",
        MULTIPLE,
        n("equal", n("containerSize", n("delete", base("A", "identifier"), var())), base("1")),
        ["A", "B", "A"],
        1,
    ),
    ("index is 1-based", ORDERED, n("match", n("index", var(), n="2"), base("B", "identifier")), ["A", "B"], 1),
    ("empty selection is null", MULTIPLE, n("isNull", var()), [], 1),
]


@pytest.mark.parametrize(
    ("label", "declaration", "expression", "response", "expected"), CONTAINERS, ids=[c[0] for c in CONTAINERS]
)
def test_container_operators(
    label: str, declaration: ResponseDeclaration, expression: RPNode, response: Any, expected: float
) -> None:
    assert score(item(expression, declaration), {"RESPONSE": response}).score == expected


def mapped(mapping: Mapping, cardinality: str = "multiple", base_type: str = "identifier") -> ItemContent:
    declaration = ResponseDeclaration(
        identifier="RESPONSE", cardinality=cardinality, base_type=base_type, mapping=mapping
    )
    return ItemContent(
        identifier="m",
        responses=(declaration,),
        outcomes=(OutcomeDeclaration(identifier="SCORE", base_type="float"),),
        response_processing=ResponseProcessing(template="map_response"),
    )


@pytest.mark.parametrize(
    ("response", "expected"),
    [(["A"], 2), (["A", "A"], 2), (["A", "B"], 1), (["A", "B", "Z"], 0), (["C", "A"], 3), ([], 0)],
)
def test_map_response_counts_each_value_once_and_applies_bounds(response: list[str], expected: float) -> None:
    mapping = Mapping(
        entries=(MapEntry(key="A", value=2), MapEntry(key="B", value=-1), MapEntry(key="C", value=2)),
        default_value=-5,
        lower_bound=0,
        upper_bound=3,
    )
    assert score(mapped(mapping), {"RESPONSE": response}).score == expected


def test_map_response_case_insensitive_entries() -> None:
    mapping = Mapping(entries=(MapEntry(key="York", value=1), MapEntry(key="leeds", value=0.5, case_sensitive=False)))
    content = mapped(mapping, "single", "string")
    assert [score(content, {"RESPONSE": r}).score for r in ("York", "york", "LEEDS")] == [1, 0, 0.5]


def test_interpolation_and_match_tables() -> None:
    interpolation = LookupTable(
        kind="interpolation",
        entries=(
            LookupEntry(source=4, target="1"),
            LookupEntry(source=2, target="0.5"),
            LookupEntry(source=2, target="9", include_boundary=False),
        ),
        default_value="0",
    )
    content = ItemContent(
        identifier="l",
        responses=(ResponseDeclaration(identifier="RESPONSE", cardinality="single", base_type="integer"),),
        outcomes=(OutcomeDeclaration(identifier="SCORE", base_type="float", lookup_table=interpolation),),
        response_processing=ResponseProcessing(rules=(n("lookupOutcomeValue", var(), identifier="SCORE"),)),
    )
    assert [score(content, {"RESPONSE": r}).score for r in (5, 4, 3, 2, 1)] == [1, 1, 0.5, 0.5, 0]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (n("randomInteger", min="1", max="3"), "<randomInteger> is not supported"),
        (n("customOperator", var(), definition="evil:Exec"), "customOperator 'evil:Exec' is not supported"),
        (n("patternMatch", var(), pattern="(a+)+$"), "nests quantifiers"),
        (n("patternMatch", var(), pattern="a" * 300), "the limit is 256"),
        (n("equal", var("NOPE"), base("1")), "'NOPE'> refers to an undeclared variable"),
    ],
)
def test_unsupported_or_unsafe_expressions_raise_a_named_error(expression: RPNode, message: str) -> None:
    with pytest.raises(ScoringError, match=message.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        score(item(expression, STRING), {"RESPONSE": "aaaa"})


def test_single_response_with_several_values_is_an_error() -> None:
    with pytest.raises(ScoringError, match="single cardinality but 2 values"):
        score(item(n("isNull", var()), STRING), {"RESPONSE": ["a", "b"]})


def test_unparseable_number_counts_as_no_response() -> None:
    assert score(item(n("isNull", var())), {"RESPONSE": "100cm"}).score == 1


def test_human_scored_item_is_pending_until_a_marker_scores_it() -> None:
    content = ItemContent(
        identifier="essay",
        responses=(STRING,),
        outcomes=(
            OutcomeDeclaration(identifier="SCORE", base_type="float", external_scored="human", normal_maximum=5),
        ),
    )
    pending = score(content, {"RESPONSE": "my essay"})
    assert (pending.score, pending.max_score, pending.pending) == (None, 5, True)
    marked = score(content, {"RESPONSE": "my essay"}, external_outcomes={"SCORE": 3.5})
    assert (marked.score, marked.pending) == (3.5, False)


def test_max_score_comes_from_the_key_when_nothing_declares_it() -> None:
    content = item(n("match", var(), n("correct", identifier="RESPONSE")), MULTIPLE)
    assert score(content, {"RESPONSE": ["A"]}).max_score == 1
