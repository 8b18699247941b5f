"""Reading the editor's submitted HTML form (name/value pairs) into an `EditorForm`, keeping what was typed."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from itembank.editor.form import AnswerRow, EditorForm, GapRow, OptionRow, PairRow, with_ids

_ROW = re.compile(r"^(options|answers|pairs|distractors|gaps)-(\d{1,3})-(.+)$")
_GAP_OPTION = re.compile(r"^options-(\d{1,3})-(.+)$")
# the form's own fields, read by name: its strings (the kind apart) as typed, its flags by whether a box was ticked
_TEXT_FIELDS = tuple(f.name for f in dataclasses.fields(EditorForm) if f.type == "str" and f.name != "kind")
_FLAGS = tuple(f.name for f in dataclasses.fields(EditorForm) if f.type == "bool")
MAX_ROWS = 200


class _Fields:
    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.values: dict[str, str] = {}
        self.rows: dict[str, dict[int, dict[str, str]]] = {}
        for name, raw in pairs:
            value = raw.replace("\r\n", "\n")  # a browser sends a textarea's lines with CRLF
            match = _ROW.match(name)
            if match is None:
                self.values.setdefault(name, value)
            elif int(match.group(2)) < MAX_ROWS:
                group = self.rows.setdefault(match.group(1), {})
                group.setdefault(int(match.group(2)), {}).setdefault(match.group(3), value)

    def ordered(self, group: str) -> list[dict[str, str]]:
        rows = self.rows.get(group, {})
        return [rows[index] for index in sorted(rows)]


def _option(row: dict[str, str], correct: bool) -> OptionRow:
    return OptionRow(
        id=row.get("id", "").strip(),
        text=row.get("text", ""),
        correct=correct,
        weight=row.get("weight", ""),
        fixed="fixed" in row,
        feedback=row.get("feedback", ""),
    )


def _options(rows: dict[int, dict[str, str]], key: str | None) -> list[OptionRow]:
    """Option rows in the form's order (an ordering item's rows by their position numbers)."""
    ordered = sorted(rows.items(), key=lambda entry: (_position(entry[1], entry[0]), entry[0]))
    return [_option(row, "correct" in row or key == str(index)) for index, row in ordered]


def _position(row: dict[str, str], index: int) -> float:
    try:
        return float(row.get("position", "").strip() or index + 1)
    except ValueError:
        return index + 1


def _gap(row: dict[str, str]) -> GapRow:
    options: dict[int, dict[str, str]] = {}
    for name, value in row.items():
        match = _GAP_OPTION.match(name)
        if match and int(match.group(1)) < MAX_ROWS:
            options.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return GapRow(id=row.get("id", "").strip(), options=_options(options, row.get("correct")))


def form_from_fields(pairs: Iterable[tuple[str, str]]) -> EditorForm:
    """The form as submitted; rows left empty are dropped, so the page shows them again as spare rows."""
    fields = _Fields(pairs)
    form = EditorForm(kind=fields.values.get("kind", ""))
    for name in _TEXT_FIELDS:
        if name in fields.values:
            setattr(form, name, fields.values[name])
    for name in _FLAGS:
        setattr(form, name, name in fields.values)
    options = _options(fields.rows.get("options", {}), fields.values.get("correct"))
    form.options = with_ids([o for o in options if not o.blank])
    form.answers = [
        AnswerRow(r.get("text", ""), r.get("points", ""))
        for r in fields.ordered("answers")
        if r.get("text", "").strip()
    ]
    form.pairs = [
        PairRow(r.get("left", ""), r.get("right", ""))
        for r in fields.ordered("pairs")
        if r.get("left", "").strip() or r.get("right", "").strip()
    ]
    form.distractors = [r.get("text", "") for r in fields.ordered("distractors") if r.get("text", "").strip()]
    gaps = [_gap(r) for r in fields.ordered("gaps")]
    form.gaps = [
        GapRow(g.id, with_ids([o for o in g.options if not o.blank]))
        for g in gaps
        if g.id or any(not o.blank for o in g.options)
    ]
    return form
