"""Request and response bodies of the marking, rescoring and retake-exception operations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from examengine.api.schemas import NO_NUL, IdText, Strict

Whole = Annotated[int, Field(ge=1, le=999_999_999)]


class QueueGroupOut(BaseModel):
    exam_id: str
    exam_code: str
    exam_title: str
    item_id: str
    item_title: str
    waiting: int
    available: int  # the ones the caller may take now
    stages: dict[str, int]


class MarkingQueueOut(BaseModel):
    items: list[QueueGroupOut]


class ClaimIn(Strict):
    """Claim the next answer to mark, of one exam and one item when named."""

    exam_id: IdText | SkipJsonSchema[None] = None
    item_id: IdText | SkipJsonSchema[None] = None


class EarlierMarkOut(BaseModel):
    stage: str
    score: float
    comment: str


class MarkingTaskOut(BaseModel):
    """One answer as a marker sees it: the script's anonymous id, never the attempt or its candidate."""

    script_id: str
    slot: int
    stage: int
    stage_name: str
    exam_code: str
    exam_title: str
    item_title: str
    item: dict[str, Any]
    response: Any = None
    rubrics: list[str]
    guidance: str
    max_score: float
    claimed_until: datetime | None
    earlier_marks: list[EarlierMarkOut]


class MarkIn(Strict):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    stage: Literal[1, 2, 3]
    score: float = Field(ge=0, le=1_000_000)
    comment: str = Field(default="", max_length=2000, pattern=NO_NUL)


class MarkOut(BaseModel):
    script_id: str
    slot: int
    stage: int
    final_score: float | None
    result_status: str


class RescoreIn(Strict):
    """A rescoring decision about one item of one exam version; `apply` false (the default) only previews."""

    version: Whole
    item_id: IdText
    decision: Literal["new_version", "credit_all", "drop"]
    item_version: Whole | SkipJsonSchema[None] = None
    reason: str = Field(min_length=1, max_length=2000, pattern=NO_NUL)
    apply: bool = False


class ResultNumbersOut(BaseModel):
    raw_score: float
    max_score: float
    percent: float | None
    scaled_score: float | None
    passed: bool | None
    status: str


class RescoreChangeOut(BaseModel):
    attempt_id: str
    user_id: str
    candidate: str
    email: str
    before: ResultNumbersOut
    after: ResultNumbersOut
    pass_changed: bool


class RescoreOut(BaseModel):
    applied: bool
    decision_id: int | None
    results_considered: int
    changes: list[RescoreChangeOut]
    pass_fail_changes: list[str]  # attempt ids
    certificates_revoked: list[str]  # attempt ids


class RetakeExceptionIn(Strict):
    user_id: IdText
    kind: Literal["extra_attempt", "waive_wait"]
    reason: str = Field(min_length=1, max_length=2000, pattern=NO_NUL)


class RetakeExceptionOut(BaseModel):
    id: int
    user_id: str
    exam_id: str
    kind: str
    reason: str
    granted_by: str | None
    granted_at: datetime
