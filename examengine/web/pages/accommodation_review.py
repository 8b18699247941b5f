"""Eligibility reviewers' (and admins') accommodation pages: the queue of requests by status and program, and one
request with its statement and evidence files and three decisions: approve as asked, approve with less, deny with a
reason. The rules (never one's own request, never more than asked, a reason to deny, decided once) are the
services'; a refusal is shown beside the field it is about, in the form it came from, with what was typed kept."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import DomainError
from examengine.http.request import current_user, services
from examengine.programs import accommodation_decisions, accommodations
from examengine.programs.accommodation_terms import Terms
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages.accommodations import field_of, terms_of
from examengine.web.templating import render

STATUSES = ("submitted", "approved", "denied")
FORMS = ("as_asked", "less", "deny")
NOTICES = {"approve": "The request was approved.", "deny": "The request was denied; the candidate sees the reason."}


async def queue(request: Request) -> Response:
    who = current_user(request)
    status = request.query_params.get("status", "submitted")
    status = status if status in (*STATUSES, "") else "submitted"
    scheme = request.query_params.get("scheme", "")[:40]
    ctx = services(request)
    error = None
    try:
        page = await ctx.db.read(
            accommodations.list_requests,
            user_id=who.user_id,
            roles=who.roles,
            mine=False,
            status=status or None,
            scheme=scheme or None,
            cursor=request.query_params.get("cursor") or None,
        )
        items, next_cursor = page.items, page.next_cursor
    except DomainError as error_:
        error, items, next_cursor = error_.message, (), None
    context = {
        "items": items,
        "next_cursor": next_cursor,
        "status": status,
        "scheme": scheme,
        "statuses": STATUSES,
        "schemes": await ctx.db.read(accommodations.scheme_choices),
        "error": error,
    }
    return render(request, "review/accommodations.html", context, status_code=422 if error else 200)


async def detail(
    request: Request,
    *,
    form: str | None = None,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> Response:
    who = current_user(request)
    view = await services(request).db.read(
        accommodations.request_view,
        request_id=str(request.path_params["request_id"]),
        user_id=who.user_id,
        roles=who.roles,
    )
    asked = view.requested
    defaults = {
        "time_multiplier": f"{asked.multiplier:g}" if asked.time_multiplier else "",
        "extra_minutes": str(asked.minutes) if asked.extra_minutes else "",
        "other": asked.other or "",
        "reason": "",
    }
    context: dict[str, Any] = {
        "r": view,
        "own": view.user_id == who.user_id,
        "form": form,
        "values": {**defaults, **(values or {})},
        "error": error.message if error else None,
        "error_field": (field_of(error) or "form") if error else None,
        "notice": NOTICES.get(request.query_params.get("done", "")),
    }
    return render(request, "review/accommodation.html", context, status_code=status_for(error) if error else 200)


async def decide(request: Request) -> Response:
    who = current_user(request)
    form = await read_form(request)
    which = text_field(form, "form")
    which = which if which in FORMS else "as_asked"
    values = {name: text_field(form, name) for name in ("time_multiplier", "extra_minutes", "other", "reason")}
    request_id = str(request.path_params["request_id"])
    decision = "deny" if which == "deny" else "approve"
    try:
        approved: Terms | None = terms_of(values) if which == "less" else None
        await services(request).db.run(
            accommodation_decisions.decide,
            request_id=request_id,
            actor_id=who.user_id,
            roles=who.roles,
            decision=decision,
            approved=approved,
            reason=values["reason"],
            now=utcnow(),
        )
    except DomainError as error:
        if status_for(error) == 404:
            raise
        return await detail(request, form=which, values=values, error=error)
    target = request.url_for("review.accommodation", request_id=request_id)
    return RedirectResponse(f"{target}?done={decision}", status_code=303)
