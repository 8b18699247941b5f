"""The results of an exam analysis: per item, per form and for the test, with the rules they follow, as data
that the API, the pages and the CSV export all read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from examengine.analysis.exam_responses import ExamResponses, ItemColumn
from examengine.analysis.flags import Flag
from examengine.analysis.matrix import MissingRule
from examengine.analysis.stats import POINT_BISERIAL_DEFINITION, SD_DEFINITION
from examengine.clock import rfc3339

MISSING_STATEMENTS = {
    MissingRule.WRONG: "An item on the candidate's form that was left unanswered counts as wrong (0 points).",
    MissingRule.EXCLUDE: (
        "An item on the candidate's form that was left unanswered is left out of that item's statistics "
        "(it still adds 0 to the candidate's total)."
    ),
}
RULES = {
    "not_presented": (
        "An item that was not on an attempt's form is left out of that item's statistics: an item's n counts the "
        "attempts that were given it."
    ),
    "p_value": "p-value = mean points on the item / the item's maximum points (the proportion correct for 0/1 items)",
    "options": (
        "Option proportions are shares of the attempts given the item that chose the option (with several answers "
        "allowed they can add up to more than 1); only choice items have them"
    ),
    "correlations": POINT_BISERIAL_DEFINITION + ", over the attempts given the item; totals are raw scores",
    "sd": SD_DEFINITION,
    "sem": "SEM = sd * sqrt(1 - reliability), reliability being KR-20 for 0/1 items, else alpha",
    "included": "Attempts with a complete result (none waiting for marking) of this exam version",
}


@dataclass(frozen=True)
class OptionShare:
    option_id: str
    is_key: bool
    count: int
    proportion: float
    point_biserial: float | None


@dataclass(frozen=True)
class ItemAnalysis:
    column: ItemColumn
    n: int
    given: int
    p_value: float | None
    mean_score: float | None
    point_biserial: float | None
    corrected_point_biserial: float | None
    omit_rate: float | None
    alpha_if_deleted: float | None
    options: tuple[OptionShare, ...]
    flags: tuple[Flag, ...]

    def to_dict(self) -> dict[str, Any]:
        item = self.column
        return {
            "item_id": item.item_id,
            "version": item.version,
            "n": self.n,
            "p_value": self.p_value,
            "point_biserial": self.point_biserial,
            "corrected_point_biserial": self.corrected_point_biserial,
            "options": {o.option_id: o.proportion for o in self.options},
            "flags": [flag.to_dict() for flag in self.flags],
            "code": item.code,
            "title": item.title,
            "interaction": item.interaction,
            "max_score": item.max_score,
            "given": self.given,
            "mean_score": self.mean_score,
            "omit_rate": self.omit_rate,
            "alpha_if_deleted": self.alpha_if_deleted,
            "key": sorted(item.key) if item.options else [],
            "option_point_biserials": {o.option_id: o.point_biserial for o in self.options},
        }


@dataclass(frozen=True)
class FormReliability:
    items: tuple[str, ...]  # item codes
    n: int
    mean: float
    sd: float | None
    kr20: float | None
    cronbach_alpha: float | None
    sem: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "n_items": len(self.items),
            "n": self.n,
            "mean": self.mean,
            "sd": self.sd,
            "kr20": self.kr20,
            "cronbach_alpha": self.cronbach_alpha,
            "sem": self.sem,
        }


@dataclass(frozen=True)
class TestSummary:
    n: int
    mean: float | None
    sd: float | None
    kr20: float | None
    cronbach_alpha: float | None
    sem: float | None
    n_items: int
    max_score: float | None  # None when the forms' maximum scores differ
    cut_score_raw: float | None
    forms_count: int
    reliability_basis: str  # "single_form", "per_form" or "none"
    reliability_note: str
    forms: tuple[FormReliability, ...]
    distribution: tuple[tuple[float, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": self.mean,
            "sd": self.sd,
            "kr20": self.kr20,
            "sem": self.sem,
            "cronbach_alpha": self.cronbach_alpha,
            "n_items": self.n_items,
            "max_score": self.max_score,
            "cut_score_raw": self.cut_score_raw,
            "forms_count": self.forms_count,
            "reliability_basis": self.reliability_basis,
            "reliability_note": self.reliability_note,
            "forms": [form.to_dict() for form in self.forms],
            "distribution": [{"score": score, "count": count} for score, count in self.distribution],
        }


@dataclass(frozen=True)
class ExamAnalysis:
    responses: ExamResponses
    missing_rule: MissingRule
    totals: tuple[float, ...]
    items: tuple[ItemAnalysis, ...]
    test: TestSummary

    def item(self, item_id: str) -> ItemAnalysis | None:
        return next((item for item in self.items if item.column.item_id == item_id), None)

    def to_dict(self) -> dict[str, Any]:
        responses, filters = self.responses, self.responses.filters
        return {
            "exam": {
                "exam_id": responses.exam_id,
                "code": responses.code,
                "title": responses.title,
                "version": responses.version,
            },
            "filters": {
                "version": filters.version,
                "sitting_id": filters.sitting_id,
                "since": rfc3339(filters.since) if filters.since else None,
                "until": rfc3339(filters.until) if filters.until else None,
            },
            "limited": responses.limited,
            "rules": {
                "missing": self.missing_rule.value,
                "missing_statement": MISSING_STATEMENTS[self.missing_rule],
                **RULES,
            },
            "test": self.test.to_dict(),
            "items": [item.to_dict() for item in self.items],
        }
