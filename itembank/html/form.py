"""Submitted form fields back to response values: the inverse of `itembank.html.render_item_html`.

The naming scheme and the value forms are documented in `itembank.html`. Only values that name the item's own
options (or pairs of them) are kept, so a tampered submission cannot store identifiers the item does not have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from itembank.qti.values import RawResponse

_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d*,\d+\s*$")


def pairs_in(values: Iterable[str]) -> list[tuple[str, str]]:
    """The well-formed "A B" pairs among `values`, in order."""
    pairs = []
    for value in values:
        parts = value.split()
        if len(parts) == 2:
            pairs.append((parts[0], parts[1]))
    return pairs


def _ids(options: Iterable[Mapping[str, Any]]) -> list[str]:
    return [o["identifier"] for o in options]


def _first_or_all(view: Mapping[str, Any], values: list[str]) -> RawResponse:
    if view.get("cardinality") == "single" or (view.get("cardinality") is None and view.get("max_choices") == 1):
        return values[0] if values else None
    return values


def _chosen(view: Mapping[str, Any], values: list[str]) -> RawResponse:
    known = set(_ids(view.get("options", [])))
    return _first_or_all(view, list(dict.fromkeys(v for v in values if v in known)))


def _ordered(view: Mapping[str, Any], values: list[str]) -> RawResponse:
    options = _ids(view.get("options", []))
    positions: dict[str, int] = {}
    for option, position in pairs_in(values):
        if option in options and position.isdigit() and 1 <= int(position) <= len(options):
            positions.setdefault(option, int(position))
    # sorted() is stable: two options given the same position keep the order they were shown in
    return sorted(positions, key=positions.__getitem__)


def _pairs(view: Mapping[str, Any], values: list[str]) -> RawResponse:
    kind = view["kind"]
    sources = set(_ids(view.get("options", [])))
    targets = sources if kind == "associate" else set(_ids(view.get("targets", [])))
    seen: set[Any] = set()
    kept = []
    for first, second in pairs_in(values):
        if first not in sources or second not in targets or first == second:
            continue
        # a gap holds one text; an associate pair has no direction
        key = second if kind == "gapMatch" else frozenset((first, second)) if kind == "associate" else (first, second)
        if key not in seen:
            seen.add(key)
            kept.append(f"{first} {second}")
    return _first_or_all(view, kept)


def _text(view: Mapping[str, Any], values: list[str]) -> RawResponse:
    if view["kind"] == "textEntry":
        text = values[0].strip() if values else ""
        if view.get("base_type") == "float" and _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")  # a decimal keypad in many locales has only a comma
        return text or None
    texts = [v.replace("\r\n", "\n") for v in values]
    if view.get("cardinality") in ("multiple", "ordered"):
        return [t for t in texts if t.strip()]
    return texts[0] if texts and texts[0] != "" else None


_READERS = {
    "choice": _chosen,
    "hottext": _chosen,
    "inlineChoice": _chosen,
    "order": _ordered,
    "match": _pairs,
    "associate": _pairs,
    "gapMatch": _pairs,
    "textEntry": _text,
    "extendedText": _text,
}


def unknown_values(view: Mapping[str, Any], form_items: Iterable[tuple[str, str]], name_prefix: str = "r") -> list[str]:
    """Submitted values of option controls that name no option of `view` (a tampered or stale form): the
    identifiers in them a page never showed. Text fields and empty choices are never unknown."""
    kinds = {i["response_identifier"]: i for i in view.get("interactions", [])}
    start, unknown = f"{name_prefix}.", []
    for name, value in form_items:
        interaction = kinds.get(name[len(start) :]) if name.startswith(start) else None
        if interaction is None or interaction["kind"] in ("textEntry", "extendedText") or not value:
            continue
        known = set(_ids(interaction.get("options", []))) | set(_ids(interaction.get("targets", [])))
        parts = value.split()
        if interaction["kind"] == "order" and len(parts) == 2 and parts[1].isdigit():
            parts = parts[:1]
        unknown += [part for part in parts if part not in known]
    return unknown


def responses_from_form(
    view: Mapping[str, Any], form_items: Iterable[tuple[str, str]], name_prefix: str = "r"
) -> dict[str, RawResponse]:
    """The response of every interaction in `view`, from submitted (name, value) fields in submission order."""
    submitted: dict[str, list[str]] = {}
    start = f"{name_prefix}."
    for name, value in form_items:
        if name.startswith(start) and isinstance(value, str):
            submitted.setdefault(name[len(start) :], []).append(value)
    responses: dict[str, RawResponse] = {}
    for interaction in view.get("interactions", []):
        rid = interaction["response_identifier"]
        reader = _READERS.get(interaction["kind"])
        if reader is not None and rid not in responses:
            responses[rid] = reader(interaction, submitted.get(rid, []))
    return responses
