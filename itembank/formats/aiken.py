"""Moodle Aiken: single-choice questions as plain text.

    The question on one line
    A) first option          (or "A. first option"; the space after ")" or "." is optional)
    B) second option
    ANSWER: B

At least two options; the ANSWER letter must be one of them. Text is plain (HTML is shown literally).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from itembank.content import ItemMetadata
from itembank.formats.common import ImportedItem, ImportProblem, ImportResult, ItemCounter
from itembank.formats.ids import Identifiers, file_stem, make_identifier
from itembank.formats.native_compile import compile_item
from itembank.formats.native_kinds import NativeItem
from itembank.safety import MAX_UPLOAD_BYTES, UnsafeInputError, check_size

_OPTION = re.compile(r"^([A-Za-z])[).]\s*(\S.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


@dataclass
class _Question:
    line: int
    stem: str
    options: list[tuple[str, str]] = field(default_factory=list)


def import_aiken(data: bytes, file: str) -> ImportResult:
    """Import an Aiken file; every malformed question is reported on the line where the problem shows."""
    result = ImportResult()
    try:
        check_size(data, MAX_UPLOAD_BYTES)
        text = data.decode("utf-8-sig")
    except (UnsafeInputError, UnicodeDecodeError) as exc:
        result.problems.append(ImportProblem(file, None, None, f"{exc}: save the file as UTF-8"))
        return result
    used = Identifiers()
    questions = ItemCounter(file, "questions")
    current: _Question | None = None

    def problem(line: int, message: str) -> None:
        result.problems.append(ImportProblem(file, line, None, message))

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        option, answer = _OPTION.match(line), _ANSWER.match(line)
        if answer:
            if current is None:
                problem(
                    number, "an ANSWER line with no question before it: start with the question text, then its options"
                )
            else:
                _finish(current, answer.group(1).strip(), number, file, used, result)
            current = None
        elif option:
            if current is None:
                problem(number, "an option line with no question before it: put the question text on the line above")
            else:
                current.options.append((option.group(1).upper(), option.group(2).strip()))
        else:
            if current is not None and current.options:
                problem(
                    number,
                    f"the question on line {current.line} has no ANSWER line: add 'ANSWER: <letter>' after its options",
                )
            elif current is not None:
                current.stem += " " + line
                continue
            questions.next()
            current = _Question(number, line)
    if current is not None:
        problem(current.line, "this question has no ANSWER line: add 'ANSWER: <letter>' after its options")
    return result


def _finish(question: _Question, letter: str, line: int, file: str, used: Identifiers, result: ImportResult) -> None:
    letters = [key for key, _ in question.options]
    if len(question.options) < 2:
        message = f"the question on line {question.line} has {len(question.options)} option(s); Aiken needs at least 2"
        result.problems.append(ImportProblem(file, line, None, message))
        return
    if letter.upper() not in letters:
        message = (
            f"ANSWER {letter!r} is not one of the options {', '.join(letters)}: give the letter of the right option"
        )
        result.problems.append(ImportProblem(file, line, None, message))
        return
    if len(set(letters)) != len(letters):
        result.problems.append(ImportProblem(file, line, None, "two options share a letter: letter them A, B, C, ..."))
        return
    spec = {
        "id": make_identifier(f"{file_stem(file)}-{question.line}", used),
        "kind": "single_choice",
        "stem": f"<p>{html.escape(question.stem, quote=False)}</p>",
        "options": [
            {"id": key, "text": html.escape(text, quote=False), "correct": key == letter.upper()}
            for key, text in question.options
        ],
        "metadata": ItemMetadata(source=f"{file}:{question.line}"[-500:]).model_dump(),
    }
    try:
        native = NativeItem.model_validate(spec)
    except ValidationError as exc:
        result.problems.append(ImportProblem(file, question.line, None, str(exc.errors()[0]["msg"])))
        return
    result.items.append(
        ImportedItem(content=compile_item(native), metadata=native.metadata, file=file, line=question.line)
    )
