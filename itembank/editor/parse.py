"""From the editor's form to a native item: numbers read as people type them, then the native format's own
validation, its errors put beside the field they are about (`messages.field_errors`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from itembank.editor.form import KINDS, EditorForm, OptionRow
from itembank.editor.messages import field_errors
from itembank.formats.native_kinds import NativeItem

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Parsed:
    """The native item (None when anything is wrong) and the errors by form field name."""

    native: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)


class _Reader:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def number(self, name: str, text: str, *, whole: bool = False) -> float | int | None:
        """A number typed by a person ("2", "0.5", "2,5"); None when empty, an error beside `name` when not one."""
        cleaned = text.strip().replace(" ", "")
        if not cleaned:
            return None
        if "," in cleaned and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        try:
            value = float(cleaned)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or (whole and not value.is_integer()):
            self.errors[name] = "Enter a whole number, such as 3." if whole else "Enter a number, such as 2 or 0.5."
            return None
        return int(value) if whole else value


def _labels(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _ref(form: EditorForm) -> str:
    return form.ref.strip() or _SLUG.sub("-", form.title.lower()).strip("-")[:60] or "item"


def _option(reader: _Reader, row: OptionRow, name: str, *, scored: bool) -> dict[str, Any]:
    option: dict[str, Any] = {"id": row.id, "text": row.text}
    if scored:
        weight = reader.number(f"{name}-weight", row.weight)
        option.update(
            {"correct": row.correct, "weight": weight, "fixed": row.fixed, "feedback": row.feedback.strip() or None}
        )
    return option


_WITH_OPTIONS = ("single_choice", "multiple_response", "ordering")


def _kind_fields(form: EditorForm, reader: _Reader) -> dict[str, Any]:
    kind = form.kind
    fields: dict[str, Any] = {}
    if kind in _WITH_OPTIONS:
        scored = kind != "ordering"
        fields["options"] = [_option(reader, o, f"options-{i}", scored=scored) for i, o in enumerate(form.options)]
    if kind in ("single_choice", "multiple_response", "matching", "inline_choice"):
        fields["shuffle"] = form.shuffle
    if kind == "multiple_response":
        fields["floor"] = reader.number("floor", form.floor)
        fields["ceiling"] = reader.number("ceiling", form.ceiling)
    if kind == "true_false":
        fields["answer"] = {"true": True, "false": False}.get(form.answer)
    if kind == "numeric":
        fields["answer"] = reader.number("answer", form.answer)
        fields["tolerance"] = reader.number("tolerance", form.tolerance) or 0.0
        fields["tolerance_mode"] = form.tolerance_mode
    if kind == "short_text":
        fields["answers"] = [
            {"text": a.text, "points": reader.number(f"answers-{i}-points", a.points)}
            for i, a in enumerate(form.answers)
        ]
        fields.update(case_sensitive=form.case_sensitive, normalize_whitespace=form.normalize_whitespace)
    if kind == "matching":
        fields["pairs"] = [{"left": p.left, "right": p.right} for p in form.pairs]
        fields["distractors"] = list(form.distractors)
    if kind == "inline_choice":
        fields["gaps"] = [
            {"id": g.id, "options": [{"id": o.id, "text": o.text, "correct": o.correct} for o in g.options]}
            for g in form.gaps
        ]
    if kind == "essay":
        fields["expected_lines"] = reader.number("expected_lines", form.expected_lines, whole=True)
        fields["word_limit"] = reader.number("word_limit", form.word_limit, whole=True)
        fields["rubric"] = form.rubric
    return fields


def _metadata(form: EditorForm, reader: _Reader) -> dict[str, Any]:
    return {
        "domain": form.domain.strip() or None,
        "tags": _labels(form.tags),
        "enemy_groups": _labels(form.enemy_groups),
        "language": form.language.strip() or None,
        "expected_seconds": reader.number("expected_seconds", form.expected_seconds, whole=True),
        "source": form.source.strip() or None,
    }


def _check_texts(form: EditorForm, reader: _Reader) -> None:
    """What the native format allows but no author means: a question or an option without any text."""
    if not form.stem.strip():
        reader.errors["stem"] = "Write the question."
    rows = [(f"options-{i}-text", o.text) for i, o in enumerate(form.options)] if form.kind in _WITH_OPTIONS else []
    rows += [
        (f"gaps-{g}-options-{i}-text", o.text) for g, gap in enumerate(form.gaps) for i, o in enumerate(gap.options)
    ]
    for name, text in rows:
        if not text.strip():
            reader.errors[name] = "Write this choice, or empty the whole row to leave it out."


def native_from_form(form: EditorForm) -> Parsed:
    """The native item the form describes, as stored (defaults left out), or the errors by field."""
    if form.kind not in KINDS:
        return Parsed(None, {"kind": "Choose what kind of item this is."})
    reader = _Reader()
    data: dict[str, Any] = {
        "id": _ref(form),
        "kind": form.kind,
        "stem": form.stem,
        "title": form.title,
        "points": reader.number("points", form.points),
        "rationale": form.rationale,
        **_kind_fields(form, reader),
        "metadata": _metadata(form, reader),
    }
    if data["points"] is None and "points" not in reader.errors:
        data["points"] = 1.0
    _check_texts(form, reader)
    try:
        item = NativeItem.model_validate(data)
    except ValidationError as error:
        return Parsed(None, {**field_errors(error), **reader.errors})
    if reader.errors:
        return Parsed(None, reader.errors)
    return Parsed(item.model_dump(mode="json", exclude_defaults=True))
