"""The allow-listed custom operators: named string/number helpers seen in real QTI, nothing else.

Custom operators name an implementation by `definition` or `class` (e.g. "qade:Trim", "depcp:ToAscii");
the part after the last ':' or '.' picks one of the functions below. Anything else is refused by name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from itembank.qti.values import Container, ScoringError, Value, format_single


def _text(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Container):
        if len(value.values) != 1:
            return None
        value = value.values[0]
    return format_single(value)  # type: ignore[arg-type]


def _trim(text: str) -> str:
    return text.strip()


def _to_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _normalize_space(text: str) -> str:
    return " ".join(text.split())


_COMMA_DECIMAL = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*$")


def _parse_comma_decimal(text: str) -> float | None:
    match = _COMMA_DECIMAL.match(text)
    return float(match.group(1).replace(",", ".")) if match else None


_STRING_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "trim": _trim,
    "toascii": _to_ascii,
    "normalizespace": _normalize_space,
    "lowercase": str.casefold,
}


def apply(definition: str, args: list[Value]) -> Value:
    """Apply the custom operator `definition` to its evaluated arguments."""
    name = re.split(r"[:.]", definition)[-1].casefold()
    if len(args) != 1:
        raise ScoringError(f"customOperator {definition!r} needs exactly one sub-expression")
    text = _text(args[0])
    if name == "parsecommadecimal":
        return None if text is None else _parse_comma_decimal(text)
    function = _STRING_FUNCTIONS.get(name)
    if function is None:
        raise ScoringError(
            f"customOperator {definition!r} is not supported "
            "(known: Trim, ToAscii, ParseCommaDecimal, normalizeSpace, lowercase)"
        )
    return None if text is None else function(text)


def supported_custom_operators() -> frozenset[str]:
    return frozenset(_STRING_FUNCTIONS) | {"parsecommadecimal"}
