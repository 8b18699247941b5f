"""QTI container and record expressions (multiple, ordered, member, contains, delete, index, containerSize,
fieldValue), and the numeric operators of qti.arithmetic registered as expressions."""

from __future__ import annotations

from collections import Counter

from itembank.content import RPNode
from itembank.qti import arithmetic
from itembank.qti.eval import OPERATORS, Context, Operator, args, as_single, one, operator, singles, two
from itembank.qti.values import Container, Record, Single, Value, as_number, is_null


def _container(node: RPNode, ctx: Context, cardinality: str) -> Value:
    values: list[Single] = []
    for value in args(node, ctx):
        values.extend(singles(value))
    return Container(cardinality, tuple(values)) if values else None


operator("multiple")(lambda n, c: _container(n, c, "multiple"))
operator("ordered")(lambda n, c: _container(n, c, "ordered"))


@operator("member")
def _member(node: RPNode, ctx: Context) -> Value:
    value, container = two(node, ctx)
    if is_null(value) or is_null(container):
        return None
    return as_single(value) in singles(container)


@operator("contains")
def _contains(node: RPNode, ctx: Context) -> Value:
    container, part = two(node, ctx)
    if is_null(container) or is_null(part):
        return None
    whole, sub = singles(container), singles(part)
    if isinstance(container, Container) and container.cardinality == "ordered":
        return any(whole[i : i + len(sub)] == sub for i in range(len(whole) - len(sub) + 1))
    return not Counter(sub) - Counter(whole)


@operator("delete")
def _delete(node: RPNode, ctx: Context) -> Value:
    value, container = two(node, ctx)
    if is_null(value) or is_null(container) or not isinstance(container, Container):
        return None if is_null(container) or is_null(value) else container
    kept = tuple(v for v in container.values if v != as_single(value))
    return Container(container.cardinality, kept, container.base_type) if kept else None


@operator("index")
def _index(node: RPNode, ctx: Context) -> Value:
    container = one(node, ctx)
    raw = node.attrs.get("n", "")
    n = as_number(ctx.variables.get(raw), "index n") if raw in ctx.variables else int(raw)
    values = singles(container)
    if n is None or not 1 <= int(n) <= len(values):
        return None
    return values[int(n) - 1]


@operator("containerSize")
def _container_size(node: RPNode, ctx: Context) -> Value:
    return len(singles(one(node, ctx)))


@operator("fieldValue")
def _field_value(node: RPNode, ctx: Context) -> Value:
    record = one(node, ctx)
    if not isinstance(record, Record):
        return None
    return record.fields.get(node.attrs.get("fieldIdentifier", ""))


def _arithmetic(function: arithmetic.Arithmetic) -> Operator:
    return lambda node, ctx: function(node, args(node, ctx))


for _name, _function in arithmetic.OPERATORS.items():
    OPERATORS[_name] = _arithmetic(_function)
