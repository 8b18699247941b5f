"""Item analysis of an exam version (API.md: Results and analysis), as JSON or CSV; admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response

from examengine.analysis.exam_analysis import analyze_exam
from examengine.analysis.exam_report import analysis_csv, csv_filename
from examengine.analysis.exam_responses import Filters
from examengine.analysis.matrix import MissingRule
from examengine.api.schemas import Strict
from examengine.api.spec import json_response, operation
from examengine.http.request import services


class AnalysisQuery(Strict):
    version: int | None = Field(default=None, ge=1, le=999_999_999)
    sitting_id: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")
    since: AwareDatetime | None = Field(default=None, description="attempts finished at or after this time")
    until: AwareDatetime | None = Field(default=None, description="attempts finished before this time")
    missing: Literal["wrong", "exclude"] = Field(
        default="wrong", description="how an item on the form left unanswered counts"
    )

    @field_validator("since", "until")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("the time is out of range once converted to UTC") from None


class FlagOut(BaseModel):
    code: str
    message: str
    option: str | None = None


class ItemAnalysisOut(BaseModel):
    item_id: str
    version: int
    n: int
    p_value: float | None
    point_biserial: float | None
    corrected_point_biserial: float | None
    options: dict[str, float]
    flags: list[FlagOut]
    code: str
    title: str
    interaction: str
    max_score: float
    given: int = Field(description="attempts whose form held the item (n leaves out blanks when missing=exclude)")
    mean_score: float | None
    omit_rate: float | None
    alpha_if_deleted: float | None
    key: list[str]
    option_point_biserials: dict[str, float | None]


class FormOut(BaseModel):
    items: list[str]
    n_items: int
    n: int
    mean: float
    sd: float | None
    kr20: float | None
    cronbach_alpha: float | None
    sem: float | None


class ScoreCount(BaseModel):
    score: float
    count: int


class TestSummaryOut(BaseModel):
    n: int
    mean: float | None
    sd: float | None
    kr20: float | None
    sem: float | None
    cronbach_alpha: float | None
    n_items: int
    max_score: float | None
    cut_score_raw: float | None
    forms_count: int
    reliability_basis: Literal["single_form", "per_form", "none"]
    reliability_note: str
    forms: list[FormOut]
    distribution: list[ScoreCount]


class AnalysisExam(BaseModel):
    exam_id: str
    code: str
    title: str
    version: int


class AnalysisFilters(BaseModel):
    version: int | None
    sitting_id: str | None
    since: str | None
    until: str | None


class ItemAnalysisReport(BaseModel):
    exam: AnalysisExam
    filters: AnalysisFilters
    limited: bool = Field(description="more attempts matched than one analysis reads; the newest were analysed")
    rules: dict[str, str]
    test: TestSummaryOut
    items: list[ItemAnalysisOut]


def _filters(request: Request, query: AnalysisQuery) -> dict[str, Any]:
    return {
        "exam_id": request.path_params["exam_id"],
        "filters": Filters(query.version, query.sitting_id, query.since, query.until),
        "missing_rule": MissingRule(query.missing),
    }


@operation(tags=["results"], query=AnalysisQuery, responses={200: ItemAnalysisReport}, errors=(404,))
async def item_analysis(request: Request, query: AnalysisQuery) -> Response:
    """Item and test statistics of an exam version's scored attempts (the newest version with results unless
    `version` is given), optionally of one sitting and a range of finish times."""
    analysis = await services(request).db.read(analyze_exam, **_filters(request, query))
    return json_response(ItemAnalysisReport.model_validate(analysis.to_dict()))


@operation(tags=["results"], query=AnalysisQuery, responses={200: None}, errors=(404,))
async def item_analysis_csv(request: Request, query: AnalysisQuery) -> Response:
    """The same item analysis as CSV, one row per item version."""
    analysis = await services(request).db.read(analyze_exam, **_filters(request, query))
    return Response(
        analysis_csv(analysis),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{csv_filename(analysis)}"'},
    )
