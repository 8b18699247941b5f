"""Reading response matrices and keys from CSV text, with errors that name the line at fault."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

from examengine.analysis.matrix import ALWAYS_MISSING, MatrixError, ResponseMatrix

NumberedRow = tuple[int, list[str]]


def load_responses(
    path: str | Path, *, missing_codes: Collection[str] = (), header: bool | None = None
) -> ResponseMatrix:
    """Read a responses CSV file (UTF-8, a byte-order mark is allowed). See `parse_responses`."""
    path = Path(path)
    return parse_responses(_read_text(path), missing_codes=missing_codes, header=header, source=path.name)


def parse_responses(
    text: str, *, missing_codes: Collection[str] = (), header: bool | None = None, source: str | None = None
) -> ResponseMatrix:
    """One examinee per row, one item per column: option ids (letters or numbers) or scores (0/1 or points).

    A first row of item names is detected when `header` is None: it is a header when its cells are distinct,
    non-empty and none of them occurs in its column below. Cells in `missing_codes` (e.g. "8" for omitted)
    and empty / NA cells are missing. Raises MatrixError (with the line) for an empty file, ragged rows or
    a header with duplicate names.
    """
    rows = _numbered_rows(text, source)
    if not rows:
        raise MatrixError("the file is empty: expected one examinee per row", source=source)
    has_header = _looks_like_header(rows) if header is None else header
    if has_header:
        _, names = rows[0]
        item_ids = tuple(name.strip() for name in names)
        data = rows[1:]
        if any(not name for name in item_ids):
            raise MatrixError("the header row has an empty item name", source=source, line=rows[0][0])
    else:
        item_ids = tuple(f"item_{j + 1}" for j in range(len(rows[0][1])))
        data = rows
    if not data:
        raise MatrixError("there are no examinee rows after the header", source=source)
    width = len(item_ids)
    missing = ALWAYS_MISSING | {code.strip() for code in missing_codes}
    responses: list[tuple[str | None, ...]] = []
    for line, cells in data:
        if len(cells) != width:
            raise MatrixError(f"this row has {len(cells)} cells but there are {width} items", source=source, line=line)
        responses.append(tuple(None if cell.strip() in missing else cell.strip() for cell in cells))
    return ResponseMatrix(
        item_ids=item_ids,
        responses=tuple(responses),
        line_numbers=tuple(line for line, _ in data),
        source=source,
    )


def load_key(path: str | Path, item_ids: Sequence[str]) -> tuple[str, ...]:
    """Read a key file for the given items. See `parse_key`."""
    path = Path(path)
    return parse_key(_read_text(path), item_ids, source=path.name)


def parse_key(text: str, item_ids: Sequence[str], *, source: str | None = None) -> tuple[str, ...]:
    """A key as one line of keys in item order (`A,C,B,...`), or as `item,key` lines (a header line
    `item,key` is allowed) in any order. Returns the keys in the order of `item_ids`. Raises MatrixError when
    the file is empty, the count differs from the items, an item is unknown, repeated or has no key."""
    rows = _numbered_rows(text, source)
    if not rows:
        raise MatrixError("the key file is empty", source=source)
    if len(rows) == 1:
        line, keys = rows[0]
        if len(keys) != len(item_ids):
            raise MatrixError(
                f"the key has {len(keys)} entries but the responses have {len(item_ids)} items",
                source=source,
                line=line,
            )
        return _non_empty_keys([(line, key) for key in keys], item_ids, source)
    if [cell.strip().lower() for cell in rows[0][1]] == ["item", "key"]:
        rows = rows[1:]
    keys_by_item: dict[str, tuple[int, str]] = {}
    for line, cells in rows:
        if len(cells) != 2:
            raise MatrixError(
                f"expected two columns `item,key` but this line has {len(cells)}; a key in item order goes on one line",
                source=source,
                line=line,
            )
        item, key = cells[0].strip(), cells[1]
        if item not in item_ids:
            raise MatrixError(f"item {item!r} is not among the responses' items", source=source, line=line)
        if item in keys_by_item:
            raise MatrixError(
                f"item {item!r} has a second key (first on line {keys_by_item[item][0]})", source=source, line=line
            )
        keys_by_item[item] = (line, key)
    absent = [item for item in item_ids if item not in keys_by_item]
    if absent:
        raise MatrixError(f"no key for {len(absent)} item(s): {', '.join(absent[:10])}", source=source)
    return _non_empty_keys([keys_by_item[item] for item in item_ids], item_ids, source)


def with_key(matrix: ResponseMatrix, key: Sequence[str]) -> ResponseMatrix:
    return replace(matrix, key=tuple(key))


def parse_long_responses(
    text: str, *, person_column: str, item_column: str, value_column: str, source: str | None = None
) -> ResponseMatrix:
    """Long format (one row per examinee and item, with a header) to a matrix. Examinees and items keep the
    order of their first appearance; a pair that never appears is missing. Raises MatrixError for a missing
    column or a pair given twice."""
    rows = _numbered_rows(text, source)
    if not rows:
        raise MatrixError("the file is empty", source=source)
    header = [cell.strip() for cell in rows[0][1]]
    columns = []
    for name in (person_column, item_column, value_column):
        if name not in header:
            raise MatrixError(f"no column {name!r} in the header ({', '.join(header)})", source=source, line=rows[0][0])
        columns.append(header.index(name))
    person_at, item_at, value_at = columns
    cells: dict[tuple[str, str], str] = {}
    people: dict[str, int] = {}
    items: dict[str, None] = {}
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise MatrixError(
                f"this row has {len(row)} cells but the header has {len(header)}", source=source, line=line
            )
        person, item = row[person_at].strip(), row[item_at].strip()
        if (person, item) in cells:
            raise MatrixError(f"examinee {person!r} has a second value for item {item!r}", source=source, line=line)
        cells[(person, item)] = row[value_at].strip()
        people.setdefault(person, line)
        items.setdefault(item, None)
    responses = tuple(tuple(_present(cells.get((person, item))) for item in items) for person in people)
    return ResponseMatrix(
        item_ids=tuple(items), responses=responses, line_numbers=tuple(people.values()), source=source
    )


def _present(cell: str | None) -> str | None:
    return None if cell is None or cell in ALWAYS_MISSING else cell


def _non_empty_keys(numbered: list[tuple[int, str]], item_ids: Sequence[str], source: str | None) -> tuple[str, ...]:
    keys = []
    for (line, key), item in zip(numbered, item_ids, strict=True):
        if not key.strip():
            raise MatrixError(f"the key for item {item!r} is empty", source=source, line=line)
        keys.append(key.strip())
    return tuple(keys)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise MatrixError(f"not UTF-8 text ({error.reason} at byte {error.start})", source=path.name) from None


def _numbered_rows(text: str, source: str | None) -> list[NumberedRow]:
    """CSV rows with their 1-based starting line, blank lines skipped."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows: list[NumberedRow] = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as error:
        raise MatrixError(f"unreadable CSV: {error}", source=source, line=line) from None
    return rows


def _looks_like_header(rows: list[NumberedRow]) -> bool:
    first = [cell.strip() for cell in rows[0][1]]
    if any(cell in ALWAYS_MISSING for cell in first) or len(set(first)) != len(first):
        return False
    if len(rows) == 1:
        # Nothing below to compare with: names are words, responses and scores are short codes.
        return any(len(cell) > 1 and not _is_number(cell) for cell in first)
    below: list[set[str]] = [set() for _ in first]
    for _, row in rows[1:]:
        for j, cell in enumerate(row[: len(first)]):
            below[j].add(cell.strip())
    return all(cell not in column for cell, column in zip(first, below, strict=True))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
