"""The one way this codebase writes CSV: every cell a person typed is kept from being run as a spreadsheet formula.

OWASP's CSV injection guidance: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
Excel, LibreOffice and Sheets as a formula (`=HYPERLINK(...)`, `@SUM(...)`, DDE). Such a cell is written with a
leading single quote, which the spreadsheet shows as text. Leading spaces and line breaks do not disarm a formula in
every spreadsheet, so the first character that is not whitespace decides; their fullwidth forms count too. A cell that
is a plain number (`-0.25`, `+3`, `1e-3`) is data, not a formula, and is left as it is. The csv module's quoting
handles commas, quotes and line breaks inside a cell.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def escape_formula(value: object) -> object:
    """`value` as a cell that no spreadsheet will evaluate; numbers, booleans and None pass unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        if _NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


class Writer:
    """csv.writer whose every cell goes through escape_formula."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([escape_formula(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter:
    """csv.DictWriter whose every value goes through escape_formula."""

    def __init__(self, out: IO[str], fieldnames: Sequence[str], **options: Any) -> None:
        self._writer = csv.DictWriter(out, fieldnames, **options)

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerow(self, row: Mapping[str, object]) -> None:
        self._writer.writerow({key: escape_formula(value) for key, value in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, object]]) -> None:
        for row in rows:
            self.writerow(row)
