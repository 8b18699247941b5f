"""printedVariable over an outcome: what the item shows before any response is processed.

QTI 2.1 Information Model, printedVariable: its identifier names "the outcome or template variable" whose value is
printed, so an outcome is a legal target and needs no template processing. When the item is first presented no
response processing has run, so an outcome holds its initial value (Information Model, outcome variables): its
defaultValue, or NULL, except a single numeric outcome without a default, which starts at 0. NULL prints as nothing.
`format` is a C printf conversion (the spec's number formatting rules), `base` the radix of an integer, `index`
(1-based) picks one value of a container and `delimiter` (default ";") separates the values of a container
printed whole. qtiworks renders the same way: the `qti:printedVariable` template of its rendering stylesheet prints
an outcome's current value as well as a template variable's.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from itembank.content import OutcomeDeclaration
from itembank.qti.values import Container, Record, Single, Value, format_single
from itembank.scoring import initial_outcome

_CONVERSION = re.compile(r"%[-+ 0#]*\d*(?:\.\d+)?([diouxXeEfFgGs])")
_DIGITS = string.digits + string.ascii_lowercase


def _in_base(number: int, base: int) -> str:
    if number == 0:
        return "0"
    digits = []
    magnitude = abs(number)
    while magnitude:
        magnitude, digit = divmod(magnitude, base)
        digits.append(_DIGITS[digit])
    return ("-" if number < 0 else "") + "".join(reversed(digits))


def _formatted(value: Single, attrs: Mapping[str, str]) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return format_single(value)
    base = attrs.get("base", "10")
    if isinstance(value, int) and base.isdecimal() and 2 <= int(base) <= 36 and int(base) != 10:
        return _in_base(value, int(base))
    conversions = _CONVERSION.findall(attrs.get("format", "").replace("%%", ""))
    if len(conversions) == 1 and conversions[0] != "s":
        number = int(value) if conversions[0] in "diouxX" else float(value)
        try:
            return str(attrs["format"] % number)
        except (TypeError, ValueError, OverflowError):
            pass
    return format_single(value)


def printed_text(declaration: OutcomeDeclaration, attrs: Mapping[str, str]) -> str:
    """The text a printedVariable with `attrs` shows for this outcome at first presentation."""
    value: Value = initial_outcome(declaration)
    if value is None:
        return ""
    if isinstance(value, Container):
        index = attrs.get("index", "")
        if index.lstrip("-").isdecimal() and int(index) != 0:
            position = int(index) - 1 if int(index) > 0 else len(value.values) + int(index)
            return _formatted(value.values[position], attrs) if 0 <= position < len(value.values) else ""
        return attrs.get("delimiter", ";").join(_formatted(v, attrs) for v in value.values)
    if isinstance(value, Record):
        return ""
    return _formatted(value, attrs)
