"""The core of the response-processing evaluator: the operator registry, `evaluate`, and argument helpers.

Each QTI expression name maps to a Python function registered with `@operator`; the operator modules
(qti.variables, qti.logic, qti.strings, qti.containers) register themselves when `qti.expressions` imports them.
An unknown name raises ScoringError naming it: nothing from item content is ever executed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from itembank.content import ItemContent, OutcomeDeclaration, ResponseDeclaration, RPNode
from itembank.qti.values import Container, Record, ScoringError, Single, Value


@dataclass
class Context:
    content: ItemContent
    variables: dict[str, Value] = field(default_factory=dict)

    def declaration(self, identifier: str) -> ResponseDeclaration | OutcomeDeclaration | None:
        return self.content.response(identifier) or self.content.outcome(identifier)


Operator = Callable[[RPNode, Context], Value]
OPERATORS: dict[str, Operator] = {}


def operator(*names: str) -> Callable[[Operator], Operator]:
    def register(function: Operator) -> Operator:
        for name in names:
            OPERATORS[name] = function
        return function

    return register


def evaluate(node: RPNode, ctx: Context) -> Value:
    """The value of one expression node."""
    function = OPERATORS.get(node.name)
    if function is None:
        raise ScoringError(f"the expression <{node.name}> is not supported by the scoring engine")
    return function(node, ctx)


def supported_expressions() -> frozenset[str]:
    return frozenset(OPERATORS)


def args(node: RPNode, ctx: Context) -> list[Value]:
    return [evaluate(child, ctx) for child in node.children]


def two(node: RPNode, ctx: Context) -> tuple[Value, Value]:
    if len(node.children) != 2:
        raise ScoringError(f"<{node.name}> needs exactly two sub-expressions, found {len(node.children)}")
    return evaluate(node.children[0], ctx), evaluate(node.children[1], ctx)


def one(node: RPNode, ctx: Context) -> Value:
    if len(node.children) != 1:
        raise ScoringError(f"<{node.name}> needs exactly one sub-expression, found {len(node.children)}")
    return evaluate(node.children[0], ctx)


def attr_float(node: RPNode, name: str, default: float | None = None) -> float:
    text = node.attrs.get(name)
    if text is None:
        if default is None:
            raise ScoringError(f"<{node.name}> needs the attribute {name}")
        return default
    try:
        return float(text)
    except ValueError as exc:
        raise ScoringError(f"<{node.name}> {name}={text!r} is not a number") from exc


def flag(node: RPNode, name: str, default: bool) -> bool:
    text = node.attrs.get(name)
    return default if text is None else text.strip() in ("true", "1")


def singles(value: Value) -> tuple[Single, ...]:
    if value is None:
        return ()
    if isinstance(value, Container):
        return value.values
    if isinstance(value, Record):
        raise ScoringError("a record cannot be used where a single value or container is expected")
    return (value,)


def as_single(value: Value) -> Single:
    found = singles(value)
    if len(found) != 1:
        raise ScoringError("a single value is expected, found a container")
    return found[0]
