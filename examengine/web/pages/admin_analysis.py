"""Admin pages for psychometrics: an exam version's item analysis with its charts and downloads, saving the item
statistics to the bank, and the analysis of an uploaded response matrix (nothing stored)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlmodel import Session
from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from examengine.analysis import exam_charts
from examengine.analysis.bank_statistics import save_exam_statistics
from examengine.analysis.exam_analysis import analyze_exam
from examengine.analysis.exam_report import analysis_csv, csv_filename
from examengine.analysis.exam_responses import Filters
from examengine.analysis.exam_results import ExamAnalysis
from examengine.analysis.matrix import MissingRule
from examengine.clock import utcnow
from examengine.errors import DomainError, InvalidInput, NotFound
from examengine.exams import versions
from examengine.http.request import current_user, services
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render

SITTINGS_LISTED = 200
FILTER_FIELDS = ("version", "sitting_id", "since", "until", "missing")


def _date(raw: str, label: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(f"{label}: give a date as YYYY-MM-DD.", code="bad_date") from None


def parse_filters(values: dict[str, str]) -> tuple[Filters, MissingRule]:
    """The page's filter fields (dates are whole UTC days, both included) as service filters."""
    version_text = values.get("version", "").strip()
    if version_text and not (version_text.isdecimal() and 0 < int(version_text) < 1_000_000_000):
        raise InvalidInput("Version: give a version number such as 1.", code="bad_version")
    since, until = _date(values.get("since", ""), "From"), _date(values.get("until", ""), "To")
    if since and until and since > until:
        raise InvalidInput("The date range is empty: 'From' must not be after 'To'.", code="empty_date_range")
    missing = values.get("missing", "") or MissingRule.WRONG.value
    if missing not in {rule.value for rule in MissingRule}:
        raise InvalidInput("Missing answers: choose wrong or exclude.", code="bad_missing_rule")
    sitting = values.get("sitting_id", "").strip()
    filters = Filters(
        version=int(version_text) if version_text else None,
        sitting_id=sitting[:64] or None,
        since=datetime.combine(since, datetime.min.time(), UTC) if since else None,
        until=datetime.combine(until + timedelta(days=1), datetime.min.time(), UTC) if until else None,
    )
    return filters, MissingRule(missing)


def _values(source: QueryParams | FormData) -> dict[str, str]:
    return {name: str(source.get(name) or "")[:200] for name in FILTER_FIELDS}


def _choices(session: Session, exam_id: str) -> dict[str, Any]:
    return {
        "versions": versions.version_numbers(session=session, exam_id=exam_id),
        "sittings": versions.recent_sittings(session=session, exam_id=exam_id, limit=SITTINGS_LISTED),
    }


def _chosen_item(analysis: ExamAnalysis, requested: str) -> str | None:
    drawable = [item for item in analysis.items if exam_charts.has_curves(item)]
    if any(item.column.item_id == requested for item in drawable):
        return requested
    flagged = [item for item in drawable if item.flags]
    return (flagged or drawable)[0].column.item_id if drawable else None


def _page_context(analysis: ExamAnalysis, requested_item: str) -> dict[str, Any]:
    chosen = _chosen_item(analysis, requested_item)
    curves = exam_charts.curves(analysis, chosen) if chosen else None
    histogram, scatter = exam_charts.histogram(analysis), exam_charts.scatter(analysis)
    return {
        "analysis": analysis,
        "report": analysis.to_dict(),
        "histogram": Markup(histogram) if histogram else None,
        "scatter": Markup(scatter) if scatter else None,
        "curves": Markup(curves) if curves else None,
        "chosen_item": chosen,
        "curve_items": [item for item in analysis.items if exam_charts.has_curves(item)],
    }


async def exam_analysis(
    request: Request, *, notice: str | None = None, values: dict[str, str] | None = None
) -> Response:
    exam_id = str(request.path_params["exam_id"])
    values = values if values is not None else _values(request.query_params)
    fmt = request.query_params.get("format", "")
    error: DomainError | None = None
    try:
        filters, rule = parse_filters(values)
    except InvalidInput as problem:
        error, filters, rule = problem, Filters(), MissingRule.WRONG

    def read(*, session: Session) -> dict[str, Any]:
        analysis = analyze_exam(session=session, exam_id=exam_id, filters=filters, missing_rule=rule)
        return {"analysis": analysis, **_choices(session, exam_id)}

    try:
        found = await services(request).db.read(read)
    except InvalidInput as problem:
        # A sitting of another version, say: show the unfiltered analysis with the reason.
        error, filters = problem, Filters()
        found = await services(request).db.read(read)
    analysis: ExamAnalysis = found["analysis"]
    if fmt == "csv" and error is None:
        return Response(
            analysis_csv(analysis),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{csv_filename(analysis)}"'},
        )
    if fmt == "json" and error is None:
        name = csv_filename(analysis).removesuffix(".csv") + ".json"
        return JSONResponse(
            json.loads(json.dumps(analysis.to_dict(), allow_nan=False)),
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    query = urlencode({name: value for name, value in values.items() if value})
    context = {
        **_page_context(analysis, request.query_params.get("item", "")),
        "values": values,
        "versions": found["versions"],
        "sittings": found["sittings"],
        "error": error.message if error else None,
        "notice": notice,
        "query": query,
    }
    return render(request, "admin/analysis.html", context, status_code=status_for(error) if error else 200)


async def save_statistics(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    form = await read_form(request)
    values = {name: text_field(form, name)[:200] for name in FILTER_FIELDS}
    try:
        filters, rule = parse_filters(values)
        saved = await services(request).db.run(
            save_exam_statistics,
            exam_id=exam_id,
            filters=filters,
            actor_id=current_user(request).user_id,
            now=utcnow(),
            missing_rule=rule,
        )
    except InvalidInput as error:
        return await exam_analysis(request, notice=error.message, values=values)
    except NotFound:
        raise
    notice = (
        f"Saved the statistics of {saved.saved} item version(s) of version {saved.exam_version} to the item bank"
        + (f"; {saved.skipped} with nobody counted were left as they were." if saved.skipped else ".")
    )
    return await exam_analysis(request, notice=notice, values=values)
