"""Admin page: the audit log, filtered by kind, dates and subject, newest first, and as a CSV download."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from examengine import csv_export
from examengine.accounts import service as accounts
from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.audit.service import AuditFilter, AuditPage, find
from examengine.clock import rfc3339
from examengine.http.request import services
from examengine.web.templating import is_htmx, render
from examengine.workflows import audit_labels

CSV_COLUMNS = ["id", "at", "kind", "actor_id", "actor", "subject", "detail", "prev_hash", "hash"]
CSV_BATCH = 1000


@dataclass(frozen=True)
class Filters:
    kind: str
    since: str
    until: str
    subject: str
    error: str | None

    def query_string(self) -> str:
        return urlencode({"kind": self.kind, "since": self.since, "until": self.until, "subject": self.subject})


def _day(raw: str) -> date | None:
    return date.fromisoformat(raw) if raw else None


def read_filters(request: Request) -> tuple[Filters, AuditFilter]:
    params = request.query_params
    kind = params.get("kind", "")
    kind = kind if kind in {k.value for k in AuditKind} else ""
    since, until, subject = params.get("since", "")[:10], params.get("until", "")[:10], params.get("subject", "")[:200]
    subject = subject.replace("\x00", "")
    try:
        first, last = _day(since), _day(until)
    except ValueError:
        return Filters(kind, since, until, subject, "Give dates as YYYY-MM-DD."), AuditFilter(kind=None)
    where = AuditFilter(
        since=datetime.combine(first, time(), UTC) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), UTC) if last and last < date.max else None,
        kind=AuditKind(kind) if kind else None,
        subject=subject or None,
    )
    return Filters(kind, since, until, subject, None), where


def _actor_names(session: Session, records: tuple[AuditRecord, ...]) -> dict[str, str]:
    found = accounts.users_by_id(session=session, user_ids=(r.actor_id for r in records if r.actor_id))
    return {u.id: f"{u.name} <{u.email}>" for u in found.values()}


def _row(record: AuditRecord, actors: dict[str, str]) -> dict[str, Any]:
    return {
        "id": record.id,
        "at": rfc3339(record.at),
        "kind": record.kind,
        "actor_id": record.actor_id or "",
        "actor": actors.get(record.actor_id or "", "system" if record.actor_id is None else record.actor_id),
        "subject": record.subject,
        "detail": json.dumps(record.detail, sort_keys=True, ensure_ascii=False),
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }


async def audit_log(request: Request) -> Response:
    filters, where = read_filters(request)
    if request.query_params.get("format") == "csv" and filters.error is None:
        return await _csv(request, where)
    raw_cursor = request.query_params.get("cursor", "")
    cursor = int(raw_cursor) if raw_cursor.isdecimal() and len(raw_cursor) < 19 else None

    def read(*, session: Session) -> tuple[AuditPage, list[dict[str, Any]]]:
        page = find(session=session, where=where, cursor=cursor, limit=50, newest_first=True)
        actors = _actor_names(session, page.items)
        shown = audit_labels.labelled(session=session, records=page.items)
        return page, [_row(r, actors) | {"record": r, "shown": s} for r, s in zip(page.items, shown, strict=True)]

    page, rows = (AuditPage((), None), []) if filters.error else await services(request).db.read(read)
    context = {
        "filters": filters,
        "rows": rows,
        "next_cursor": page.next_cursor,
        "kinds": [(k.value, audit_labels.kind_label(k.value)) for k in AuditKind],
    }
    block = "results" if is_htmx(request) and request.headers.get("hx-target") == "audit-results" else None
    return render(request, "admin/audit.html", context, block=block, status_code=422 if filters.error else 200)


async def _csv(request: Request, where: AuditFilter) -> Response:
    def read(*, session: Session) -> str:
        out = io.StringIO()
        writer = csv_export.DictWriter(out, CSV_COLUMNS)
        writer.writeheader()
        cursor = None
        while True:
            page = find(session=session, where=where, cursor=cursor, limit=CSV_BATCH)
            actors = _actor_names(session, page.items)
            writer.writerows(_row(r, actors) for r in page.items)
            if page.next_cursor is None:
                return out.getvalue()
            cursor = page.next_cursor

    text = await services(request).db.read(read)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
