"""QTI logic and comparison expressions: isNull, match, and/or/not, anyN, gt/gte/lt/lte, equal, equalRounded,
roundTo. NULL propagates as QTI says (and/or are three-valued)."""

from __future__ import annotations

import math
from collections.abc import Callable

from itembank.content import RPNode
from itembank.qti.eval import Context, args, attr_float, flag, one, operator, singles, two
from itembank.qti.values import Container, ScoringError, Value, as_number, is_null


@operator("isNull")
def _is_null(node: RPNode, ctx: Context) -> Value:
    return is_null(one(node, ctx))


@operator("match")
def _match(node: RPNode, ctx: Context) -> Value:
    left, right = two(node, ctx)
    if is_null(left) or is_null(right):
        return None
    if isinstance(left, Container) and isinstance(right, Container):
        return left.matches(right)
    if isinstance(left, Container) or isinstance(right, Container):
        return singles(left) == singles(right)
    return left == right


@operator("and")
def _and(node: RPNode, ctx: Context) -> Value:
    values = args(node, ctx)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


@operator("or")
def _or(node: RPNode, ctx: Context) -> Value:
    values = args(node, ctx)
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


@operator("not")
def _not(node: RPNode, ctx: Context) -> Value:
    value = one(node, ctx)
    return None if value is None else not value


@operator("anyN")
def _any_n(node: RPNode, ctx: Context) -> Value:
    values = args(node, ctx)
    trues = sum(1 for v in values if v is True)
    nulls = sum(1 for v in values if v is None)
    low, high = attr_float(node, "min"), attr_float(node, "max")
    if low <= trues <= high and nulls == 0:
        return True
    if trues + nulls < low or trues > high:
        return False
    return None


def _compare(node: RPNode, ctx: Context, test: Callable[[float, float], bool]) -> Value:
    left, right = two(node, ctx)
    a, b = as_number(left, node.name), as_number(right, node.name)
    return None if a is None or b is None else test(a, b)


operator("gt")(lambda n, c: _compare(n, c, lambda a, b: a > b))
operator("gte")(lambda n, c: _compare(n, c, lambda a, b: a >= b))
operator("lt")(lambda n, c: _compare(n, c, lambda a, b: a < b))
operator("lte")(lambda n, c: _compare(n, c, lambda a, b: a <= b))


@operator("equal")
def _equal(node: RPNode, ctx: Context) -> Value:
    left, right = two(node, ctx)
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
    above = y >= low if flag(node, "includeLowerBound", True) else y > low
    below = y <= high if flag(node, "includeUpperBound", True) else y < high
    return above and below


@operator("equalRounded")
def _equal_rounded(node: RPNode, ctx: Context) -> Value:
    left, right = two(node, ctx)
    x, y = as_number(left, "equalRounded"), as_number(right, "equalRounded")
    if x is None or y is None:
        return None
    figures = int(attr_float(node, "figures"))
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
    number = as_number(one(node, ctx), "roundTo")
    if number is None:
        return None
    return _round_to(number, node.attrs.get("roundingMode", "significantFigures"), int(attr_float(node, "figures")))
