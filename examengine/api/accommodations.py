"""Accommodation requests (API.md "Accommodation requests"): a candidate asks, with evidence files; eligibility
reviewers and admins list, read and decide. Who may see or decide which request is the services' rule
(programs.accommodations, programs.accommodation_decisions)."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from examengine.api.accommodation_schemas import (
    AccommodationCreatedOut,
    AccommodationDecisionIn,
    AccommodationListOut,
    AccommodationListQuery,
    AccommodationOut,
    AccommodationRequestIn,
    EvidenceForm,
    EvidenceOut,
    accommodation_out,
)
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.errors import InvalidInput, MalformedInput
from examengine.http.evidence_download import evidence_response
from examengine.http.request import current_user, services
from examengine.programs import accommodation_decisions, accommodations, evidence


@operation(tags=["programs"], body=AccommodationRequestIn, responses={201: AccommodationCreatedOut}, errors=(404,))
async def create_request(request: Request, body: AccommodationRequestIn) -> Response:
    """Ask for accommodations in a scheme's exams (candidate): extra time as a multiplier or minutes, other needs in
    words, and a statement. 422 `accommodation_empty`, `statement_required`, `invalid_time_multiplier`,
    `invalid_extra_minutes`; 404 `scheme_not_found`."""
    view = await services(request).db.run(
        accommodations.submit_request,
        user_id=current_user(request).user_id,
        scheme_code=body.scheme,
        requested=body.requested.terms(),
        statement=body.statement or "",
        now=utcnow(),
    )
    return json_response(AccommodationCreatedOut(request_id=view.request_id, status="submitted"), 201)


@operation(tags=["programs"], responses={201: EvidenceOut}, errors=(404, 409), form=EvidenceForm)
async def add_evidence(request: Request) -> Response:
    """Attach a PDF, PNG or JPEG file (multipart `file`) to one's own undecided request; 409 `request_decided`."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise MalformedInput("Send the file as multipart/form-data with a `file` field.", code="multipart_required")
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("The `file` field with the evidence is missing.", code="missing_file")
        data = await upload.read(evidence.MAX_BYTES + 1)
        filename = upload.filename or "evidence"
    who = current_user(request)
    found = await services(request).db.run(
        accommodations.add_evidence,
        request_id=request.path_params["request_id"],
        user_id=who.user_id,
        roles=who.roles,
        filename=filename,
        data=data,
        now=utcnow(),
    )
    return json_response(EvidenceOut(**found.__dict__), 201)


@operation(tags=["programs"], query=AccommodationListQuery, responses={200: AccommodationListOut}, errors=(404,))
async def list_requests(request: Request, query: AccommodationListQuery) -> Response:
    """`mine=true`: one's own requests; otherwise (eligibility reviewers, admins) everyone's by `status` and
    `scheme`. Newest first, a page at a time."""
    who = current_user(request)
    page = await services(request).db.read(
        accommodations.list_requests,
        user_id=who.user_id,
        roles=who.roles,
        mine=query.mine,
        status=query.status,
        scheme=query.scheme,
        cursor=query.cursor,
        limit=query.limit,
    )
    return json_response(
        AccommodationListOut(items=[accommodation_out(v) for v in page.items], next_cursor=page.next_cursor)
    )


@operation(tags=["programs"], responses={200: AccommodationOut}, errors=(404,))
async def get_request(request: Request) -> Response:
    """The request with its evidence and decision (its candidate, eligibility reviewers, admins; 404 for others)."""
    who = current_user(request)
    view = await services(request).db.read(
        accommodations.request_view, request_id=request.path_params["request_id"], user_id=who.user_id, roles=who.roles
    )
    return json_response(accommodation_out(view))


@operation(tags=["programs"], responses={200: None}, errors=(404,))
async def evidence_file(request: Request) -> Response:
    """One evidence file, as an attachment of the type its bytes are (never sniffed)."""
    who = current_user(request)
    found = await services(request).db.read(
        accommodations.evidence_file,
        request_id=request.path_params["request_id"],
        evidence_id=request.path_params["evidence_id"],
        user_id=who.user_id,
        roles=who.roles,
    )
    return evidence_response(found)


@operation(tags=["programs"], body=AccommodationDecisionIn, responses={200: AccommodationOut}, errors=(404, 409))
async def decide(request: Request, body: AccommodationDecisionIn) -> Response:
    """Approve (as asked, or less: never more, 422 `more_than_requested`) or deny with a reason (422
    `reason_required`; sets `appeal_until`). 403 for the requester; 409 `already_decided`."""
    who = current_user(request)
    view = await services(request).db.run(
        accommodation_decisions.decide,
        request_id=request.path_params["request_id"],
        actor_id=who.user_id,
        roles=who.roles,
        decision=body.decision,
        approved=None if body.approved is None else body.approved.terms(),
        reason=body.reason,
        now=utcnow(),
    )
    return json_response(accommodation_out(view))
