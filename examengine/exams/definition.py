"""What an exam version is made of: the blueprint an admin writes (the body of POST /api/v1/exams), validated.

Fields beyond these are allowed and kept, as API.md promises; everything named here is checked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from examengine.clock import as_utc

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
TEXT = r"^[^\x00]*$"


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FixedItem(_Closed):
    item_id: str = Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]{1,32}$")
    version: int = Field(ge=1, le=999_999_999)


class DrawRule(_Closed):
    domain: str | None = Field(default=None, max_length=100, pattern=TEXT)
    tag: str | None = Field(default=None, max_length=100, pattern=TEXT)
    count: int = Field(ge=1, le=500)

    @model_validator(mode="after")
    def _names_a_pool(self) -> DrawRule:
        if not self.domain and not self.tag:
            raise ValueError("a draw rule names a domain, a tag or both")
        return self

    def describe(self) -> str:
        parts = [f"domain {self.domain}" if self.domain else "", f"tag {self.tag}" if self.tag else ""]
        return " and ".join(p for p in parts if p)


class Section(_Open):
    title: str = Field(min_length=1, max_length=200, pattern=TEXT)
    time_limit_minutes: int | None = Field(default=None, ge=1, le=1440)
    shuffle_items: bool = True
    shuffle_options: bool = True
    items: tuple[FixedItem, ...] = ()
    draw: tuple[DrawRule, ...] = ()

    @model_validator(mode="after")
    def _has_items(self) -> Section:
        if not self.items and not self.draw:
            raise ValueError(f"section {self.title!r} has no items: list fixed items or draw rules")
        return self


class CutScore(_Closed):
    type: Literal["raw", "percent", "scaled"]
    value: float = Field(ge=0)


class Scale(_Closed):
    min: float
    max: float
    cut: float

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.min < self.cut < self.max:
            raise ValueError("the scale needs min < cut < max")
        return self


class DomainName(_Closed):
    """How the blueprint names an item domain to candidates: results show `name`, never the bank's `code`."""

    code: str = Field(min_length=1, max_length=100, pattern=TEXT)
    name: str = Field(min_length=1, max_length=200, pattern=TEXT)


class RetakePolicy(_Closed):
    max_attempts: int = Field(default=1, ge=1, le=100)
    wait_days_after_fail: int = Field(default=0, ge=0, le=3650)
    allow_after_pass: bool = False
    period_days: int | None = Field(default=None, ge=1, le=3650)
    max_attempts_in_period: int | None = Field(default=None, ge=1, le=100)
    require_different_form: bool = True


class Marking(_Closed):
    """How human-scored answers are marked (see examengine.marking.rule for the rule)."""

    double: bool = False
    max_difference: float = Field(default=1, ge=0, le=1000)
    resolution: Literal["average", "third_marker"] = "third_marker"
    round_to: float = Field(default=0.5, gt=0, le=100, description="an average is rounded half up to a multiple")


class Navigation(_Closed):
    mode: Literal["free", "linear"] = "free"
    allow_review: bool = True
    allow_flagging: bool = True


class ExamDefinition(_Open):
    code: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=1, max_length=300, pattern=TEXT)
    instructions: str = Field(default="", max_length=20_000, pattern=TEXT)
    time_limit_minutes: int | None = Field(default=None, ge=1, le=1440)
    assembly: Literal["loft", "fixed"] = "loft"
    forms: int = Field(default=1, ge=1, le=26, description="how many fixed forms (A, B, …) to build")
    sections: tuple[Section, ...] = Field(min_length=1, max_length=50)
    cut_score: CutScore | None = None
    scale: Scale | None = None
    domains: tuple[DomainName, ...] = Field(default=(), max_length=500)
    retake_policy: RetakePolicy = RetakePolicy()
    result_release: Literal["immediate", "after_marking", "on_date", "manual"] = "immediate"
    release_at: datetime | None = None
    certificate_valid_days: int | None = Field(default=None, ge=1, le=36_500, description="None: never expires")
    navigation: Navigation = Navigation()
    marking: Marking = Marking()
    difficulty_target: float | None = Field(default=None, ge=0, le=1)
    difficulty_tolerance: float | None = Field(default=None, gt=0, le=1)
    max_exposure: float | None = Field(default=None, gt=0, le=1)
    incident_credit_cap_minutes: int = Field(
        default=30, ge=0, le=600, description="the most incident time a proctor may credit to one attempt in total"
    )

    @field_validator("release_at")
    @classmethod
    def _release_at_in_utc(cls, value: datetime | None) -> datetime | None:
        """A release time without a zone is read as UTC (the server's zone for every stored time), so that it
        compares with the clock instead of failing at release."""
        return None if value is None else as_utc(value)

    @model_validator(mode="after")
    def _consistent(self) -> ExamDefinition:
        if self.cut_score and self.cut_score.type == "percent" and self.cut_score.value > 100:
            raise ValueError("a percent cut score is at most 100")
        if self.cut_score and self.cut_score.type == "scaled" and self.scale is None:
            raise ValueError("a scaled cut score needs a scale")
        if self.result_release == "on_date" and self.release_at is None:
            raise ValueError("result_release on_date needs release_at")
        codes = [d.code for d in self.domains]
        if len(set(codes)) != len(codes):
            raise ValueError("a domain is named twice")
        fixed = [(i.item_id, i.version) for s in self.sections for i in s.items]
        if len({item for item, _ in fixed}) != len(fixed):
            raise ValueError("an item is listed twice among the fixed items")
        return self

    def domain_name(self, code: str | None) -> str | None:
        """The blueprint's name for an item domain: its own code when the blueprint does not name it."""
        return next((d.name for d in self.domains if d.code == code), code)

    @property
    def slot_count(self) -> int:
        return sum(len(s.items) + sum(r.count for r in s.draw) for s in self.sections)
