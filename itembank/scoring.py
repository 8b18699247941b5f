"""Scoring: run an item's response processing over a candidate's responses.

`score(content, responses)` is a pure function. Response processing is either a standard QTI template
(match_correct, map_response, map_response_point and the CC2 variants) or a custom rule tree, evaluated by
the safe interpreter in `itembank.qti.expressions`. Human-scored items come back pending (score None) unless the
human's outcomes are passed in `external_outcomes`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from collections.abc import Mapping as MappingABC
from contextlib import suppress
from dataclasses import dataclass, field

from itembank.content import ItemContent, OutcomeDeclaration, ResponseDeclaration, RPNode
from itembank.qti.expressions import Context, evaluate
from itembank.qti.values import (
    Container,
    JsonValue,
    RawResponse,
    ScoringError,
    Value,
    declared_value,
    format_value,
    parse_single,
    response_value,
)

__all__ = ["TEMPLATES", "ScoreResult", "ScoringError", "max_score", "score", "template_name"]


@dataclass(frozen=True)
class ScoreResult:
    score: float | None
    max_score: float
    outcomes: dict[str, JsonValue] = field(default_factory=dict)
    # True when a human (or external machine) still has to score the item: score is None then
    pending: bool = False


def _node(name: str, *children: RPNode, text: str | None = None, **attrs: str) -> RPNode:
    return RPNode(name=name, attrs=attrs, children=children, text=text)


def _set(identifier: str, expression: RPNode) -> RPNode:
    return _node("setOutcomeValue", expression, identifier=identifier)


def _float(number: str) -> RPNode:
    return _node("baseValue", text=number, baseType="float")


def _match_correct() -> tuple[RPNode, ...]:
    test = _node("match", _node("variable", identifier="RESPONSE"), _node("correct", identifier="RESPONSE"))
    return (
        _node(
            "responseCondition",
            _node("responseIf", test, _set("SCORE", _float("1"))),
            _node("responseElse", _set("SCORE", _float("0"))),
        ),
    )


def _map_template(expression: str) -> tuple[RPNode, ...]:
    return (
        _node(
            "responseCondition",
            _node("responseIf", _node("isNull", _node("variable", identifier="RESPONSE")), _set("SCORE", _float("0"))),
            _node("responseElse", _set("SCORE", _node(expression, identifier="RESPONSE"))),
        ),
    )


TEMPLATES: dict[str, tuple[RPNode, ...]] = {
    "match_correct": _match_correct(),
    "map_response": _map_template("mapResponse"),
    "map_response_point": _map_template("mapResponsePoint"),
    "cc2_match": _match_correct(),
    "cc2_match_basic": _match_correct(),
    "cc2_map_response": _map_template("mapResponse"),
}


def template_name(uri: str) -> str | None:
    """The short name of a standard template URI ('.../rptemplates/match_correct.xml' -> 'match_correct')."""
    name = uri.rstrip("/").rsplit("/", 1)[-1].removesuffix(".xml").casefold()
    return name if name in TEMPLATES else None


class _Exit(Exception):
    pass


def _run_rules(rules: Sequence[RPNode], ctx: Context) -> None:
    for rule in rules:
        _run_rule(rule, ctx)


def _run_rule(rule: RPNode, ctx: Context) -> None:
    if rule.name == "responseCondition":
        for branch in rule.children:
            if branch.name == "responseElse":
                _run_rules(branch.children, ctx)
                return
            if branch.name not in ("responseIf", "responseElseIf") or not branch.children:
                raise ScoringError(f"<responseCondition> cannot contain <{branch.name}>")
            if evaluate(branch.children[0], ctx) is True:
                _run_rules(branch.children[1:], ctx)
                return
    elif rule.name == "setOutcomeValue":
        identifier = rule.attrs.get("identifier", "")
        _assign(identifier, _only_child(rule, ctx), ctx)
    elif rule.name == "lookupOutcomeValue":
        identifier = rule.attrs.get("identifier", "")
        _assign(identifier, _lookup(identifier, _only_child(rule, ctx), ctx), ctx)
    elif rule.name == "responseProcessingFragment":
        _run_rules(rule.children, ctx)
    elif rule.name == "exitResponse":
        raise _Exit
    else:
        raise ScoringError(f"the response rule <{rule.name}> is not supported by the scoring engine")


def _only_child(rule: RPNode, ctx: Context) -> Value:
    if len(rule.children) != 1:
        raise ScoringError(f"<{rule.name}> needs exactly one expression, found {len(rule.children)}")
    return evaluate(rule.children[0], ctx)


def _outcome(identifier: str, ctx: Context) -> OutcomeDeclaration:
    declaration = ctx.content.outcome(identifier)
    if declaration is None:
        raise ScoringError(f"outcome {identifier!r} is set but not declared")
    return declaration


def _assign(identifier: str, value: Value, ctx: Context) -> None:
    declaration = _outcome(identifier, ctx)
    base_type = declaration.base_type
    if isinstance(value, bool) and base_type in ("integer", "float"):
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if base_type == "integer" and float(value).is_integer():
            value = int(value)
        elif base_type == "float":
            value = float(value)
    ctx.variables[identifier] = value


def _lookup(identifier: str, source: Value, ctx: Context) -> Value:
    declaration = _outcome(identifier, ctx)
    table = declaration.lookup_table
    if table is None:
        raise ScoringError(f"<lookupOutcomeValue> on {identifier!r}, which has no matchTable or interpolationTable")
    if isinstance(source, bool) or not isinstance(source, int | float):
        target = table.default_value
    elif table.kind == "match":
        target = next((e.target for e in table.entries if e.source == source), table.default_value)
    else:
        target = next(
            (e.target for e in table.entries if source > e.source or (e.include_boundary and source == e.source)),
            table.default_value,
        )
    if target is None:
        return None
    try:
        return parse_single(target, declaration.base_type)
    except ValueError as exc:
        raise ScoringError(f"lookup table of {identifier!r}: {exc}") from exc


def initial_outcome(declaration: OutcomeDeclaration) -> Value:
    if declaration.default_value is not None:
        return declared_value(
            declaration.default_value, declaration.cardinality, declaration.base_type, declaration.identifier
        )
    if declaration.cardinality == "single" and declaration.base_type in ("integer", "float"):
        return 0 if declaration.base_type == "integer" else 0.0
    return None


def _rules(content: ItemContent) -> tuple[RPNode, ...]:
    processing = content.response_processing
    if processing is None:
        return ()
    if processing.rules:
        return processing.rules
    if processing.template is None:
        return ()
    rules = TEMPLATES.get(processing.template)
    if rules is None:
        raise ScoringError(f"response processing template {processing.template!r} is not supported")
    return rules


def _typed_responses(content: ItemContent, responses: MappingABC[str, RawResponse]) -> dict[str, Value]:
    return {d.identifier: response_value(responses.get(d.identifier), d) for d in content.responses}


def _run(content: ItemContent, typed_responses: MappingABC[str, Value]) -> dict[str, Value]:
    ctx = Context(content)
    for declaration in content.responses:
        ctx.variables[declaration.identifier] = typed_responses.get(declaration.identifier)
    for outcome in content.outcomes:
        ctx.variables[outcome.identifier] = initial_outcome(outcome)
    with suppress(_Exit):
        _run_rules(_rules(content), ctx)
    return ctx.variables


def _number(value: Value) -> float | None:
    if isinstance(value, Container) and len(value.values) == 1:
        value = value.values[0]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _awaits_human(content: ItemContent) -> bool:
    if content.human_scored:
        return True
    return content.response_processing is None and any(i.kind == "extendedText" for i in content.interactions)


def score(
    content: ItemContent,
    responses: MappingABC[str, RawResponse],
    external_outcomes: MappingABC[str, float | str] | None = None,
) -> ScoreResult:
    """Score one attempt. `responses` maps response identifiers to raw values (see qti.values.response_value).

    `external_outcomes` are outcome values set by a human marker or an external machine; they win over
    whatever response processing computes for those outcomes.
    """
    external = dict(external_outcomes or {})
    variables = _run(content, _typed_responses(content, responses))
    for identifier, raw in external.items():
        declaration = content.outcome(identifier)
        if declaration is None:
            raise ScoringError(f"external outcome {identifier!r} is not declared by the item")
        try:
            variables[identifier] = parse_single(str(raw), declaration.base_type or "float")
        except ValueError as exc:
            raise ScoringError(f"external outcome {identifier!r}: {exc}") from exc
    outcomes = {o.identifier: format_value(variables.get(o.identifier)) for o in content.outcomes}
    maximum = max_score(content)
    if _awaits_human(content) and "SCORE" not in external:
        return ScoreResult(score=None, max_score=maximum, outcomes=outcomes, pending=True)
    return ScoreResult(score=_number(variables.get("SCORE")) or 0.0, max_score=maximum, outcomes=outcomes)


def walk_rules(rules: Sequence[RPNode]) -> Iterator[RPNode]:
    """Every node of a response-processing tree."""
    stack = list(rules)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _maxscore_set_by_processing(content: ItemContent) -> float | None:
    """The value response processing gives MAXSCORE where it sets it from what is known before any answer
    (constants, correct and default values, outcomes processing never sets): the highest such value, or None when
    it sets none or only from responses."""
    processing = content.response_processing
    if processing is None or not processing.rules:
        return None
    ctx = Context(content)
    for declaration in content.responses:
        ctx.variables[declaration.identifier] = None
    for outcome in content.outcomes:
        ctx.variables[outcome.identifier] = initial_outcome(outcome)
    nodes = list(walk_rules(processing.rules))
    changing = {r.identifier for r in content.responses} | {"numAttempts", "duration"}
    changing |= {n.attrs.get("identifier", "") for n in nodes if n.name in ("setOutcomeValue", "lookupOutcomeValue")}
    found: list[float] = []
    for node in nodes:
        if node.name == "setOutcomeValue" and node.attrs.get("identifier") == "MAXSCORE" and len(node.children) == 1:
            if any(
                part.name in ("variable", "mapResponse", "mapResponsePoint")
                and part.attrs.get("identifier") in changing
                for part in walk_rules(node.children)
            ):
                continue  # known only once an answer is processed
            with suppress(ScoringError, ValueError, TypeError, ArithmeticError):
                number = _number(evaluate(node.children[0], ctx))
                if number is not None:
                    found.append(number)
    return max(found) if found else None


def max_score(content: ItemContent) -> float:
    """The most an item can score: MAXSCORE as response processing sets it, else MAXSCORE's default, SCORE's
    normalMaximum, the mapping's best, or the key's score."""
    # MAXSCORE (QTI 3.0's and Common Cartridge's outcome for the most an item can score) is an ordinary outcome:
    # processing that sets it overrides its defaultValue, exactly as for any outcome in QTI's processing model.
    # Where it is set from a constant or from declared values the maximum is known before any answer (engines
    # such as qti-sdk and qtiworks read MAXSCORE after processing runs, which for a constant is the same number).
    from_processing = _maxscore_set_by_processing(content)
    if from_processing is not None:
        return from_processing
    declaration = content.outcome("MAXSCORE")
    if declaration is not None and declaration.default_value:
        number = _number(initial_outcome(declaration))
        if number is not None:
            return number
    score_outcome = content.outcome("SCORE")
    if score_outcome is not None and score_outcome.normal_maximum is not None:
        return score_outcome.normal_maximum
    if _awaits_human(content) or content.response_processing is None:
        return 0.0
    template = content.response_processing.template if not content.response_processing.rules else None
    if template in ("map_response", "cc2_map_response"):
        return sum(_mapping_max(r) for r in content.responses if r.mapping is not None)
    correct: dict[str, Value] = {}
    for response in content.responses:
        correct[response.identifier] = declared_value(
            response.correct_response, response.cardinality, response.base_type, response.identifier
        )
    try:
        return _number(_run(content, correct).get("SCORE")) or 0.0
    except ScoringError:
        return 0.0


def _mapping_max(declaration: ResponseDeclaration) -> float:
    mapping = declaration.mapping
    assert mapping is not None
    values = [entry.value for entry in mapping.entries]
    if declaration.cardinality == "single":
        best = max([*values, mapping.default_value])
    else:
        best = sum(v for v in values if v > 0)
    if mapping.upper_bound is not None:
        best = min(best, mapping.upper_bound)
    return best
