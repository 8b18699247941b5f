"""A safe tree-walking evaluator for QTI response-processing expressions.

Nothing from item content is ever executed: each node name maps to a Python function in `_OPERATORS`, and an
unknown name raises ScoringError naming it. Regular expressions are length-capped and screened for nested
quantifiers before they are compiled, and matched only against length-capped input.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from itembank import qti_areas, qti_arithmetic, qti_custom
from itembank.content import ItemContent, OutcomeDeclaration, ResponseDeclaration, RPNode
from itembank.qti_values import (
    Container,
    Record,
    ScoringError,
    Single,
    Value,
    as_number,
    declared_value,
    format_single,
    is_null,
    parse_single,
)

MAX_PATTERN_LENGTH = 256
MAX_PATTERN_INPUT = 2_000
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{?]")
_BUILTIN_RESPONSES: dict[str, Value] = {"numAttempts": 1, "duration": 0.0}


@dataclass
class Context:
    content: ItemContent
    variables: dict[str, Value] = field(default_factory=dict)

    def declaration(self, identifier: str) -> ResponseDeclaration | OutcomeDeclaration | None:
        return self.content.response(identifier) or self.content.outcome(identifier)


Operator = Callable[[RPNode, Context], Value]
_OPERATORS: dict[str, Operator] = {}


def operator(*names: str) -> Callable[[Operator], Operator]:
    def register(function: Operator) -> Operator:
        for name in names:
            _OPERATORS[name] = function
        return function

    return register


def evaluate(node: RPNode, ctx: Context) -> Value:
    """The value of one expression node."""
    function = _OPERATORS.get(node.name)
    if function is None:
        raise ScoringError(f"the expression <{node.name}> is not supported by the scoring engine")
    return function(node, ctx)


def supported_expressions() -> frozenset[str]:
    return frozenset(_OPERATORS)


def _args(node: RPNode, ctx: Context) -> list[Value]:
    return [evaluate(child, ctx) for child in node.children]


def _two(node: RPNode, ctx: Context) -> tuple[Value, Value]:
    if len(node.children) != 2:
        raise ScoringError(f"<{node.name}> needs exactly two sub-expressions, found {len(node.children)}")
    return evaluate(node.children[0], ctx), evaluate(node.children[1], ctx)


def _one(node: RPNode, ctx: Context) -> Value:
    if len(node.children) != 1:
        raise ScoringError(f"<{node.name}> needs exactly one sub-expression, found {len(node.children)}")
    return evaluate(node.children[0], ctx)


def _attr_float(node: RPNode, name: str, default: float | None = None) -> float:
    text = node.attrs.get(name)
    if text is None:
        if default is None:
            raise ScoringError(f"<{node.name}> needs the attribute {name}")
        return default
    try:
        return float(text)
    except ValueError as exc:
        raise ScoringError(f"<{node.name}> {name}={text!r} is not a number") from exc


def _flag(node: RPNode, name: str, default: bool) -> bool:
    text = node.attrs.get(name)
    return default if text is None else text.strip() in ("true", "1")


def _singles(value: Value) -> tuple[Single, ...]:
    if value is None:
        return ()
    if isinstance(value, Container):
        return value.values
    if isinstance(value, Record):
        raise ScoringError("a record cannot be used where a single value or container is expected")
    return (value,)


# --- values and variables ---------------------------------------------------------------------------------


@operator("baseValue")
def _base_value(node: RPNode, ctx: Context) -> Value:
    try:
        return parse_single(node.text or "", node.attrs.get("baseType"))
    except ValueError as exc:
        raise ScoringError(f"<baseValue>: {exc}") from exc


@operator("variable")
def _variable(node: RPNode, ctx: Context) -> Value:
    identifier = node.attrs.get("identifier", "")
    if identifier in ctx.variables:
        return ctx.variables[identifier]
    if identifier in _BUILTIN_RESPONSES:
        return _BUILTIN_RESPONSES[identifier]
    raise ScoringError(f"<variable identifier={identifier!r}> refers to an undeclared variable")


@operator("correct")
def _correct(node: RPNode, ctx: Context) -> Value:
    declaration = _response_declaration(node, ctx)
    return declared_value(
        declaration.correct_response,
        declaration.cardinality,
        declaration.base_type,
        f"correct response of {declaration.identifier}",
    )


@operator("default")
def _default(node: RPNode, ctx: Context) -> Value:
    identifier = node.attrs.get("identifier", "")
    declaration = ctx.declaration(identifier)
    if declaration is None:
        raise ScoringError(f"<default identifier={identifier!r}> refers to an undeclared variable")
    return declared_value(
        declaration.default_value, declaration.cardinality, declaration.base_type, f"default of {identifier}"
    )


@operator("null")
def _null(node: RPNode, ctx: Context) -> Value:
    return None


def _response_declaration(node: RPNode, ctx: Context) -> ResponseDeclaration:
    identifier = node.attrs.get("identifier", "")
    declaration = ctx.content.response(identifier)
    if declaration is None:
        raise ScoringError(f"<{node.name} identifier={identifier!r}> refers to an undeclared response")
    return declaration


@operator("mapResponse")
def _map_response(node: RPNode, ctx: Context) -> Value:
    declaration = _response_declaration(node, ctx)
    mapping = declaration.mapping
    if mapping is None:
        raise ScoringError(f"<mapResponse> on {declaration.identifier!r}, which has no mapping")
    keys: list[tuple[Single, float, bool]] = []
    for entry in mapping.entries:
        try:
            keys.append((parse_single(entry.key, declaration.base_type), entry.value, entry.case_sensitive))
        except ValueError as exc:
            raise ScoringError(f"mapping of {declaration.identifier!r}: {exc}") from exc
    total = 0.0
    for value in dict.fromkeys(_singles(ctx.variables.get(declaration.identifier))):
        total += next(
            (mapped for key, mapped, sensitive in keys if _same(key, value, sensitive)), mapping.default_value
        )
    return _bounded(total, mapping.lower_bound, mapping.upper_bound)


def _same(key: Single, value: Single, case_sensitive: bool) -> bool:
    if not case_sensitive and isinstance(key, str) and isinstance(value, str):
        return key.casefold() == value.casefold()
    return key == value


def _bounded(total: float, lower: float | None, upper: float | None) -> float:
    if lower is not None:
        total = max(total, lower)
    if upper is not None:
        total = min(total, upper)
    return total


@operator("mapResponsePoint")
def _map_response_point(node: RPNode, ctx: Context) -> Value:
    declaration = _response_declaration(node, ctx)
    if declaration.area_mapping is None:
        raise ScoringError(f"<mapResponsePoint> on {declaration.identifier!r}, which has no areaMapping")
    return qti_areas.map_points(_singles(ctx.variables.get(declaration.identifier)), declaration.area_mapping)


@operator("inside")
def _inside(node: RPNode, ctx: Context) -> Value:
    value = _one(node, ctx)
    if value is None:
        return None
    coords = tuple(float(c) for c in node.attrs.get("coords", "").replace(",", " ").split())
    return any(qti_areas.point_inside(p, node.attrs.get("shape", ""), coords) for p in _singles(value))


@operator("lookupTable")
def _unused(node: RPNode, ctx: Context) -> Value:
    raise ScoringError("<lookupTable> is not an expression")


# --- logic and comparison -------------------------------------------------------------------------------------


@operator("isNull")
def _is_null(node: RPNode, ctx: Context) -> Value:
    return is_null(_one(node, ctx))


@operator("match")
def _match(node: RPNode, ctx: Context) -> Value:
    left, right = _two(node, ctx)
    if is_null(left) or is_null(right):
        return None
    if isinstance(left, Container) and isinstance(right, Container):
        return left.matches(right)
    if isinstance(left, Container) or isinstance(right, Container):
        return _singles(left) == _singles(right)
    return left == right


@operator("and")
def _and(node: RPNode, ctx: Context) -> Value:
    values = _args(node, ctx)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


@operator("or")
def _or(node: RPNode, ctx: Context) -> Value:
    values = _args(node, ctx)
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


@operator("not")
def _not(node: RPNode, ctx: Context) -> Value:
    value = _one(node, ctx)
    return None if value is None else not value


@operator("anyN")
def _any_n(node: RPNode, ctx: Context) -> Value:
    values = _args(node, ctx)
    trues = sum(1 for v in values if v is True)
    nulls = sum(1 for v in values if v is None)
    low, high = _attr_float(node, "min"), _attr_float(node, "max")
    if low <= trues <= high and nulls == 0:
        return True
    if trues + nulls < low or trues > high:
        return False
    return None


def _compare(node: RPNode, ctx: Context, test: Callable[[float, float], bool]) -> Value:
    left, right = _two(node, ctx)
    a, b = as_number(left, node.name), as_number(right, node.name)
    return None if a is None or b is None else test(a, b)


operator("gt")(lambda n, c: _compare(n, c, lambda a, b: a > b))
operator("gte")(lambda n, c: _compare(n, c, lambda a, b: a >= b))
operator("lt")(lambda n, c: _compare(n, c, lambda a, b: a < b))
operator("lte")(lambda n, c: _compare(n, c, lambda a, b: a <= b))


@operator("equal")
def _equal(node: RPNode, ctx: Context) -> Value:
    left, right = _two(node, ctx)
    x, y = as_number(left, "equal"), as_number(right, "equal")
    if x is None or y is None:
        return None
    mode = node.attrs.get("toleranceMode", "exact")
    if mode == "exact":
        return x == y
    parts = node.attrs.get("tolerance", "0").split()
    t0 = float(parts[0])
    t1 = float(parts[1]) if len(parts) > 1 else t0
    if mode == "absolute":
        low, high = x - t0, x + t1
    elif mode == "relative":
        low, high = x * (1 - t0 / 100), x * (1 + t1 / 100)
    else:
        raise ScoringError(f"<equal> toleranceMode={mode!r} is not one of exact, absolute, relative")
    above = y >= low if _flag(node, "includeLowerBound", True) else y > low
    below = y <= high if _flag(node, "includeUpperBound", True) else y < high
    return above and below


@operator("equalRounded")
def _equal_rounded(node: RPNode, ctx: Context) -> Value:
    left, right = _two(node, ctx)
    x, y = as_number(left, "equalRounded"), as_number(right, "equalRounded")
    if x is None or y is None:
        return None
    figures = int(_attr_float(node, "figures"))
    mode = node.attrs.get("roundingMode", "significantFigures")
    return _round_to(x, mode, figures) == _round_to(y, mode, figures)


def _round_to(number: float, mode: str, figures: int) -> float:
    if mode == "decimalPlaces":
        return _half_up(number, figures)
    if mode != "significantFigures":
        raise ScoringError(f"roundingMode={mode!r} is not significantFigures or decimalPlaces")
    if figures < 1:
        raise ScoringError("significantFigures needs figures of at least 1")
    if number == 0:
        return 0.0
    return _half_up(number, figures - 1 - math.floor(math.log10(abs(number))))


def _half_up(number: float, places: int) -> float:
    scale = 10.0**places
    return math.floor(abs(number) * scale + 0.5 + 1e-9) / scale * (1 if number >= 0 else -1)


@operator("roundTo")
def _round_to_op(node: RPNode, ctx: Context) -> Value:
    number = as_number(_one(node, ctx), "roundTo")
    if number is None:
        return None
    return _round_to(number, node.attrs.get("roundingMode", "significantFigures"), int(_attr_float(node, "figures")))


# --- strings -----------------------------------------------------------------------------------------------


def _text_pair(node: RPNode, ctx: Context) -> tuple[str, str] | None:
    left, right = _two(node, ctx)
    if is_null(left) or is_null(right):
        return None
    a, b = format_single(_as_single(left)), format_single(_as_single(right))
    if not _flag(node, "caseSensitive", True):
        a, b = a.casefold(), b.casefold()
    return a, b


def _as_single(value: Value) -> Single:
    singles = _singles(value)
    if len(singles) != 1:
        raise ScoringError("a single value is expected, found a container")
    return singles[0]


@operator("stringMatch")
def _string_match(node: RPNode, ctx: Context) -> Value:
    pair = _text_pair(node, ctx)
    if pair is None:
        return None
    if _flag(node, "substring", False):
        return pair[1] in pair[0]
    return pair[0] == pair[1]


@operator("substring")
def _substring(node: RPNode, ctx: Context) -> Value:
    pair = _text_pair(node, ctx)
    return None if pair is None else pair[0] in pair[1]


@operator("patternMatch")
def _pattern_match(node: RPNode, ctx: Context) -> Value:
    value = _one(node, ctx)
    if is_null(value):
        return None
    text = format_single(_as_single(value))
    if len(text) > MAX_PATTERN_INPUT:
        return False
    return compile_pattern(node.attrs.get("pattern", "")).fullmatch(text) is not None


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile an item's regular expression after refusing long or catastrophic-backtracking-prone patterns."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ScoringError(f"patternMatch pattern is {len(pattern)} characters; the limit is {MAX_PATTERN_LENGTH}")
    if _NESTED_QUANTIFIER.search(pattern) or re.search(r"\\[1-9]|\(\?", pattern):
        raise ScoringError(
            f"patternMatch pattern {pattern!r} nests quantifiers or uses back-references/extensions, which is refused"
        )
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ScoringError(f"patternMatch pattern {pattern!r} is not a valid regular expression: {exc}") from exc


@operator("customOperator")
def _custom(node: RPNode, ctx: Context) -> Value:
    name = node.attrs.get("definition") or node.attrs.get("class") or ""
    return qti_custom.apply(name, _args(node, ctx))


# --- containers -------------------------------------------------------------------------------------------------


def _container(node: RPNode, ctx: Context, cardinality: str) -> Value:
    values: list[Single] = []
    for value in _args(node, ctx):
        values.extend(_singles(value))
    return Container(cardinality, tuple(values)) if values else None


operator("multiple")(lambda n, c: _container(n, c, "multiple"))
operator("ordered")(lambda n, c: _container(n, c, "ordered"))


@operator("member")
def _member(node: RPNode, ctx: Context) -> Value:
    value, container = _two(node, ctx)
    if is_null(value) or is_null(container):
        return None
    return _as_single(value) in _singles(container)


@operator("contains")
def _contains(node: RPNode, ctx: Context) -> Value:
    container, part = _two(node, ctx)
    if is_null(container) or is_null(part):
        return None
    whole, sub = _singles(container), _singles(part)
    if isinstance(container, Container) and container.cardinality == "ordered":
        return any(whole[i : i + len(sub)] == sub for i in range(len(whole) - len(sub) + 1))
    return not Counter(sub) - Counter(whole)


@operator("delete")
def _delete(node: RPNode, ctx: Context) -> Value:
    value, container = _two(node, ctx)
    if is_null(value) or is_null(container) or not isinstance(container, Container):
        return None if is_null(container) or is_null(value) else container
    kept = tuple(v for v in container.values if v != _as_single(value))
    return Container(container.cardinality, kept, container.base_type) if kept else None


@operator("index")
def _index(node: RPNode, ctx: Context) -> Value:
    container = _one(node, ctx)
    raw = node.attrs.get("n", "")
    n = as_number(ctx.variables.get(raw), "index n") if raw in ctx.variables else int(raw)
    values = _singles(container)
    if n is None or not 1 <= int(n) <= len(values):
        return None
    return values[int(n) - 1]


@operator("containerSize")
def _container_size(node: RPNode, ctx: Context) -> Value:
    return len(_singles(_one(node, ctx)))


@operator("fieldValue")
def _field_value(node: RPNode, ctx: Context) -> Value:
    record = _one(node, ctx)
    if not isinstance(record, Record):
        return None
    return record.fields.get(node.attrs.get("fieldIdentifier", ""))


def _arithmetic(function: qti_arithmetic.Arithmetic) -> Operator:
    return lambda node, ctx: function(node, _args(node, ctx))


for _name, _function in qti_arithmetic.OPERATORS.items():
    _OPERATORS[_name] = _arithmetic(_function)
