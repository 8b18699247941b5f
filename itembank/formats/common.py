"""What every importer returns: the items it could read, the media files, and what went wrong where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from itembank.content import ItemContent, ItemMetadata


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the input: where it is and, in `message`, what is wrong and how to fix it.

    An "error" means the item (or line) was not imported; a "warning" means it was, with something ignored.
    """

    file: str
    line: int | None
    item: str | None
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        subject = f" item {self.item!r}" if self.item else ""
        return f"{where}{subject}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class ImportedItem:
    content: ItemContent
    metadata: ItemMetadata = field(default_factory=ItemMetadata)
    file: str = ""
    line: int | None = None


@dataclass
class ImportResult:
    items: list[ImportedItem] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "error"]

    def extend(self, other: ImportResult) -> None:
        self.items.extend(other.items)
        self.problems.extend(other.problems)
        self.media.update(other.media)
