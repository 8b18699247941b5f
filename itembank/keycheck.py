"""Why a response an author typed to try a key cannot be read, before it is scored.

A candidate's unreadable response counts as no response (qti.values.response_value); an author trying the key
must hear instead that what they typed was not read, or a wrong key and a mistyped answer both look like a 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from itembank.content import ItemContent, ResponseDeclaration
from itembank.qti.values import RawResponse, reads_as

_FORMS = {
    "integer": "a whole number, like 4",
    "float": "a number, like 3.5",
    "duration": "a number of seconds, like 90",
    "boolean": "true or false",
    "point": "two numbers separated by a space, like 120 45",
    "pair": 'two option ids separated by a space, like "A P"',
    "directedPair": 'two option ids separated by a space, like "A P"',
}


def _options(content: ItemContent, identifier: str) -> list[str]:
    return [
        choice.identifier
        for interaction in content.interactions
        if interaction.response_identifier == identifier
        for choice in (*interaction.choices, *interaction.targets)
    ]


def _problem(part: object, declaration: ResponseDeclaration, options: list[str]) -> str | None:
    base_type = declaration.base_type
    if not isinstance(part, str | int | float | bool) or not reads_as(part, base_type):
        return f"{part!r} is not {_FORMS.get(base_type or '', 'a value of this response')}"
    if options and base_type in ("identifier", "pair", "directedPair"):
        unknown = [name for name in str(part).split() if name not in options]
        if unknown:
            return f"{', '.join(unknown)} is not one of the item's options ({', '.join(options)})"
    return None


def unreadable(content: ItemContent, responses: Mapping[str, RawResponse]) -> list[str]:
    """One message per value that would not be read as the response it is given for (empty: all readable)."""
    messages = []
    for declaration in content.responses:
        raw = responses.get(declaration.identifier)
        if raw is None:
            continue
        parts = [raw] if isinstance(raw, str | int | float | bool) else raw
        if not isinstance(parts, list | tuple):
            messages.append(f"{declaration.identifier}: give a value or a list of values, not {type(raw).__name__}")
            continue
        options = _options(content, declaration.identifier)
        for part in parts:
            problem = _problem(part, declaration, options)
            if problem:
                messages.append(problem if len(content.responses) == 1 else f"{declaration.identifier}: {problem}")
    return messages
