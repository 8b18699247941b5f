"""The form document: a candidate's form as stored on the attempt (and on a prepared form), typed.

The column holds JSON (its layout is unchanged: documents stored before these types read back the same, and what
is written is the same JSON); `FormDocumentType` turns it into a `FormDocument` on the way out and back on the way
in, so the code reads `form.sections[i].slots[0]`, not `form["sections"][i]["slots"][0]`. Keys a document written
earlier does not have (the navigation rules, the presentation key, the timed sections' allowances) read as None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from sqlalchemy import JSON, Dialect
from sqlalchemy.types import TypeDecorator

# A process keeps the forms of the attempts under way (ten thousand of them, twenty slots each): every object of
# theirs that the garbage collector tracks lengthens each of its full passes, which stop the whole process. So the
# types below have no per-instance dict (`slots=True`), an unshuffled slot shares one empty mapping, and an order
# is a tuple of strings, which the collector stops tracking.
NO_ORDERS: Mapping[str, tuple[str, ...]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class FormSlot:
    """One item on the form: its pinned version, its section and the attempt's order of each shuffled
    interaction's options (response identifier -> option identifiers)."""

    item_id: str
    version: int
    section: int
    option_orders: Mapping[str, Sequence[str]] = field(default_factory=lambda: NO_ORDERS)

    def __post_init__(self) -> None:
        orders = {response: tuple(order) for response, order in self.option_orders.items()} or NO_ORDERS
        object.__setattr__(self, "option_orders", orders)

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "version": self.version,
            "section": self.section,
            "option_orders": {response: list(order) for response, order in self.option_orders.items()},
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FormSlot:
        return cls(raw["item_id"], int(raw["version"]), int(raw["section"]), raw.get("option_orders") or NO_ORDERS)


@dataclass(frozen=True, slots=True)
class FormSection:
    title: str
    time_limit_minutes: int | None
    slots: tuple[int, ...]  # the slot numbers, in order
    allowed_seconds: int | None = None  # a timed section's allowance for this candidate (attempts only)

    def to_json(self) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "title": self.title,
            "time_limit_minutes": self.time_limit_minutes,
            "slots": list(self.slots),
        }
        if self.allowed_seconds is not None:
            stored["allowed_seconds"] = self.allowed_seconds
        return stored

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FormSection:
        return cls(
            str(raw["title"]),
            raw.get("time_limit_minutes"),
            tuple(int(n) for n in raw["slots"]),
            raw.get("allowed_seconds"),
        )


@dataclass(frozen=True, slots=True)
class FormDocument:
    sections: tuple[FormSection, ...]
    slots: Mapping[int, FormSlot]  # slot number -> its item, numbered from 1 through the sections
    assembly: Mapping[str, Any] | None = None  # the assembler's report (kept as written; nothing decides on it)
    form_index: int | None = None  # a fixed form's index (A = 0); None for LOFT
    form_name: str | None = None
    navigation: Mapping[str, Any] | None = None  # the exam's navigation rules when the attempt began
    presentation_key: str | None = None  # the attempt's secret behind its option identifiers

    @property
    def item_ids(self) -> list[str]:
        return [slot.item_id for slot in self.slots.values()]

    @property
    def allow_review(self) -> bool:
        return bool((self.navigation or {}).get("allow_review", True))

    @property
    def allow_flagging(self) -> bool:
        return bool((self.navigation or {}).get("allow_flagging", True))

    def slot_numbers(self, section: int | None = None) -> list[int]:
        """The slot numbers in order: of one section, or of the whole form."""
        parts = self.sections if section is None else (self.sections[section],)
        return [number for part in parts for number in part.slots]

    def section_allowances(self) -> tuple[int | None, ...]:
        return tuple(section.allowed_seconds for section in self.sections)

    def shape(self) -> dict[str, Any]:
        """The sections and slots as stored: what makes two forms the same form."""
        return {
            "sections": [section.to_json() for section in self.sections],
            "slots": {str(number): slot.to_json() for number, slot in self.slots.items()},
        }

    def for_attempt(
        self, *, allowances: Sequence[int | None] | None, navigation: Mapping[str, Any], presentation_key: str
    ) -> FormDocument:
        """The document as an attempt stores it: the timed sections' allowances, the navigation rules and the key."""
        sections = self.sections
        if allowances is not None:
            sections = tuple(
                replace(section, allowed_seconds=seconds)
                for section, seconds in zip(self.sections, allowances, strict=True)
            )
        return replace(self, sections=sections, navigation=navigation, presentation_key=presentation_key)

    def to_json(self) -> dict[str, Any]:
        stored = self.shape()
        optional = {
            "assembly": None if self.assembly is None else dict(self.assembly),
            "form_index": self.form_index,
            "form_name": self.form_name,
            "navigation": None if self.navigation is None else dict(self.navigation),
            "presentation_key": self.presentation_key,
        }
        stored.update({key: value for key, value in optional.items() if value is not None})
        return stored

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FormDocument:
        return cls(
            tuple(FormSection.from_json(section) for section in raw["sections"]),
            {int(number): FormSlot.from_json(slot) for number, slot in raw["slots"].items()},
            raw.get("assembly"),
            raw.get("form_index"),
            raw.get("form_name"),
            raw.get("navigation"),
            raw.get("presentation_key"),
        )


class FormDocumentType(TypeDecorator[FormDocument]):
    """A JSON column holding a form document."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: FormDocument | None, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else value.to_json()

    def process_result_value(self, value: Any, dialect: Dialect) -> FormDocument | None:
        return None if value is None else FormDocument.from_json(value)
