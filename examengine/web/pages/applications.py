"""The candidate's eligibility application pages: apply under a pathway, my applications, and an application's
page (what is missing, evidence per requirement, the handbook to acknowledge, submit, withdraw; after a decision the
decision, its reason, the appeal deadline and the authorization). The rules are programs.applications' (the same
the JSON API calls); a refusal is shown beside the control it is about, with what was typed kept."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import DomainError, InvalidInput
from examengine.http.evidence_download import evidence_response
from examengine.http.request import current_user, services
from examengine.programs import application_views, applications, schemes
from examengine.programs.application_evidence import application_evidence
from examengine.programs.evidence import MAX_BYTES
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field, upload_bytes
from examengine.web.templating import render

NOTICES = {
    "created": "Your application is started. Give the evidence for each requirement, then submit it.",
    "uploaded": "The file was added.",
    "attested": "Your attestation was recorded.",
    "submitted": "Your application was submitted. A reviewer will look at it.",
    "withdrawn": "Your application was withdrawn.",
}


def _who(request: Request) -> dict[str, Any]:
    principal = current_user(request)
    return {"user_id": principal.user_id, "roles": frozenset(r.value for r in principal.roles)}


def _application_id(request: Request) -> str:
    return str(request.path_params["application_id"])


async def apply_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    scheme = await services(request).db.read(schemes.scheme_by_code, code=str(request.path_params["code"]))
    context = {"scheme": scheme, "errors": errors or {}, "values": values or {}}
    return render(request, "programs/apply.html", context, status_code=status_code)


async def apply(request: Request) -> Response:
    form = await read_form(request)
    pathway = text_field(form, "pathway")[:40]
    try:
        if not pathway:
            raise InvalidInput("Choose the pathway you apply under.", code="unknown_pathway")
        application = await services(request).db.run(
            applications.create_application,
            scheme_code=str(request.path_params["code"]),
            pathway=pathway,
            user_id=current_user(request).user_id,
            now=utcnow(),
        )
    except DomainError as error:
        if error.code == "scheme_not_found":
            raise
        return await apply_page(
            request, errors={"pathway": error.message}, values={"pathway": pathway}, status_code=status_for(error)
        )
    return RedirectResponse(f"/applications/{application.id}?notice=created", 303)


async def my_applications(request: Request) -> Response:
    page = await services(request).db.read(application_views.list_applications, mine=True, **_who(request))
    return render(request, "programs/applications.html", {"page": page})


async def application_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = await services(request).db.read(
        application_views.application_view, application_id=_application_id(request), **_who(request)
    )
    context = {
        "view": view,
        "mine": view.application.user_id == current_user(request).user_id,
        "errors": errors or {},
        "values": values or {},
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "max_mb": MAX_BYTES // (1024 * 1024),
    }
    return render(request, "programs/application.html", context, status_code=status_code)


def _done(request: Request, notice: str) -> Response:
    return RedirectResponse(f"/applications/{_application_id(request)}?notice={notice}", 303)


async def _refused(request: Request, error: DomainError, field: str, values: dict[str, str] | None = None) -> Response:
    if error.code in {"application_not_found", "not_applicant"}:
        raise error
    return await application_page(request, errors={field: error.message}, values=values, status_code=status_for(error))


async def upload(request: Request) -> Response:
    form = await read_form(request)
    requirement = text_field(form, "requirement")[:40]
    try:
        filename, data = await upload_bytes(form, "file", max_bytes=MAX_BYTES)
        await services(request).db.run(
            applications.add_file,
            application_id=_application_id(request),
            requirement=requirement,
            filename=filename,
            data=data,
            now=utcnow(),
            **_who(request),
        )
    except DomainError as error:
        return await _refused(request, error, f"file-{requirement}")
    return _done(request, "uploaded")


async def attest(request: Request) -> Response:
    form = await read_form(request)
    requirement = text_field(form, "requirement")[:40]
    try:
        if text_field(form, "attest") != "yes":
            raise InvalidInput("Tick the box to attest that this is true.", code="attestation_unticked")
        await services(request).db.run(
            applications.add_attestation,
            application_id=_application_id(request),
            requirement=requirement,
            now=utcnow(),
            **_who(request),
        )
    except DomainError as error:
        return await _refused(request, error, f"attest-{requirement}")
    return _done(request, "attested")


async def submit(request: Request) -> Response:
    form = await read_form(request)
    version = text_field(form, "handbook_version")[:40]
    try:
        if not version:
            raise InvalidInput(
                "Tick the box to confirm you have read the current candidate handbook.",
                code="handbook_not_acknowledged",
            )
        await services(request).db.run(
            applications.submit,
            application_id=_application_id(request),
            handbook_version=version,
            now=utcnow(),
            **_who(request),
        )
    except DomainError as error:
        field = "submit" if error.code == "evidence_missing" or error.code.startswith("application_") else "handbook"
        return await _refused(request, error, field)
    return _done(request, "submitted")


async def withdraw(request: Request) -> Response:
    try:
        await services(request).db.run(
            applications.withdraw, application_id=_application_id(request), now=utcnow(), **_who(request)
        )
    except DomainError as error:
        return await _refused(request, error, "withdraw")
    return _done(request, "withdrawn")


async def evidence_file(request: Request) -> Response:
    found = await services(request).db.read(
        application_evidence,
        application_id=_application_id(request),
        evidence_id=str(request.path_params["evidence_id"]),
        **_who(request),
    )
    return evidence_response(found)
