"""The candidate's "My accommodations": their requests with status and what was granted, a form to ask (scheme,
extra time as a multiplier or minutes, other needs, statement, evidence) and evidence uploads while undecided. The
rules are the services' (the same the JSON API calls); a refusal is shown beside the field it is about, with what
was typed kept."""

from __future__ import annotations

import math
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import DomainError, InvalidInput
from examengine.http.evidence_download import evidence_response
from examengine.http.request import current_user, services
from examengine.programs import accommodations, evidence
from examengine.programs.accommodation_terms import Terms
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render

NAMES = ("scheme", "time_multiplier", "extra_minutes", "other", "statement")
NOTICES = {"requested": "Your request was sent to the reviewers.", "evidence": "The file was added to your request."}
# Which field a refusal is about, by its code, when the service does not name one.
EVIDENCE_CODES = {"evidence_type", "evidence_too_large", "evidence_empty", "missing_file", "too_many_files"}
FIELD_OF = {"scheme_not_found": "scheme", **dict.fromkeys(EVIDENCE_CODES, "evidence")}


def field_of(error: DomainError) -> str | None:
    """The form field a refusal is about: `requested.time_multiplier` is the field time_multiplier."""
    named = error.details.get("field")
    if isinstance(named, str):
        return named.rsplit(".", 1)[-1] if "." in named else named
    return FIELD_OF.get(error.code)


def number(raw: str, field: str, label: str, kind: type[float] | type[int]) -> Any:
    """A typed number, or None when the box is empty; InvalidInput naming the field otherwise."""
    if not raw.strip():
        return None
    try:
        value = kind(raw.strip())
    except ValueError:
        raise InvalidInput(f"{label}: give a number.", code=f"invalid_{field}", details={"field": field}) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{label}: give a number.", code=f"invalid_{field}", details={"field": field})
    return value


def terms_of(values: dict[str, str]) -> Terms:
    return Terms(
        number(values["time_multiplier"], "time_multiplier", "Time multiplier", float),
        number(values["extra_minutes"], "extra_minutes", "Extra minutes", int),
        values["other"],
    )


async def _files(form: FormData, name: str) -> list[tuple[str, bytes]]:
    found = []
    for upload in form.getlist(name):
        if isinstance(upload, UploadFile) and upload.filename:
            try:
                found.append((upload.filename, await upload.read(evidence.MAX_BYTES + 1)))
            finally:
                await upload.close()
    return found


async def my_accommodations(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
    upload_error: tuple[str, str] | None = None,
) -> Response:
    who = current_user(request)
    ctx = services(request)
    page = await ctx.db.read(accommodations.list_requests, user_id=who.user_id, roles=who.roles, mine=True, limit=200)
    schemes = await ctx.db.read(accommodations.scheme_choices)
    context = {
        "requests": page.items,
        "schemes": schemes,
        "values": values or dict.fromkeys(NAMES, ""),
        "error": error.message if error else None,
        "error_field": field_of(error) if error else None,
        "upload_error": upload_error,
        "notice": NOTICES.get(request.query_params.get("done", "")),
        "max_mb": evidence.MAX_BYTES // 1024 // 1024,
    }
    status = status_for(error) if error else 422 if upload_error else 200
    return render(request, "candidate/accommodations.html", context, status_code=status)


async def create(request: Request) -> Response:
    form = await read_form(request)
    values = {name: text_field(form, name) for name in NAMES}
    try:
        files = await _files(form, "evidence")
        await services(request).db.run(
            accommodations.submit_request,
            user_id=current_user(request).user_id,
            scheme_code=values["scheme"],
            requested=terms_of(values),
            statement=values["statement"],
            now=utcnow(),
            evidence_files=files,
        )
    except DomainError as error:
        return await my_accommodations(request, values=values, error=error)
    return RedirectResponse(f"{request.url_for('accommodations.mine')}?done=requested", status_code=303)


async def add_evidence(request: Request) -> Response:
    form = await read_form(request)
    request_id = str(request.path_params["request_id"])
    who = current_user(request)
    try:
        files = await _files(form, "file")
        if not files:
            raise InvalidInput("Choose the PDF, PNG or JPEG file to add.", code="missing_file")
        filename, data = files[0]
        await services(request).db.run(
            accommodations.add_evidence,
            request_id=request_id,
            user_id=who.user_id,
            roles=who.roles,
            filename=filename,
            data=data,
            now=utcnow(),
        )
    except DomainError as error:
        if status_for(error) in (403, 404):
            raise
        return await my_accommodations(request, upload_error=(request_id, error.message))
    return RedirectResponse(f"{request.url_for('accommodations.mine')}?done=evidence", status_code=303)


async def evidence_file(request: Request) -> Response:
    """An evidence file for the page's session (the candidate's own, or a reviewer's from the review page)."""
    who = current_user(request)
    found = await services(request).db.read(
        accommodations.evidence_file,
        request_id=str(request.path_params["request_id"]),
        evidence_id=str(request.path_params["evidence_id"]),
        user_id=who.user_id,
        roles=who.roles,
    )
    return evidence_response(found)
