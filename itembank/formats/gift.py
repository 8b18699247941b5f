"""Moodle GIFT: essay {}, true/false {T}, single and multiple choice (= ~ %weight%), short answer, numeric
{#answer:tolerance} and {#low..high}, matching (= left -> right). Questions are separated by blank lines; //
comments and $CATEGORY: lines are understood (the category becomes the item's domain). Text is plain unless
marked [html]; a question's identifier is its ::title:: (made unique) or file-line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from itembank.content import ItemMetadata
from itembank.formats.common import ImportedItem, ImportProblem, ImportResult, ItemCounter
from itembank.formats.ids import Identifiers, file_stem, make_identifier
from itembank.formats.native_compile import compile_item
from itembank.formats.native_kinds import NativeItem
from itembank.safety import MAX_UPLOAD_BYTES, UnsafeInputError, check_size

_ESCAPABLE = set("~=#{}:\\n")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)


@dataclass
class _Block:
    line: int
    lines: list[str] = field(default_factory=list)
    category: str | None = None


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped `target` at or after `start`, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _markup(text: str, default_html: bool = False) -> str:
    """A GIFT text fragment as HTML: [html] text is kept (and later sanitised), anything else is escaped."""
    match = _FORMAT.match(text)
    is_html = default_html if match is None else match.group(1).lower() == "html"
    body = _unescape(text[match.end() :] if match else text).strip()
    return body if is_html else html.escape(body, quote=False)


def _split_answers(text: str) -> list[tuple[str, str]]:
    """Answer entries as (marker, text), marker being '=' or '~' (or '' for a leading entry without one)."""
    entries: list[tuple[str, str]] = []
    marker, start, i = "", 0, 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char in "=~":
            if text[start:i].strip() or marker:
                entries.append((marker, text[start:i]))
            marker, start = char, i + 1
        i += 1
    if text[start:].strip() or marker:
        entries.append((marker, text[start:]))
    return entries


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    category: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            continue
        if stripped.startswith("$CATEGORY:"):
            category = stripped.removeprefix("$CATEGORY:").strip()
            continue
        if not stripped:
            current = None
            continue
        if current is None:
            current = _Block(line=number, category=category)
            blocks.append(current)
        current.lines.append(raw)
    return blocks


class GiftError(ValueError):
    pass


def _feedback_split(entry: str) -> tuple[str, str | None]:
    hash_at = _find(entry, "#")
    if hash_at < 0:
        return entry, None
    return entry[:hash_at], entry[hash_at + 1 :]


def _weighted(entry: str) -> tuple[float | None, str]:
    match = _WEIGHT.match(entry.strip())
    if match is None:
        return None, entry.strip()
    return float(match.group(1)), entry.strip()[match.end() :]


def _parse_answers(answers: str, spec: dict[str, Any]) -> None:
    body = answers.strip()
    general = _find(body, "####")
    if general >= 0:
        spec["rationale"] = _markup(body[general + 4 :])
        body = body[:general].strip()
    if not body:
        spec["kind"] = "essay"
        return
    head, _ = _feedback_split(body)
    if _unescape(head).strip().upper() in ("T", "TRUE", "F", "FALSE"):
        spec.update(kind="true_false", answer=_unescape(head).strip().upper().startswith("T"))
        return
    if body.startswith("#"):
        _numeric(body[1:], spec)
        return
    entries = _split_answers(body)
    if any(_find(text, "->") >= 0 for _, text in entries):
        _matching(entries, spec)
    elif any(marker == "~" for marker, _ in entries):
        _choices(entries, spec)
    else:
        _short_answers(entries, spec)


def _numeric(body: str, spec: dict[str, Any]) -> None:
    accepted = []
    for marker, entry in _split_answers(body) or [("", body)]:
        value_text, _ = _feedback_split(entry)
        weight, value = _weighted(_unescape(value_text))
        if not value or marker == "~" or (weight is not None and weight < 100):
            continue
        if ".." in value:
            low, high = (float(part) for part in value.split("..", 1))
            accepted.append(((low + high) / 2, (high - low) / 2))
        else:
            number, _, tolerance = value.partition(":")
            accepted.append((float(number), float(tolerance or 0)))
    if not accepted:
        raise GiftError("the numeric answer block has no full-credit answer: write {#answer:tolerance} or {#low..high}")
    spec.update(kind="numeric", answer=accepted[0][0], tolerance=abs(accepted[0][1]))


def _matching(entries: list[tuple[str, str]], spec: dict[str, Any]) -> None:
    pairs, distractors = [], []
    for _, entry in entries:
        arrow = _find(entry, "->")
        if arrow < 0:
            raise GiftError("every matching answer needs 'left -> right'")
        left, right = _markup(entry[:arrow]), _markup(entry[arrow + 2 :])
        (pairs.append({"left": left, "right": right}) if left else distractors.append(right))
    spec.update(kind="matching", pairs=pairs, distractors=distractors)


def _choices(entries: list[tuple[str, str]], spec: dict[str, Any]) -> None:
    options = []
    has_equals = any(marker == "=" for marker, _ in entries)
    for index, (marker, entry) in enumerate(entries):
        text, feedback = _feedback_split(entry)
        weight, text = _weighted(text)
        option: dict[str, Any] = {"id": chr(ord("A") + index) if index < 26 else f"O{index}", "text": _markup(text)}
        if marker == "=":
            option["correct"] = True
        if weight is not None:
            option["weight"] = weight / 100
        if feedback:
            option["feedback"] = _markup(feedback)
        options.append(option)
    spec.update(kind="single_choice" if has_equals else "multiple_response", options=options)


def _short_answers(entries: list[tuple[str, str]], spec: dict[str, Any]) -> None:
    answers = []
    for _, entry in entries:
        text, _ = _feedback_split(entry)
        weight, text = _weighted(text)
        text = _unescape(text).strip()
        if text and text != "*" and (weight is None or weight > 0):
            answers.append({"text": text, "points": (weight if weight is not None else 100) / 100})
    spec.update(kind="short_text", answers=answers)


def _question(block: _Block, file: str, used: Identifiers) -> ImportedItem:
    text = "\n".join(block.lines).strip()
    title = None
    if text.startswith("::"):
        end = _find(text, "::", 2)
        if end < 0:
            raise GiftError("the ::title:: is not closed")
        title, text = _unescape(text[2:end]).strip(), text[end + 2 :]
    open_at = _find(text, "{")
    close_at = _find(text, "}", open_at + 1) if open_at >= 0 else -1
    if open_at < 0 or close_at < 0:
        raise GiftError(
            "no answer block {...} found (descriptions are not imported): add {} for an essay or the answers"
        )
    stem_html = _markup(text[:open_at])
    tail = _markup(text[close_at + 1 :])
    if tail:
        stem_html = f"{stem_html} _____ {tail}"
    spec: dict[str, Any] = {
        "id": make_identifier(title or f"{file_stem(file)}-{block.line}", used),
        "title": title or "",
        "stem": stem_html,
    }
    _parse_answers(text[open_at + 1 : close_at], spec)
    spec["metadata"] = ItemMetadata(domain=block.category, source=f"{file}:{block.line}"[-500:]).model_dump()
    native = NativeItem.model_validate(spec)
    return ImportedItem(content=compile_item(native), metadata=native.metadata, file=file, line=block.line)


def import_gift(data: bytes, file: str) -> ImportResult:
    """Import a GIFT file; each question that cannot be read is reported with its first line."""
    result = ImportResult()
    try:
        check_size(data, MAX_UPLOAD_BYTES)
        text = data.decode("utf-8-sig")
    except (UnsafeInputError, UnicodeDecodeError) as exc:
        result.problems.append(ImportProblem(file, None, None, f"{exc}: save the file as UTF-8"))
        return result
    used = Identifiers()
    blocks = _blocks(text)
    questions = ItemCounter(file, "questions")
    questions.expect(len(blocks))
    for block in blocks:
        questions.next()
        try:
            result.items.append(_question(block, file, used))
        except (GiftError, ValueError, ValidationError) as exc:
            message = (
                "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()[:3])
                if isinstance(exc, ValidationError)
                else str(exc)
            )
            result.problems.append(ImportProblem(file, block.line, None, message))
    return result
