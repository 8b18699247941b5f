"""Eligibility applications (API.md "Applications and authorization to test"): apply, give evidence, submit,
withdraw, read, list, decide, and download an evidence file. The rules are the programs services'."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from examengine.api.application_schemas import (
    ApplicationCreatedOut,
    ApplicationListOut,
    ApplicationListQuery,
    ApplicationOut,
    ApplyIn,
    AttestIn,
    DecisionIn,
    EvidenceForm,
    EvidenceOut,
    StatusOut,
    SubmitIn,
    application_out,
    evidence_out,
    row_out,
)
from examengine.api.spec import json_response, operation, parse_json
from examengine.clock import utcnow
from examengine.errors import InvalidInput, MalformedInput, TooLarge
from examengine.http.evidence_download import evidence_response
from examengine.http.request import current_user, services
from examengine.programs import application_decisions, application_views, applications
from examengine.programs.application_evidence import application_evidence
from examengine.programs.evidence import MAX_BYTES
from examengine.programs.models import ApplicationStatus, EvidenceFile


def _who(request: Request) -> dict[str, object]:
    principal = current_user(request)
    return {"user_id": principal.user_id, "roles": frozenset(r.value for r in principal.roles)}


async def _shown(request: Request, application_id: str, status: int = 200) -> Response:
    view = await services(request).db.read(
        application_views.application_view, application_id=application_id, **_who(request)
    )
    return json_response(application_out(view), status)


@operation(tags=["applications"], body=ApplyIn, responses={201: ApplicationCreatedOut}, errors=(404, 409))
async def apply(request: Request, body: ApplyIn) -> Response:
    """Start a draft application under one of the scheme's pathways (422 `unknown_pathway`; 409
    `scheme_takes_no_applications` for a scheme without pathways, such as a certificate of attendance)."""
    application = await services(request).db.run(
        applications.create_application,
        scheme_code=request.path_params["code"],
        pathway=body.pathway,
        user_id=current_user(request).user_id,
        now=utcnow(),
    )
    return json_response(ApplicationCreatedOut(application_id=application.id, status="draft"), 201)


async def _uploaded(request: Request) -> tuple[str, str, bytes]:
    async with request.form(max_files=1, max_fields=5, max_part_size=1024 * 1024) as form:
        requirement, upload = form.get("requirement"), form.get("file")
        if not isinstance(requirement, str) or not requirement.strip():
            raise InvalidInput("The `requirement` field is missing.", code="missing_requirement")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("The `file` field with the evidence is missing.", code="missing_file")
        data = await upload.read(MAX_BYTES + 1)
        filename = upload.filename or "evidence"
    if len(data) > MAX_BYTES:
        raise TooLarge(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MiB; evidence files may be at most that.",
            code="evidence_too_large",
        )
    return requirement.strip()[:40], filename, data


@operation(tags=["applications"], responses={201: EvidenceOut}, errors=(404, 409), form=EvidenceForm)
async def add_evidence(request: Request) -> Response:
    """Evidence for a requirement of the pathway (the applicant, before submitting or after more information was
    asked for): multipart `requirement` and `file` (PDF, PNG or JPEG by its bytes, at most 10 MiB; 415
    `evidence_type`, 413 `evidence_too_large`), or JSON `{requirement, attestation: true}` for a requirement proved
    by attestation (422 `file_required` otherwise). 409 `evidence_frozen` once submitted."""
    content_type = request.headers.get("content-type", "")
    application_id = str(request.path_params["application_id"])
    stored: EvidenceFile
    if content_type.startswith("multipart/form-data"):
        requirement, filename, data = await _uploaded(request)
        stored = await services(request).db.run(
            applications.add_file,
            application_id=application_id,
            requirement=requirement,
            filename=filename,
            data=data,
            now=utcnow(),
            **_who(request),
        )
    elif content_type.startswith("application/json"):
        body = await parse_json(request, AttestIn)
        assert isinstance(body, AttestIn)
        stored = await services(request).db.run(
            applications.add_attestation,
            application_id=application_id,
            requirement=body.requirement,
            now=utcnow(),
            **_who(request),
        )
    else:
        raise MalformedInput(
            "Send a file as multipart/form-data (`requirement`, `file`) or an attestation as JSON.",
            code="multipart_or_json_required",
        )
    return json_response(evidence_out(stored), 201)


@operation(tags=["applications"], body=SubmitIn, responses={200: StatusOut}, errors=(404, 409))
async def submit(request: Request, body: SubmitIn) -> Response:
    """Submit, acknowledging the scheme's current handbook version: 409 `handbook_not_acknowledged`
    (details.current_version) or `evidence_missing` (details.requirements: the codes still to prove)."""
    application = await services(request).db.run(
        applications.submit,
        application_id=str(request.path_params["application_id"]),
        handbook_version=body.handbook_version,
        now=utcnow(),
        **_who(request),
    )
    return json_response(StatusOut(application_id=application.id, status="submitted"))


@operation(tags=["applications"], responses={200: StatusOut}, errors=(404, 409))
async def withdraw(request: Request) -> Response:
    """The applicant withdraws the application before a decision (409 `application_<status>` after one)."""
    application = await services(request).db.run(
        applications.withdraw,
        application_id=str(request.path_params["application_id"]),
        now=utcnow(),
        **_who(request),
    )
    return json_response(StatusOut(application_id=application.id, status="withdrawn"))


@operation(tags=["applications"], responses={200: ApplicationOut}, errors=(404,))
async def get_application(request: Request) -> Response:
    """The application with its evidence, what is still missing, the decision and the authorization it issued
    (its applicant, eligibility reviewers and admins; 404 for anyone else)."""
    return await _shown(request, str(request.path_params["application_id"]))


@operation(tags=["applications"], query=ApplicationListQuery, responses={200: ApplicationListOut})
async def list_applications(request: Request, query: ApplicationListQuery) -> Response:
    """Applications, oldest submitted first, filtered by status and scheme code (eligibility reviewers and admins);
    a candidate lists their own with `mine=true`."""
    page = await services(request).db.read(
        application_views.list_applications,
        mine=query.mine,
        status=ApplicationStatus(query.status) if query.status else None,
        scheme_code=query.scheme,
        cursor=query.cursor,
        limit=query.limit,
        **_who(request),
    )
    return json_response(ApplicationListOut(items=[row_out(r) for r in page.items], next_cursor=page.next_cursor))


@operation(tags=["applications"], body=DecisionIn, responses={200: ApplicationOut}, errors=(404, 409))
async def decide(request: Request, body: DecisionIn) -> Response:
    """Approve (issues one authorization to test), deny (a reason is required; opens the appeal period) or ask
    for more information (a reason is required). Only a submitted application (409 otherwise, also for the
    second of two reviewers deciding at once); never by its applicant (403 `own_application`)."""
    application_id = str(request.path_params["application_id"])
    await services(request).db.run(
        application_decisions.decide,
        application_id=application_id,
        decision=application_decisions.Decision(body.decision),
        reason=body.reason,
        now=utcnow(),
        **_who(request),
    )
    return await _shown(request, application_id)


@operation(tags=["applications"], responses={200: None}, errors=(404,))
async def download_evidence(request: Request) -> Response:
    """An evidence file, as an attachment in its recognised type (its uploader, eligibility reviewers, admins)."""
    found = await services(request).db.read(
        application_evidence,
        application_id=str(request.path_params["application_id"]),
        evidence_id=str(request.path_params["evidence_id"]),
        **_who(request),
    )
    return evidence_response(found)
