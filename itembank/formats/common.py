"""What every importer returns: the items it could read, the media files, and what went wrong where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from examengine import shutdown
from examengine.errors import TooLarge
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


MAX_ITEMS_PER_FILE = 20_000


class ItemCounter:
    """Counts what one file yields (items, rows, questions) and stops the import when the file holds more than the
    limit or the server is shutting down; called once per unit, before the unit's work."""

    def __init__(self, file: str, what: str = "items", limit: int = MAX_ITEMS_PER_FILE) -> None:
        self.file, self.what, self.limit, self.count = file, what, limit, 0

    def expect(self, total: int) -> None:
        """Refuse at once a file whose units are all known before any is worked on."""
        if total > self.limit:
            self._refuse()

    def next(self) -> None:
        self.count += 1
        if self.count > self.limit:
            self._refuse()
        shutdown.check()

    def _refuse(self) -> None:
        raise TooLarge(
            f"{self.file} holds more than {self.limit:,} {self.what}; the limit is {self.limit:,} {self.what} "
            "per file: split it into smaller files",
            code="import_too_large",
            details={"file": self.file, "limit": self.limit},
        )
