"""Numeric QTI operators over already-evaluated arguments. NULL in, NULL out; division by zero gives NULL."""

from __future__ import annotations

import math
from collections.abc import Callable

from itembank.content import RPNode
from itembank.qti.values import Container, ScoringError, Value, as_number

Arithmetic = Callable[[RPNode, list[Value]], Value]
Number = int | float


def _numbers(node: RPNode, args: list[Value]) -> list[Number] | None:
    numbers: list[Number] = []
    for arg in args:
        values = arg.values if isinstance(arg, Container) else (arg,)
        for value in values:
            number = as_number(value, f"<{node.name}>")
            if number is None:
                return None
            numbers.append(number)
    return numbers


def _exactly(node: RPNode, args: list[Value], count: int) -> list[Number] | None:
    if len(args) != count:
        raise ScoringError(f"<{node.name}> needs exactly {count} sub-expression(s), found {len(args)}")
    return _numbers(node, args)


def _result(number: float, integral: bool) -> Number:
    return int(number) if integral else float(number)


def _sum(node: RPNode, args: list[Value]) -> Value:
    numbers = _numbers(node, args)
    if numbers is None:
        return None
    return _result(sum(numbers), all(isinstance(n, int) for n in numbers))


def _product(node: RPNode, args: list[Value]) -> Value:
    numbers = _numbers(node, args)
    if numbers is None:
        return None
    return _result(math.prod(numbers), all(isinstance(n, int) for n in numbers))


def _subtract(node: RPNode, args: list[Value]) -> Value:
    numbers = _exactly(node, args, 2)
    if numbers is None:
        return None
    return _result(numbers[0] - numbers[1], all(isinstance(n, int) for n in numbers))


def _divide(node: RPNode, args: list[Value]) -> Value:
    numbers = _exactly(node, args, 2)
    if numbers is None or numbers[1] == 0:
        return None
    return numbers[0] / numbers[1]


def _power(node: RPNode, args: list[Value]) -> Value:
    numbers = _exactly(node, args, 2)
    if numbers is None:
        return None
    try:
        result = float(numbers[0]) ** numbers[1]
    except (OverflowError, ZeroDivisionError):
        return None
    return None if isinstance(result, complex) or math.isinf(result) else result


def _integer_divide(node: RPNode, args: list[Value]) -> Value:
    numbers = _exactly(node, args, 2)
    if numbers is None or numbers[1] == 0:
        return None
    return int(numbers[0] // numbers[1])


def _integer_modulus(node: RPNode, args: list[Value]) -> Value:
    numbers = _exactly(node, args, 2)
    if numbers is None or numbers[1] == 0:
        return None
    return int(numbers[0] % numbers[1])


def _extreme(pick: Callable[[list[Number]], Number]) -> Arithmetic:
    def apply(node: RPNode, args: list[Value]) -> Value:
        numbers = _numbers(node, args)
        if not numbers:
            return None
        return _result(pick(numbers), all(isinstance(n, int) for n in numbers))

    return apply


def _unary(function: Callable[[float], Number]) -> Arithmetic:
    def apply(node: RPNode, args: list[Value]) -> Value:
        numbers = _exactly(node, args, 1)
        return None if numbers is None else function(numbers[0])

    return apply


_MATH: dict[str, Callable[[float], float]] = {
    "abs": abs,
    "signum": lambda x: float((x > 0) - (x < 0)),
    "floor": math.floor,
    "ceil": math.ceil,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "ln": math.log,
    "log": math.log10,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "toDegrees": math.degrees,
    "toRadians": math.radians,
}


def _math_operator(node: RPNode, args: list[Value]) -> Value:
    name = node.attrs.get("name", "")
    function = _MATH.get(name)
    if function is None:
        raise ScoringError(f"<mathOperator name={name!r}> is not supported")
    numbers = _numbers(node, args)
    if not numbers:
        return None
    try:
        return float(function(numbers[0]))
    except (ValueError, OverflowError):
        return None


def _math_constant(node: RPNode, args: list[Value]) -> Value:
    constants = {"pi": math.pi, "e": math.e}
    name = node.attrs.get("name", "")
    if name not in constants:
        raise ScoringError(f"<mathConstant name={name!r}> is not pi or e")
    return constants[name]


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


OPERATORS: dict[str, Arithmetic] = {
    "sum": _sum,
    "product": _product,
    "subtract": _subtract,
    "divide": _divide,
    "power": _power,
    "integerDivide": _integer_divide,
    "integerModulus": _integer_modulus,
    "min": _extreme(min),
    "max": _extreme(max),
    "round": _unary(_round_half_up),
    "truncate": _unary(lambda x: int(x)),
    "integerToFloat": _unary(float),
    "mathOperator": _math_operator,
    "mathConstant": _math_constant,
}
