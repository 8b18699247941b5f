"""Request and response bodies of the JSON API (field names are the contract of API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic.json_schema import SkipJsonSchema

from examengine.accounts.models import Role

# PostgreSQL text cannot hold NUL and no field has a use for it: free text says so in the document.
NO_NUL = r"^[^\x00]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000, allow_inf_nan=False)


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: str
    database: str


class TokenRequest(Strict):
    email: str = Field(min_length=1, max_length=320, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=256, pattern=NO_NUL)


class TokenUser(BaseModel):
    id: str
    email: str
    roles: list[Role]


class TokenOut(BaseModel):
    token: str
    expires_at: datetime
    user: TokenUser


VISIBLE = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
NAME_PATTERN = rf"^[^\x00-\x1f\x7f]*{VISIBLE}[^\x00-\x1f\x7f]*$"  # printable, a visible character (not \s: U+0085)


class UserCreate(Strict):
    email: str = Field(max_length=320, json_schema_extra={"format": "email"})
    name: str = Field(min_length=1, max_length=200, pattern=NAME_PATTERN)
    password: str | None = Field(default=None, min_length=12, max_length=256, pattern=NO_NUL)
    roles: list[Role] = Field(min_length=1, max_length=len(Role))  # every role once, at most


class UserOut(BaseModel):
    id: str
    email: str
    name: str
    roles: list[Role]
    disabled: bool = False


class UserQuery(Strict):
    role: Role | None = None
    q: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    cursor: str | None = Field(default=None, max_length=320, pattern=NO_NUL)
    limit: int = Field(default=50, ge=1, le=200)


class UserList(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


class ImportedOut(BaseModel):
    item_id: str
    version: int
    code: str


class ImportProblemOut(BaseModel):
    file: str
    line: int | None = None
    item: str | None = None
    message: str


class ImportOut(BaseModel):
    imported: list[ImportedOut]
    errors: list[ImportProblemOut]
    warnings: list[ImportProblemOut] = []


class ImportForm(BaseModel):
    file: bytes = Field(json_schema_extra={"format": "binary"})
    format: Literal["native", "qti", "gift", "aiken", "csv"] | None = None
    mode: Literal["all_or_nothing", "valid_only"] = "all_or_nothing"


class ItemQuery(Strict):
    status: Literal["draft", "review", "approved", "retired"] | None = None
    domain: str | None = Field(default=None, max_length=100, pattern=NO_NUL)
    tag: str | None = Field(default=None, max_length=100, pattern=NO_NUL)
    q: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    cursor: str | None = Field(default=None, max_length=9, pattern=r"^[0-9]{0,9}$")
    limit: int = Field(default=50, ge=1, le=200)


class ItemSummaryOut(BaseModel):
    item_id: str
    code: str
    latest_version: int
    status: str
    title: str
    interaction: str
    domain: str | None
    tags: list[str]


class ItemListOut(BaseModel):
    items: list[ItemSummaryOut]
    next_cursor: str | None


class VersionSummaryOut(BaseModel):
    item_id: str
    code: str
    version: int
    status: str
    title: str
    interaction: str
    max_score: float
    domain: str | None
    tags: list[str]
    enemy_groups: list[str]
    language: str | None
    expected_seconds: int | None
    source: str | None
    author_id: str | None
    created_at: datetime
    p_value: float | None
    discrimination: float | None
    stats_n: int | None


class VersionOut(VersionSummaryOut):
    content: dict[str, Any]


class TransitionOut(BaseModel):
    version: int
    from_status: str | None
    to_status: str
    actor_id: str | None
    at: datetime
    comment: str


class ItemOut(BaseModel):
    item_id: str
    code: str
    latest_version: int
    source_identifier: str | None
    versions: list[VersionSummaryOut]
    history: list[TransitionOut]


Label = Annotated[str, Field(min_length=1, max_length=100, pattern=NAME_PATTERN)]


class VersionChanges(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    domain: str | None = Field(default=None, max_length=100, pattern=NAME_PATTERN)
    tags: list[Label] | None = Field(default=None, max_length=50)
    enemy_groups: list[Label] | None = Field(default=None, max_length=50)
    language: str | None = Field(default=None, max_length=35, pattern=NAME_PATTERN)
    expected_seconds: int | None = Field(default=None, ge=1, le=86_400)
    source: str | None = Field(default=None, max_length=500, pattern=NAME_PATTERN)
    points: float | None = Field(default=None, ge=0, le=1000)
    native: dict[str, Any] | None = None
    content: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> VersionChanges:
        if not self.model_fields_set:
            raise ValueError("say which fields change in the new version")
        return self


class NewVersionOut(BaseModel):
    item_id: str
    version: int


class TransitionIn(Strict):
    to: Literal["review", "approved", "retired", "draft"]
    comment: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)


ResponseValue = str | float | int | bool | list[str | float | int] | None


class ScoreIn(Strict):
    response: ResponseValue = None
    responses: dict[Annotated[str, Field(max_length=200)], ResponseValue] | None = None


class ScoreOut(BaseModel):
    score: float | None
    max_score: float
    outcomes: dict[str, Any]
    pending: bool = False


class ExportQuery(Strict):
    format: Literal["qti3"] = "qti3"
    status: Literal["draft", "review", "approved", "retired"] | None = None


class ExamCreated(BaseModel):
    exam_id: str
    version: int
    status: str


class ExamOut(ExamCreated):
    code: str
    title: str
    created_at: datetime
    published_at: datetime | None
    definition: dict[str, Any]


class ExamListOut(BaseModel):
    items: list[ExamOut]


class PoolShortfallOut(BaseModel):
    section: int
    rule: int
    needed: int
    available: int
    message: str


IdText = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]{1,32}$")]


class SittingCandidateIn(Strict):
    user_id: IdText
    time_multiplier: float = Field(default=1.0, ge=1.0, le=4.0)
    extra_minutes: int = Field(default=0, ge=0, le=600)
    separate_start: bool = False
    accommodation_reason: str = Field(default="", max_length=1000, pattern=NO_NUL)


class SittingIn(Strict):
    exam_id: IdText
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    proctor_ids: list[IdText] = Field(default_factory=list, max_length=100)
    candidates: list[SittingCandidateIn] = Field(default_factory=list, max_length=10_000)
    title: str = Field(default="", max_length=300, pattern=NO_NUL)
    location: str = Field(default="online", max_length=200, pattern=NO_NUL)
    requires_admission: bool = False


class SittingCreated(BaseModel):
    sitting_id: str


class EnrolledOut(BaseModel):
    user_id: str
    email: str
    name: str
    time_multiplier: float
    extra_minutes: int
    separate_start: bool
    accommodation_reason: str
    eligible: bool
    reason: str | None


class SittingOut(BaseModel):
    sitting_id: str
    exam_id: str
    exam_code: str
    exam_version: int
    title: str
    opens_at: datetime
    closes_at: datetime
    location: str
    requires_admission: bool
    window: str
    proctor_ids: list[str]
    candidates: list[EnrolledOut]


class SlotOut(BaseModel):
    slot: int
    answered: bool
    flagged: bool


class SectionOut(BaseModel):
    title: str
    slots: list[SlotOut]


class AttemptStarted(BaseModel):
    attempt_id: str
    status: str
    deadline: datetime | None
    remaining_seconds: int | None
    sections: list[SectionOut]
    open_section: int | None = Field(
        default=None,
        description="timed sections: the index of the section open now (earlier ones are closed, later ones not yet "
        "open); deadline and remaining_seconds are then its clock's. null when the sections are not timed",
    )
    clock_ends_exam: bool = Field(
        default=True, description="false while the open timed section ends before the exam does"
    )


class AttemptOut(AttemptStarted):
    current_slot: int | None = Field(
        default=None, description="linear navigation: the one slot the candidate may open now; null when free"
    )
    responses: dict[str, Any] = Field(
        description="slot -> the saved answer, naming options by the identifiers this attempt shows (see the item)"
    )
    flags: list[int]
    answered: int
    total: int
    started_at: datetime | None
    finished_at: datetime | None


class ItemForCandidateOut(BaseModel):
    slot: int
    section: int
    item: dict[str, Any] = Field(
        description="the item as this attempt presents it: options (and match targets, gaps, hot words) in the "
        "attempt's order under identifiers opaque to the candidate and different in every attempt; an answer names "
        "options by these identifiers"
    )
    response: Any = Field(default=None, description="the saved answer, in the same identifiers")
    flagged: bool


class SaveIn(Strict):
    response: ResponseValue | dict[Annotated[str, Field(max_length=200)], ResponseValue] = None
    seq: StrictInt = Field(ge=1, le=2**62)  # 7, never "7", 7.0 or true


class SaveOut(BaseModel):
    slot: int
    saved_seq: int
    remaining_seconds: int | None


class FlagIn(Strict):
    flagged: bool


class EventIn(Strict):
    type: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")
    client_time: AwareDatetime | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class EventRecorded(BaseModel):
    recorded: bool


class SubmitOut(BaseModel):
    status: str
    result: dict[str, Any] | None = None


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=2000, pattern=NO_NUL)


class OptionalReasonIn(Strict):
    reason: str = Field(default="", max_length=2000, pattern=NO_NUL)


class ExtendIn(Strict):
    minutes: int = Field(ge=1, le=600)
    reason: str = Field(min_length=1, max_length=2000, pattern=NO_NUL)


class TimelineEventOut(BaseModel):
    id: int
    at: datetime
    type: str
    actor_id: str | None
    client_time: datetime | None
    detail: dict[str, Any]
    prev_hash: str = ""  # the attempt's hash chain (README: Audit trail)
    hash: str = ""


class TimelineOut(BaseModel):
    attempt_id: str
    events: list[TimelineEventOut]


class SubscoreOut(BaseModel):
    name: str | None  # a section's title, or a domain as the blueprint names it
    raw_score: float
    max_score: float
    percent: float
    pending: int
    code: str | None = None  # a domain's code in the item bank


class ScaleOut(BaseModel):
    """The range of the scaled score, and the passing score on the scale it is reported on."""

    min: float | None
    max: float | None
    passing_score: float | None
    passing_on: Literal["scaled", "percent", "raw"] | None


class ResultOut(BaseModel):
    """A released result (status "released") or only the receipt (status "received") until release."""

    attempt_id: str
    status: Literal["released", "received"]
    message: str | None = None
    withheld: str | None = None  # why no result is shown yet: scoring.release.Withheld
    raw_score: float | None = None
    max_score: float | None = None
    percent: float | None = None
    scaled_score: int | None = None
    passed: bool | None = None
    domains: list[SubscoreOut] = []
    sections: list[SubscoreOut] = []
    scale: ScaleOut | None = None
    released_at: datetime | None = None


class ReleaseIn(Strict):
    """Name the exam version or the sitting whose results to release."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"oneOf": [{"required": ["version"]}, {"required": ["sitting_id"]}]}
    )
    sitting_id: IdText | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1, le=999_999_999)] | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _names_one_scope(self) -> ReleaseIn:
        if (self.sitting_id is None) == (self.version is None):
            raise ValueError("name either the exam version or the sitting whose results to release")
        return self


class ReleaseOut(BaseModel):
    released: int


class LiveRowOut(BaseModel):
    attempt_id: str | None
    user_id: str
    candidate: str
    email: str
    status: str
    answered: int
    total: int
    remaining_seconds: int | None
    last_seen: datetime | None
    connection: str
    offline_for_seconds: int | None
    incidents: dict[str, int]
    attention: list[str]


class LiveRowsOut(BaseModel):
    sitting_id: str
    items: list[LiveRowOut]


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=4000, pattern=NAME_PATTERN)
    category: Literal["identity", "conduct", "technical", "other"] | SkipJsonSchema[None] = None
    hold: bool = False  # programs: reports (an incident that withholds the result)


class TerminationDecisionIn(Strict):
    """An admin's decision about a terminated attempt (the candidate is held until one is recorded):
    `uphold`: the termination and its consequence stand (the attempt counts as used, no result; retake rules apply);
    `allow_retake`: the candidate may start a new attempt now (the terminated one counts towards no retake rule);
    `void`: the attempt is annulled (counts towards nothing, no result or certificate; retakes as for the rest)."""

    decision: Literal["allow_retake", "void", "uphold"]
    reason: str = Field(min_length=1, max_length=2000, pattern=NO_NUL)


class TerminationDecisionOut(BaseModel):
    attempt_id: str
    decision: str
    reason: str
    decided_by: str
    decided_at: datetime
