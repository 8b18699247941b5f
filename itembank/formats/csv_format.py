"""Simple choice items as CSV (UTF-8, comma-separated, header row required; header names are case-insensitive).

| column     | required | meaning                                                                   |
|------------|----------|---------------------------------------------------------------------------|
| id         | no       | item identifier (default: file-row)                                       |
| kind       | no       | single_choice (default) or multiple_response                              |
| stem       | yes      | the question, plain text                                                  |
| A ... J    | A and B  | option texts, plain text; empty cells are skipped                         |
| answer     | yes      | the right letter ("B"), or letters separated by ';' for multiple_response |
| points     | no       | points for a fully right answer (default 1)                               |
| shuffle    | no       | true/false (default true)                                                 |
| rationale  | no       | why the key is right (never shown to candidates)                          |
| domain, language, tags | no | metadata; tags separated by ';'                                 |

For multiple_response each right option is worth points / (number of right options), each wrong one costs as
much, and the total never goes below 0.
"""

from __future__ import annotations

import csv
import html
import io
from typing import Any

from pydantic import ValidationError

from examengine import shutdown
from itembank.formats.common import ImportedItem, ImportProblem, ImportResult, ItemCounter
from itembank.formats.ids import Identifiers, file_stem, make_identifier
from itembank.formats.native_compile import compile_item
from itembank.formats.native_kinds import NativeItem
from itembank.safety import MAX_UPLOAD_BYTES, UnsafeInputError, check_size

OPTION_COLUMNS = [chr(c) for c in range(ord("A"), ord("J") + 1)]
_KNOWN = {"id", "kind", "stem", "answer", "points", "shuffle", "rationale", "domain", "language", "tags"} | {
    c.lower() for c in OPTION_COLUMNS
}


def _row_spec(row: dict[str, str], file: str, line: int, used: Identifiers) -> dict[str, Any]:
    kind = (row.get("kind") or "single_choice").strip()
    if kind not in ("single_choice", "multiple_response"):
        raise ValueError(f"kind {kind!r} is not single_choice or multiple_response")
    options = [(c, row.get(c.lower(), "").strip()) for c in OPTION_COLUMNS if row.get(c.lower(), "").strip()]
    answer = {a.strip().upper() for a in (row.get("answer") or "").split(";") if a.strip()}
    if not answer:
        raise ValueError("the answer column is empty: give the right option's letter")
    missing = answer - {letter for letter, _ in options}
    if missing:
        raise ValueError(f"answer {', '.join(sorted(missing))} names an empty or missing option column")
    if kind == "single_choice" and len(answer) != 1:
        raise ValueError("a single_choice row needs exactly one answer letter")
    points = float(row.get("points") or 1)
    spec: dict[str, Any] = {
        "id": make_identifier(row.get("id", "").strip() or f"{file_stem(file)}-{line}", used),
        "kind": kind,
        "stem": f"<p>{html.escape((row.get('stem') or '').strip(), quote=False)}</p>",
        "points": points,
        "shuffle": (row.get("shuffle") or "true").strip().lower() not in ("false", "0", "no"),
        "rationale": html.escape((row.get("rationale") or "").strip(), quote=False),
        "metadata": {
            "domain": (row.get("domain") or "").strip() or None,
            "language": (row.get("language") or "").strip() or None,
            "tags": [t.strip() for t in (row.get("tags") or "").split(";") if t.strip()],
            "source": f"{file}:{line}",
        },
    }
    share = points / len(answer)
    spec["options"] = [
        {
            "id": letter,
            "text": html.escape(text, quote=False),
            "correct": letter in answer,
            **({"weight": share if letter in answer else -share} if kind == "multiple_response" else {}),
        }
        for letter, text in options
    ]
    if (row.get("stem") or "").strip() == "":
        raise ValueError("the stem column is empty")
    return spec


def import_csv(data: bytes, file: str) -> ImportResult:
    """Import a CSV of choice items; problems name the row's line number."""
    result = ImportResult()
    try:
        check_size(data, MAX_UPLOAD_BYTES)
        text = data.decode("utf-8-sig")
    except (UnsafeInputError, UnicodeDecodeError) as exc:
        result.problems.append(ImportProblem(file, None, None, f"{exc}: save the file as UTF-8 CSV"))
        return result
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    missing = {"stem", "answer", "a", "b"} - set(headers)
    if missing:
        result.problems.append(
            ImportProblem(
                file,
                1,
                None,
                f"the header row lacks {', '.join(sorted(missing))}: see the column list in the documentation",
            )
        )
        return result
    unknown = [h for h in headers if h not in _KNOWN]
    if unknown:
        result.problems.append(
            ImportProblem(file, 1, None, f"unknown columns ignored: {', '.join(unknown)}", "warning")
        )
    used = Identifiers()
    counted = ItemCounter(file, "rows")
    rows: list[tuple[int, dict[str | Any, str | Any]]] = []
    for row in reader:  # read every row first: an oversized file is refused before any row costs validation
        counted.next()
        rows.append((reader.line_num, row))
    for line, row in rows:
        shutdown.check()
        cells = {(k or "").strip().lower(): v or "" for k, v in row.items() if isinstance(v, str)}
        if not any(v.strip() for v in cells.values()):
            continue
        try:
            native = NativeItem.model_validate(_row_spec(cells, file, line, used))
        except (ValueError, ValidationError) as exc:
            message = (
                str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
                if isinstance(exc, ValidationError)
                else str(exc)
            )
            result.problems.append(ImportProblem(file, line, cells.get("id") or None, message))
            continue
        result.items.append(ImportedItem(content=compile_item(native), metadata=native.metadata, file=file, line=line))
    return result
