"""How each native item kind compiles to QTI-shaped content: declarations, interactions, response processing.

`compile_item` turns a validated `NativeItem` (native_kinds) into ItemContent, keeping the native form in
`content.native` so it can be edited and exported again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from itembank.cleaning import clean_markup
from itembank.content import (
    Choice,
    Interaction,
    ItemContent,
    MapEntry,
    Mapping,
    OutcomeDeclaration,
    ResponseDeclaration,
    ResponseProcessing,
    RPNode,
    Rubric,
)
from itembank.formats.native_kinds import GAP_MARKER, NativeItem, NativeOption, weight

_BLOCK = '<div data-interaction="RESPONSE"></div>'


def _n(name: str, *children: RPNode, text: str | None = None, **attrs: str) -> RPNode:
    return RPNode(name=name, attrs=attrs, children=children, text=text)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _score_if(test: RPNode, points: float, otherwise: float | None = 0.0) -> RPNode:
    branches = [
        _n(
            "responseIf",
            test,
            _n("setOutcomeValue", _n("baseValue", text=_number(points), baseType="float"), identifier="SCORE"),
        )
    ]
    if otherwise is not None:
        branches.append(
            _n(
                "responseElse",
                _n("setOutcomeValue", _n("baseValue", text=_number(otherwise), baseType="float"), identifier="SCORE"),
            )
        )
    return _n("responseCondition", *branches)


def _outcomes(maximum: float, human: bool = False) -> tuple[OutcomeDeclaration, ...]:
    score = OutcomeDeclaration(
        identifier="SCORE",
        base_type="float",
        default_value=("0",),
        external_scored="human" if human else None,
        normal_maximum=maximum if human else None,
    )
    return score, OutcomeDeclaration(identifier="MAXSCORE", base_type="float", default_value=(_number(maximum),))


def _choices(options: list[NativeOption]) -> tuple[Choice, ...]:
    return tuple(Choice(identifier=o.id, html=clean_markup(o.text), fixed=o.fixed) for o in options)


def compile_item(item: NativeItem) -> ItemContent:
    """The QTI-shaped content for a validated native item."""
    base: dict[str, Any] = {
        "identifier": item.id,
        "title": item.title,
        "rationale": clean_markup(item.rationale),
        "language": item.metadata.language,
        "native": item.model_dump(mode="json", exclude_defaults=True),
    }
    return _COMPILERS[item.kind](item, base, clean_markup(item.stem))


def _choice(item: NativeItem, base: dict[str, Any], stem: str) -> ItemContent:
    options = item.options or [
        NativeOption(id="true", text="True", correct=item.answer is True),
        NativeOption(id="false", text="False", correct=item.answer is False),
    ]
    multiple = item.kind == "multiple_response"
    weights = {o.id: weight(item, o) for o in options}
    positive = sum(w for w in weights.values() if w > 0)
    maximum = (item.ceiling if item.ceiling is not None else positive) if multiple else max(weights.values())
    mapping = Mapping(
        entries=tuple(MapEntry(key=k, value=v) for k, v in weights.items() if v != 0),
        lower_bound=item.floor if multiple else None,
        upper_bound=maximum if multiple else None,
    )
    declaration = ResponseDeclaration(
        identifier="RESPONSE",
        cardinality="multiple" if multiple else "single",
        base_type="identifier",
        mapping=mapping,
        correct_response=tuple(k for k, v in weights.items() if v > 0)
        if multiple
        else tuple(k for k, v in weights.items() if v == maximum)[:1],
    )
    interaction = Interaction(
        kind="choice",
        response_identifier="RESPONSE",
        choices=_choices(options),
        shuffle=item.shuffle and item.kind != "true_false",
        max_choices=0 if multiple else 1,
    )
    return ItemContent(
        **base,
        stem=stem + _BLOCK,
        interactions=(interaction,),
        responses=(declaration,),
        outcomes=_outcomes(maximum),
        response_processing=ResponseProcessing(template="map_response"),
    )


def _numeric(item: NativeItem, base: dict[str, Any], stem: str) -> ItemContent:
    answer = float(item.answer or 0)
    declaration = ResponseDeclaration(
        identifier="RESPONSE", cardinality="single", base_type="float", correct_response=(_number(answer),)
    )
    attrs = (
        {"toleranceMode": "exact"}
        if item.tolerance == 0
        else {"toleranceMode": item.tolerance_mode, "tolerance": _number(item.tolerance)}
    )
    # QTI applies the tolerance around the first operand, so the key goes first (matters for relative tolerance)
    test = _n(
        "equal",
        _n("baseValue", text=_number(answer), baseType="float"),
        _n("variable", identifier="RESPONSE"),
        **attrs,
    )
    return ItemContent(
        **base,
        stem=stem + '<div><span data-interaction="RESPONSE"></span></div>',
        interactions=(Interaction(kind="textEntry", response_identifier="RESPONSE"),),
        responses=(declaration,),
        outcomes=_outcomes(item.points),
        response_processing=ResponseProcessing(rules=(_score_if(test, item.points),)),
    )


def _ordering(item: NativeItem, base: dict[str, Any], stem: str) -> ItemContent:
    declaration = ResponseDeclaration(
        identifier="RESPONSE",
        cardinality="ordered",
        base_type="identifier",
        correct_response=tuple(o.id for o in item.options),
    )
    test = _n("match", _n("variable", identifier="RESPONSE"), _n("correct", identifier="RESPONSE"))
    return ItemContent(
        **base,
        stem=stem + _BLOCK,
        responses=(declaration,),
        outcomes=_outcomes(item.points),
        interactions=(
            Interaction(kind="order", response_identifier="RESPONSE", shuffle=True, choices=_choices(item.options)),
        ),
        response_processing=ResponseProcessing(rules=(_score_if(test, item.points),)),
    )


def _essay(item: NativeItem, base: dict[str, Any], stem: str) -> ItemContent:
    interaction = Interaction(
        kind="extendedText",
        response_identifier="RESPONSE",
        expected_lines=item.expected_lines,
        format="plain",
        prompt=f"Your answer, at most {item.word_limit} words" if item.word_limit else "",
    )
    declaration = ResponseDeclaration(identifier="RESPONSE", cardinality="single", base_type="string")
    # the rubric is the markers' (view "scorer"): the marking page shows it, candidates never see it
    rubrics = (Rubric(view=("scorer",), html=clean_markup(item.rubric)),) if item.rubric.strip() else ()
    return ItemContent(
        **base,
        stem=stem + _BLOCK,
        interactions=(interaction,),
        responses=(declaration,),
        outcomes=_outcomes(item.points, human=True),
        rubrics=rubrics,
    )


def _short_text(item: NativeItem, base: dict[str, Any], stem: str) -> ItemContent:
    response: RPNode = _n("variable", identifier="RESPONSE")
    if item.normalize_whitespace:
        response = _n("customOperator", response, definition="examengine:normalizeSpace")
    branches = []
    for index, answer in enumerate(item.answers):
        text = " ".join(answer.text.split()) if item.normalize_whitespace else answer.text
        test = _n(
            "stringMatch",
            response,
            _n("baseValue", text=text, baseType="string"),
            caseSensitive="true" if item.case_sensitive else "false",
        )
        points = item.points if answer.points is None else answer.points
        setter = _n("setOutcomeValue", _n("baseValue", text=_number(points), baseType="float"), identifier="SCORE")
        branches.append(_n("responseIf" if index == 0 else "responseElseIf", test, setter))
    declaration = ResponseDeclaration(
        identifier="RESPONSE", cardinality="single", base_type="string", correct_response=(item.answers[0].text,)
    )
    maximum = max(item.points if a.points is None else a.points for a in item.answers)
    return ItemContent(
        **base,
        stem=stem + '<div><span data-interaction="RESPONSE"></span></div>',
        interactions=(Interaction(kind="textEntry", response_identifier="RESPONSE"),),
        responses=(declaration,),
        outcomes=_outcomes(maximum),
        response_processing=ResponseProcessing(rules=(_n("responseCondition", *branches),)),
    )


def _matching(item: NativeItem, base: dict[str, Any], stem: str) -> ItemContent:
    rights = list(dict.fromkeys([p.right for p in item.pairs] + item.distractors))
    left = tuple(
        Choice(identifier=f"L{i}", html=clean_markup(p.left), match_max=1) for i, p in enumerate(item.pairs, 1)
    )
    right = tuple(
        Choice(identifier=f"R{i}", html=clean_markup(t), match_max=len(left)) for i, t in enumerate(rights, 1)
    )
    keys = tuple(f"L{i} R{rights.index(p.right) + 1}" for i, p in enumerate(item.pairs, 1))
    per_pair = item.points / len(keys)
    declaration = ResponseDeclaration(
        identifier="RESPONSE",
        cardinality="multiple",
        base_type="directedPair",
        correct_response=keys,
        mapping=Mapping(
            entries=tuple(MapEntry(key=k, value=per_pair) for k in keys), lower_bound=0.0, upper_bound=item.points
        ),
    )
    interaction = Interaction(
        kind="match",
        response_identifier="RESPONSE",
        shuffle=item.shuffle,
        choices=left,
        targets=right,
        max_associations=len(left),
    )
    return ItemContent(
        **base,
        stem=stem + '<div data-interaction="RESPONSE"></div>',
        interactions=(interaction,),
        responses=(declaration,),
        outcomes=_outcomes(item.points),
        response_processing=ResponseProcessing(template="map_response"),
    )


def _inline_choice(item: NativeItem, base: dict[str, Any], stem: str) -> ItemContent:
    per_gap = item.points / len(item.gaps)
    interactions, declarations, rules = [], [], []
    for gap in item.gaps:
        identifier = f"RESPONSE_{gap.id}"
        interactions.append(
            Interaction(
                kind="inlineChoice", response_identifier=identifier, shuffle=item.shuffle, choices=_choices(gap.options)
            )
        )
        correct = next(o.id for o in gap.options if o.correct)
        declarations.append(
            ResponseDeclaration(
                identifier=identifier, cardinality="single", base_type="identifier", correct_response=(correct,)
            )
        )
        test = _n("match", _n("variable", identifier=identifier), _n("correct", identifier=identifier))
        add = _n("sum", _n("variable", identifier="SCORE"), _n("baseValue", text=_number(per_gap), baseType="float"))
        rules.append(_n("responseCondition", _n("responseIf", test, _n("setOutcomeValue", add, identifier="SCORE"))))
    html = GAP_MARKER.sub(lambda m: f'<span data-interaction="RESPONSE_{m.group(1)}"></span>', stem)
    return ItemContent(
        **base,
        stem=clean_markup(html),
        interactions=tuple(interactions),
        responses=tuple(declarations),
        outcomes=_outcomes(item.points),
        response_processing=ResponseProcessing(rules=tuple(rules)),
    )


_COMPILERS: dict[str, Callable[[NativeItem, dict[str, Any], str], ItemContent]] = {
    "single_choice": _choice,
    "multiple_response": _choice,
    "true_false": _choice,
    "numeric": _numeric,
    "short_text": _short_text,
    "ordering": _ordering,
    "matching": _matching,
    "inline_choice": _inline_choice,
    "essay": _essay,
}
