"""The native format's validation errors, said to an author beside the form field they are about."""

from __future__ import annotations

from pydantic import ValidationError

# The kind rules of native_kinds (item-wide errors), said without the format's words, with the field they concern.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("needs at least 2 options, listed", "options", "Give at least two steps, in the correct order."),
    ("needs at least 2 options", "options", "Give at least two options."),
    ("option ids must be unique", "options", "Two options have the same letter: give each its own."),
    ("single_choice item needs exactly one", "options", "Mark exactly one option as the correct answer."),
    (
        "multiple_response item needs at least one",
        "options",
        "Mark at least one option as correct, or give one a positive number of points.",
    ),
    ("true_false item needs answer", "answer", "Choose whether the statement is true or false."),
    ("numeric item needs a numeric answer", "answer", "Enter the correct answer as a number."),
    ("short_text item needs at least one accepted answer", "answers", "Give at least one accepted answer."),
    ("matching item needs at least 2 pairs", "pairs", "Give at least two pairs."),
    (
        "inline_choice stem must hold",
        "stem",
        "Write each gap into the question as {{name}}, once for every gap below, and no other {{...}}.",
    ),
)
_FIELD_NAMES = {"id": "ref", "metadata": ""}
_PLAIN = {
    "string_pattern_mismatch": "Use letters, digits, dots, dashes or underscores, starting with a letter.",
    "greater_than_equal": "This cannot be negative.",
    "string_too_long": "This is too long.",
    "string_too_short": "This cannot be empty.",
    "literal_error": "Choose one of the listed values.",
}


def _rule(message: str) -> tuple[str, str]:
    for fragment, name, said in _RULES:
        if fragment in message:
            return name, said
    if message.startswith("gap "):
        gap = message.split("'")[1] if "'" in message else ""
        return "gaps", f"Mark exactly one choice as correct for the gap {gap}."
    return "form", message.removeprefix("Value error, ")


def _field(location: tuple[int | str, ...]) -> str:
    """The form field of a location in the native item: the form's rows are the native lists' entries, in order."""
    head, *rest = location
    names = [_FIELD_NAMES.get(str(head), str(head)), *(str(part) for part in rest)]
    return "-".join(name for name in names if name) or "form"


def field_errors(error: ValidationError) -> dict[str, str]:
    """Form field name -> what is wrong there, for each problem the native validation found."""
    found: dict[str, str] = {}
    for problem in error.errors():
        location = tuple(problem["loc"])
        if not location:
            name, said = _rule(str(problem["msg"]))
        else:
            name, said = _field(location), _PLAIN.get(problem["type"], str(problem["msg"]))
        found.setdefault(name, said)
    return found
