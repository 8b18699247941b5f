"""Proctor pages: assigned sittings, the live dashboard (refreshing itself), actions, an attempt's timeline."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine import csv_export
from examengine.accounts import service as accounts
from examengine.clock import rfc3339, utcnow
from examengine.delivery import attempt_view, attempts, credit, device
from examengine.errors import DomainError, InvalidInput
from examengine.exams.models import Sitting
from examengine.http.request import current_user, services
from examengine.proctoring import access, dashboard, notes, sitting_actions
from examengine.proctoring.access import watched_attempt, watched_sitting
from examengine.programs import accommodation_flags
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import is_htmx, render

STATUS_FILTERS = ("not_checked_in", "waiting", "in_progress", "paused", "submitted", "expired", "terminated")


@dataclass(frozen=True)
class Announcement:
    """An announcement form sent back: the text as typed and why it was refused."""

    text: str = ""
    error: str | None = None


async def my_sittings(request: Request) -> Response:
    found = await services(request).db.read(access.watched_sittings, who=current_user(request))
    return render(request, "proctor/sittings.html", {"sittings": found, "now": utcnow()})


async def sitting_dashboard(
    request: Request, *, notice: str | None = None, status_code: int = 200, announcement: Announcement = Announcement()
) -> Response:
    who = current_user(request)
    sitting_id = str(request.path_params["sitting_id"])
    wanted = request.query_params.get("status") if request.query_params.get("status") in STATUS_FILTERS else None
    attention_only = request.query_params.get("attention") == "1"

    def read(*, session: Session) -> tuple[Sitting, list[dashboard.CandidateRow]]:
        sitting = watched_sitting(session=session, sitting_id=sitting_id, user_id=who.user_id)
        return sitting, dashboard.sitting_rows(
            session=session, sitting_id=sitting_id, now=utcnow(), viewer_id=who.user_id
        )

    sitting, rows = await services(request).db.read(read)
    notice = notice or _done_notice(request)
    shown = [r for r in rows if (wanted is None or r.status == wanted) and (not attention_only or r.needs_attention)]
    context = {
        "sitting": sitting,
        "rows": shown,
        "all_count": len(rows),
        "status": wanted,
        "attention_only": attention_only,
        "statuses": STATUS_FILTERS,
        "notice": notice,
        "query": request.url.query,
        "announcement": announcement,
    }
    block = "rows" if is_htmx(request) and request.headers.get("hx-target") == "live-rows" else None
    return render(request, "proctor/dashboard.html", context, block=block, status_code=status_code)


DONE_NOTICES = {
    "paused_all": "Paused {n} candidate(s): their clocks are stopped.",
    "resumed_all": "Resumed {n} candidate(s) paused with the sitting.",
    "announced": "Message sent to {n} candidate(s) still sitting.",
}


def _done_notice(request: Request) -> str | None:
    template = DONE_NOTICES.get(request.query_params.get("done", ""))
    count = request.query_params.get("n", "")
    return template.format(n=int(count)) if template and count.isdecimal() and len(count) < 7 else None


ACTIONS: dict[str, Callable[..., Any]] = {
    "admit": attempts.admit,
    "pause": attempts.pause,
    "resume": attempts.resume,
    "extend": attempts.extend,
    "credit": credit.credit,
    "terminate": attempts.terminate,
    "note": notes.add_note,
    "move_device": device.move_to_new_device,
}
ACCESS_REFUSALS = ("attempt_not_found", "own_attempt")


async def act(request: Request) -> Response:
    """One form for every action on an attempt; who, when and why go on its timeline. The services check who may
    act, the reason and the minutes."""
    who = current_user(request)
    attempt_id = str(request.path_params["attempt_id"])
    form = await read_form(request)
    action = text_field(form, "action")
    reason = text_field(form, "reason")
    back = text_field(form, "back") or ""

    def run(*, session: Session) -> str:
        attempt = watched_attempt(session=session, attempt_id=attempt_id, user_id=who.user_id)
        if action not in ACTIONS:
            raise InvalidInput("Choose an action.", code="unknown_action")
        extra: dict[str, Any] = {}
        if action in ("extend", "credit"):
            minutes = text_field(form, "minutes").strip()
            if not minutes.isdecimal() or len(minutes) > 6:
                raise InvalidInput("Give the minutes as a whole number.", code="invalid_minutes")
            extra["minutes"] = int(minutes)
        if action == "note":
            category = text_field(form, "category") or None
            hold = text_field(form, "hold") == "yes"  # programs: reports
            ACTIONS[action](
                session=session, attempt_id=attempt_id, actor_id=who.user_id, text=reason, category=category, hold=hold
            )
        else:
            ACTIONS[action](session=session, attempt_id=attempt_id, actor_id=who.user_id, reason=reason, **extra)
        return attempt.sitting_id

    try:
        sitting_id = await services(request).db.run(run)
    except DomainError as error:
        if error.code in ACCESS_REFUSALS:
            raise
        if back == "timeline":
            return await timeline(request, notice=error.message, status_code=status_for(error))
        request.path_params["sitting_id"] = await _sitting_of(request, attempt_id)
        return await sitting_dashboard(request, notice=error.message, status_code=status_for(error))
    target = f"/proctor/attempts/{attempt_id}" if back == "timeline" else f"/proctor/sittings/{sitting_id}"
    return RedirectResponse(target, status_code=303)


async def act_on_sitting(request: Request) -> Response:
    """Pause or resume everyone in the sitting at once; each attempt's timeline records it."""
    who = current_user(request)
    sitting_id = str(request.path_params["sitting_id"])
    form = await read_form(request)
    action = text_field(form, "action")
    reason = text_field(form, "reason")

    def run(*, session: Session) -> str:
        if action == "pause_all":
            count = sitting_actions.pause_sitting(
                session=session, sitting_id=sitting_id, actor_id=who.user_id, reason=reason
            )
            return f"done=paused_all&n={count}"
        if action == "resume_all":
            count = sitting_actions.resume_sitting(
                session=session, sitting_id=sitting_id, actor_id=who.user_id, reason=reason
            )
            return f"done=resumed_all&n={count}"
        raise InvalidInput("Choose an action.", code="unknown_action")

    try:
        outcome = await services(request).db.run(run)
    except DomainError as error:
        if error.code == "sitting_not_found":
            raise
        return await sitting_dashboard(request, notice=error.message, status_code=status_for(error))
    return RedirectResponse(f"/proctor/sittings/{sitting_id}?{outcome}", status_code=303)


async def _sitting_of(request: Request, attempt_id: str) -> str:
    def read(*, session: Session) -> str:
        return attempts.load(session, attempt_id).sitting_id

    return await services(request).db.read(read)


def _timeline_csv(attempt_id: str, rows: list[dict[str, Any]]) -> Response:
    out = io.StringIO()
    writer = csv_export.Writer(out)
    writer.writerow(["id", "at", "type", "actor", "client_time", "detail", "prev_hash", "hash"])
    for row in rows:
        writer.writerow(
            [
                *(row["id"], row["at"], row["type"], row["actor"], row["client_time"], json.dumps(row["detail"])),
                *(row["prev_hash"], row["hash"]),
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="timeline-{attempt_id}.csv"'},
    )


async def timeline(
    request: Request, *, notice: str | None = None, status_code: int = 200, announcement: Announcement = Announcement()
) -> Response:
    who = current_user(request)
    attempt_id = str(request.path_params["attempt_id"])

    def read(*, session: Session) -> tuple[Any, ...]:
        attempt = watched_attempt(session=session, attempt_id=attempt_id, user_id=who.user_id)
        events = attempts.events(session=session, attempt_id=attempt_id, actor_id=who.user_id)
        named = accounts.users_by_id(
            session=session, user_ids={attempt.user_id, *(e.actor_id for e in events if e.actor_id)}
        )
        candidate = named.get(attempt.user_id)
        actors = {user_id: user.name for user_id, user in named.items()}
        view = attempt_view.view(session, attempt, utcnow())
        policy = credit.policy(session=session, attempt=attempt)
        accommodation = accommodation_flags.enrolment_label(
            session=session, sitting_id=attempt.sitting_id, user_id=attempt.user_id
        )
        state = device.device_state(session=session, attempt=attempt)
        return attempt, candidate, events, actors, view, policy, state, accommodation

    attempt, candidate, events, actors, view, credit_policy, device_state, accommodation = await services(
        request
    ).db.read(read)
    fmt = request.query_params.get("format")
    rows = [
        {
            "id": e.id,
            "at": rfc3339(e.at),
            "type": e.type,
            "actor": actors.get(e.actor_id or "", "system"),
            "client_time": rfc3339(e.client_time) if e.client_time else "",
            "detail": e.detail,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in events
    ]
    if fmt == "json":
        return Response(
            json.dumps({"attempt_id": attempt_id, "events": rows}, indent=2),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="timeline-{attempt_id}.json"'},
        )
    if fmt == "csv":
        return _timeline_csv(attempt_id, rows)
    return render(
        request,
        "proctor/timeline.html",
        {
            "attempt": attempt,
            "candidate": candidate,
            "rows": rows,
            "view": view,
            "categories": notes.INCIDENT_CATEGORIES,
            "credit_policy": credit_policy,
            "device": device_state,
            "accommodation_label": accommodation,
            "notice": notice
            or ("Message sent to the candidate." if request.query_params.get("done") == "announced" else None),
            "announcement": announcement,
        },
        status_code=status_code,
    )
