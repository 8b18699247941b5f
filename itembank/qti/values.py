"""QTI runtime values: typing QTI's string forms and candidates' responses, and comparing them.

A single value is a str (identifier, string, uri), int, float, bool, Pair, DirectedPair or Point. Containers
(multiple, ordered) and records wrap them. None is QTI's NULL; an empty container counts as NULL too.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from itembank.content import ResponseDeclaration


class ScoringError(ValueError):
    """The item cannot be scored as written; the message names the expression or declaration at fault."""


@dataclass(frozen=True)
class Pair:
    """An unordered pair: "A B" equals "B A"."""

    first: str
    second: str

    def _key(self) -> frozenset[str]:
        return frozenset((self.first, self.second))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pair) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


@dataclass(frozen=True)
class DirectedPair:
    source: str
    target: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float


Single = str | int | float | bool | Pair | DirectedPair | Point


@dataclass(frozen=True)
class Container:
    cardinality: str  # "multiple" or "ordered"
    values: tuple[Single, ...]
    base_type: str | None = None

    def matches(self, other: Container) -> bool:
        if self.cardinality == "ordered" or other.cardinality == "ordered":
            return self.values == other.values
        return Counter(self.values) == Counter(other.values)


@dataclass(frozen=True)
class Record:
    fields: dict[str, Single | None] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.fields.items(), key=lambda item: item[0])))


Value = Single | Container | Record | None


def is_null(value: Value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, Container):
        return not value.values
    if isinstance(value, Record):
        return not value.fields
    return False


def parse_single(text: str, base_type: str | None) -> Single:
    """Type QTI's string form of one value; raises ValueError when it does not parse."""
    if base_type in (None, "identifier", "uri", "file"):
        return text.strip()
    if base_type == "string":
        return text
    stripped = text.strip()
    if base_type == "integer":
        return int(stripped)
    if base_type in ("float", "duration"):
        number = float(stripped)
        if math.isnan(number):
            raise ValueError("NaN is not a number")
        return number
    if base_type == "boolean":
        if stripped in ("true", "1"):
            return True
        if stripped in ("false", "0"):
            return False
        raise ValueError(f"{text!r} is not a boolean (true or false)")
    if base_type in ("pair", "directedPair", "point"):
        parts = stripped.split()
        if len(parts) != 2:
            raise ValueError(f"{text!r} is not a {base_type}: two values separated by a space are expected")
        if base_type == "pair":
            return Pair(parts[0], parts[1])
        if base_type == "directedPair":
            return DirectedPair(parts[0], parts[1])
        return Point(float(parts[0]), float(parts[1]))
    if base_type == "intOrIdentifier":
        try:
            return int(stripped)
        except ValueError:
            return stripped
    raise ValueError(f"unknown baseType {base_type!r}")


def format_single(value: Single) -> str:
    """QTI's string form of a single value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Pair):
        return f"{value.first} {value.second}"
    if isinstance(value, DirectedPair):
        return f"{value.source} {value.target}"
    if isinstance(value, Point):
        return f"{_number_text(value.x)} {_number_text(value.y)}"
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def declared_value(texts: Sequence[str] | None, cardinality: str, base_type: str | None, what: str) -> Value:
    """A declared value (correct response, default) typed by its declaration."""
    if texts is None:
        return None
    try:
        values = tuple(parse_single(text, base_type) for text in texts)
    except ValueError as exc:
        raise ScoringError(f"{what}: {exc}") from exc
    return _shape(values, cardinality, base_type)


def _shape(values: tuple[Single, ...], cardinality: str, base_type: str | None) -> Value:
    if cardinality in ("multiple", "ordered"):
        return Container(cardinality, values, base_type) if values else None
    return values[0] if values else None


RawResponse = str | int | float | bool | Sequence[str | int | float] | None


def response_value(raw: RawResponse, declaration: ResponseDeclaration) -> Value:
    """Type a candidate's response by its declaration.

    Forms: "B" (single); ["A", "C"] (multiple or ordered); ["A P", "C Q"] (pairs); 3.5 or "3.5" (numeric); text.
    A response that does not parse as the declared type (e.g. "100cm" for an integer) counts as no response.
    """
    if raw is None:
        return None
    items: Iterable[str | int | float | bool] = [raw] if isinstance(raw, str | int | float | bool) else list(raw)
    typed: list[Single] = []
    for item in items:
        value = _typed_response_part(item, declaration.base_type)
        if value is not None:
            typed.append(value)
    if declaration.cardinality == "single" and len(typed) > 1:
        raise ScoringError(
            f"response {declaration.identifier!r} has single cardinality but {len(typed)} values were given"
        )
    if declaration.cardinality == "record":
        raise ScoringError(f"response {declaration.identifier!r}: record responses are not supported")
    return _shape(tuple(typed), declaration.cardinality, declaration.base_type)


def _typed_response_part(item: str | int | float | bool, base_type: str | None) -> Single | None:
    if isinstance(item, bool):
        return item if base_type == "boolean" else None
    if isinstance(item, int | float):
        if base_type == "integer":
            return int(item) if float(item).is_integer() else None
        if base_type in ("float", "duration"):
            return float(item)
        item = _number_text(float(item))
    if base_type == "string" and item == "":
        return None
    try:
        return parse_single(item, base_type)
    except ValueError:
        return None


def reads_as(part: str | int | float | bool, base_type: str | None) -> bool:
    """Whether one part of a response is read as a value of `base_type` (an empty string is no response)."""
    return part == "" or _typed_response_part(part, base_type) is not None


_NUMBER_TEXT = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


def as_number(value: Value, what: str) -> float | int | None:
    """A number for numeric operators; a string that reads as a plain number counts (text-entry answers are
    often declared as strings), any other string is NULL."""
    if value is None:
        return None
    if isinstance(value, str):
        if not _NUMBER_TEXT.match(value):
            return None
        number = float(value)
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    if isinstance(value, Container) and len(value.values) == 1:
        return as_number(value.values[0], what)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoringError(f"{what} needs a number, got {format_value(value)!r}")
    return value


JsonValue = str | int | float | bool | list[str] | dict[str, str | None] | None


def format_value(value: Value) -> JsonValue:
    """A JSON-friendly form of a runtime value (for ScoreResult.outcomes): numbers stay numbers."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Container):
        return [format_single(v) for v in value.values]
    if isinstance(value, Record):
        return {k: None if v is None else format_single(v) for k, v in value.fields.items()}
    return format_single(value)
