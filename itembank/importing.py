"""Reading an uploaded file in any format and storing what it holds as new items (with their media)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    func,
    insert,
    select,
    text,
    update,
)
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput
from examengine.ids import new_id
from itembank.authoring import version_values
from itembank.content import ItemContent, content_from_json, content_to_json
from itembank.formats.common import ImportProblem, ImportResult
from itembank.formats.native import import_native
from itembank.media import store_package_media
from itembank.models import (
    ITEM_TABLE,
    LABEL_TABLE,
    NUMBERED_CODE,
    TRANSITION_TABLE,
    VERSION_TABLE,
    Item,
    ItemStatus,
    item_code,
)
from itembank.search import index_text

_Rows = list[dict[str, Any]]


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    VALID_ONLY = "valid_only"


@dataclass(frozen=True)
class ImportedRef:
    item_id: str
    version: int
    code: str


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[ImportedRef, ...]
    errors: tuple[ImportProblem, ...]
    warnings: tuple[ImportProblem, ...]


def problem_dict(problem: ImportProblem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "item": problem.item, "message": problem.message}


def _lock_item_numbers(session: Session) -> int:
    """The next item number, with concurrent importers serialized (SQLite: BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7301001)"))
    return int(session.scalar(select(func.coalesce(func.max(Item.number), 0))) or 0) + 1


_LINKED_ATTRIBUTE = re.compile(r'(src|href|data)=\\"([^"\\]*)\\"')


def _relink(content: ItemContent, urls: Mapping[str, str]) -> ItemContent:
    if not urls:
        return content
    document = json.dumps(content_to_json(content))

    def relinked(match: re.Match[str]) -> str:
        return f'{match[1]}=\\"{urls.get(match[2], match[2])}\\"'

    # One pass over the document, whatever the number of media files (a replace per file was items x files).
    return content_from_json(json.loads(_LINKED_ATTRIBUTE.sub(relinked, document)))


def _new_rows(result: ImportResult, urls: Mapping[str, str], number: int, actor_id: str | None) -> tuple[_Rows, ...]:
    """The rows of the items read, numbered from `number`: items, their first versions, labels and transitions."""
    now = utcnow()
    items: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    transitions: list[dict[str, Any]] = []
    for offset, entry in enumerate(result.items):
        item_id = new_id()
        item = {
            "id": item_id,
            "number": number + offset,
            "source_identifier": entry.content.identifier[:200],
            "latest_version": 1,
            "created_at": now,
            "created_by": actor_id,
        }
        row, row_labels = version_values(
            item_id, number + offset, 1, _relink(entry.content, urls), entry.metadata, actor_id, now
        )
        items.append(item)
        versions.append(row)
        labels.extend(row_labels)
        transitions.append(
            {
                "item_id": item_id,
                "version": 1,
                "from_status": None,
                "to_status": ItemStatus.DRAFT.value,
                "actor_id": actor_id,
                "at": now,
                "comment": f"imported from {entry.file}"[:2000],
            }
        )
    return items, versions, labels, transitions


def import_items(
    *,
    session: Session,
    result: ImportResult,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    actor_id: str | None = None,
) -> ImportReport:
    """Store what an importer read. With all_or_nothing, any error refuses the whole file (InvalidInput whose
    details hold every error) and nothing is stored; with valid_only the good items are stored and the errors
    reported."""
    errors = tuple(result.errors)
    warnings = tuple(p for p in result.problems if p.severity == "warning")
    if errors and mode == ImportMode.ALL_OR_NOTHING:
        raise InvalidInput(
            f"{len(errors)} problem(s) found; nothing was imported. Fix them, or import only the valid items.",
            code="import_rejected",
            details={"errors": [problem_dict(p) for p in errors], "retry_with": {"mode": ImportMode.VALID_ONLY.value}},
        )
    if not result.items:
        if errors:
            return ImportReport((), errors, warnings)
        raise InvalidInput("The file holds no items.", code="import_empty")
    urls = store_package_media(session, result.media)
    items, versions, labels, transitions = _new_rows(result, urls, _lock_item_numbers(session), actor_id)
    # Core executemany, parents before children: building and flushing ORM objects cost most of an import.
    for table, batch in (
        (ITEM_TABLE, items),
        (VERSION_TABLE, versions),
        (LABEL_TABLE, labels),
        (TRANSITION_TABLE, transitions),
    ):
        if batch:
            session.execute(insert(table), batch)
    index_text(session, versions)
    return ImportReport(tuple(ImportedRef(i["id"], 1, item_code(i["number"])) for i in items), errors, warnings)


def create_item(*, session: Session, native: Mapping[str, Any], actor_id: str | None) -> ImportedRef:
    """Store one item given in the native form, read exactly as a native import of that one item reads it.

    Its `id` becomes its code. Raises InvalidInput with the importer's messages when the item is not valid (or its
    id has the form of the numbered codes), and Conflict when an item in the bank already has that code."""
    result = import_native(json.dumps(dict(native)).encode(), "the request")
    if result.errors or len(result.items) != 1:
        problems = [problem_dict(p) for p in result.errors]
        first = problems[0]["message"] if problems else "send one item, not a list"
        raise InvalidInput(f"The item is not valid: {first}", code="invalid_item", details={"errors": problems})
    _lock_item_numbers(session)  # serializes creators, so two requests with the same id cannot both pass the check
    code = result.items[0].content.identifier
    taken = session.scalars(select(Item).where(col(Item.given_code) == code).limit(1)).first()
    if taken is None and NUMBERED_CODE.fullmatch(code):
        number = int(code[4:]) if code[4:].isdecimal() and len(code) <= 13 else 0
        taken = session.scalars(select(Item).where(col(Item.number) == number, col(Item.given_code).is_(None))).first()
        if taken is None:
            raise InvalidInput(
                f"The id {code!r} has the form of the bank's own numbered codes (ITM-000123): choose another id.",
                code="reserved_code",
            )
    if taken is not None:
        raise Conflict(
            f"The code {code!r} is already taken by an item in the bank: give this item another id, or save it "
            "as a new version of that item.",
            code="duplicate_item",
            details={"item_id": taken.id, "code": taken.code},
        )
    ref = import_items(session=session, result=result, actor_id=actor_id).imported[0]
    session.execute(update(Item).where(col(Item.id) == ref.item_id).values(given_code=code))
    return ImportedRef(ref.item_id, ref.version, code)


FORMATS = ("native", "qti", "gift", "aiken", "csv")


def read_upload(filename: str, data: bytes, fmt: str | None = None) -> ImportResult:
    """Parse an uploaded file in the named format, or the detected one; problems come back in the result."""
    from itembank.formats import aiken, csv_format, detect, gift, native, qti

    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.", code="unknown_format")
    importers: dict[str, Callable[[bytes, str], ImportResult]] = {
        "native": native.import_native,
        "qti": qti.import_package if data[:4] == b"PK\x03\x04" else qti.import_item_xml,
        "gift": gift.import_gift,
        "aiken": aiken.import_aiken,
        "csv": csv_format.import_csv,
    }
    try:
        return detect.import_file(filename, data) if fmt is None else importers[fmt](data, filename)
    except RecursionError:  # every reader limits nesting; this is the net under a reader that missed a path
        raise InvalidInput(
            f"{filename} nests its structure too deeply to read: flatten it", code="import_too_deep"
        ) from None
