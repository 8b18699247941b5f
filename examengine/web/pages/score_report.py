"""The printable official score report (`/candidate/attempts/{id}/report`): the same service and figures as
GET /api/v1/attempts/{id}/score-report; the candidate's own once released, any for an admin."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from examengine.clock import utcnow
from examengine.http.request import current_user, services
from examengine.organisation import local_date
from examengine.programs import score_reports
from examengine.web import branding
from examengine.web.templating import render

PERFORMANCE_WORDS = {
    "below": "Below the passing standard",
    "near": "Near the passing standard",
    "at_or_above": "At or above the passing standard",
    "insufficient_items": "Not enough items to report",
}


async def report_page(request: Request) -> Response:
    who = current_user(request)
    ctx = services(request)
    report = await ctx.db.run(
        score_reports.score_report,
        attempt_id=str(request.path_params["attempt_id"]),
        who=who,
        minimum_items=ctx.settings.score_report_min_items,
        now=utcnow(),
    )
    issuer = branding.of(request)
    body = score_reports.as_json(report)
    taken_at = datetime.fromisoformat(str(report.body["taken_at"]))
    context = {
        "report": body,
        "issuer": issuer,
        "issued_on": local_date(report.issued_at, issuer),
        "words": PERFORMANCE_WORDS,
        "taken_at": taken_at,
        "taken_on": local_date(taken_at, issuer),
    }
    return render(request, "candidate/score_report.html", context)
