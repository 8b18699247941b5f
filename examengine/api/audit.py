"""The audit log export (admin): `GET /api/v1/audit?since=&until=&kind=`, with each record's hashes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response

from examengine.api.spec import json_response, operation
from examengine.audit.kinds import AuditKind
from examengine.audit.service import AuditFilter, find
from examengine.http.request import services


def _utc(value: datetime | None) -> datetime | None:
    """In UTC; a bound too far out to convert (year 1 or 9999 with an offset) is the end of time it points at."""
    if value is None:
        return None
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime | None = Field(default=None, description="records at or after this time")
    until: AwareDatetime | None = Field(default=None, description="records before this time")
    kind: AuditKind | None = None
    actor_id: str | None = Field(default=None, max_length=32, pattern=r"^[0-9A-Za-z_-]*$")
    subject: str | None = Field(default=None, max_length=200, pattern=r"^[^\x00]*$")
    cursor: int | None = Field(default=None, ge=0, le=2**62, description="next_cursor of the previous page")
    limit: int = Field(default=100, ge=1, le=1000)

    @field_validator("since", "until")
    @classmethod
    def in_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class AuditRecordOut(BaseModel):
    id: int
    at: datetime
    kind: AuditKind
    actor_id: str | None
    subject: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditList(BaseModel):
    items: list[AuditRecordOut]
    next_cursor: int | None


@operation(tags=["audit"], query=AuditQuery, responses={200: AuditList})
async def audit_log(request: Request, query: AuditQuery) -> Response:
    """The global audit chain in order, filtered by time and kind, a page at a time (admin)."""
    where = AuditFilter(
        since=query.since, until=query.until, kind=query.kind, actor_id=query.actor_id, subject=query.subject
    )
    page = await services(request).db.read(find, where=where, cursor=query.cursor, limit=query.limit)
    items = [
        AuditRecordOut(
            id=r.id,
            at=r.at,
            kind=r.kind,
            actor_id=r.actor_id,
            subject=r.subject,
            detail=r.detail,
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in page.items
    ]
    return json_response(AuditList(items=items, next_cursor=page.next_cursor))
