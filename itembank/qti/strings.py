"""QTI string expressions: stringMatch, substring, patternMatch (screened, length-capped regular expressions)
and the allow-listed customOperator."""

from __future__ import annotations

import re

from itembank.content import RPNode
from itembank.qti import custom
from itembank.qti.eval import Context, args, as_single, flag, one, operator, two
from itembank.qti.values import ScoringError, Value, format_single, is_null

MAX_PATTERN_LENGTH = 256
MAX_PATTERN_INPUT = 2_000
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{?]")


def _text_pair(node: RPNode, ctx: Context) -> tuple[str, str] | None:
    left, right = two(node, ctx)
    if is_null(left) or is_null(right):
        return None
    a, b = format_single(as_single(left)), format_single(as_single(right))
    if not flag(node, "caseSensitive", True):
        a, b = a.casefold(), b.casefold()
    return a, b


@operator("stringMatch")
def _string_match(node: RPNode, ctx: Context) -> Value:
    pair = _text_pair(node, ctx)
    if pair is None:
        return None
    if flag(node, "substring", False):
        return pair[1] in pair[0]
    return pair[0] == pair[1]


@operator("substring")
def _substring(node: RPNode, ctx: Context) -> Value:
    pair = _text_pair(node, ctx)
    return None if pair is None else pair[0] in pair[1]


@operator("patternMatch")
def _pattern_match(node: RPNode, ctx: Context) -> Value:
    value = one(node, ctx)
    if is_null(value):
        return None
    text = format_single(as_single(value))
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
    return custom.apply(name, args(node, ctx))
