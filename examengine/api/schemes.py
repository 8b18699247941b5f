"""Credential schemes (API.md "Schemes (admin)"): admins create them and publish handbook versions; any signed-in
user reads them (what a candidate reads before applying)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.scheme_schemas import (
    HandbookIn,
    HandbookOut,
    HandbookVersionOut,
    SchemeCreated,
    SchemeIn,
    SchemeListOut,
    SchemeListQuery,
    SchemeOut,
    SchemeRowOut,
)
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.http.request import current_user, services
from examengine.programs import scheme_views, schemes
from examengine.programs.models import SchemeKind


def scheme_out(view: scheme_views.SchemeView) -> SchemeOut:
    current = view.current_handbook
    return SchemeOut(
        **scheme_views.stored_fields(view.scheme),
        exam_ids=[exam.exam_id for exam in view.exams],
        handbook=HandbookOut(version=current.version, text=current.text, published_at=current.published_at)
        if current
        else None,
        handbook_versions=[HandbookVersionOut(version=h.version, published_at=h.published_at) for h in view.handbooks],
    )


@operation(tags=["programs"], body=SchemeIn, responses={201: SchemeCreated}, errors=(409,))
async def create_scheme(request: Request, body: SchemeIn) -> Response:
    """Create a scheme with its exams, pathways, periods and first handbook version. 409 `scheme_code_taken` or
    `exam_in_scheme`; 422 naming the field for a kind's rules or a duration that is not ISO 8601."""
    created = await services(request).db.run(
        schemes.create_scheme, scheme=body.value(), actor_id=current_user(request).user_id, now=utcnow()
    )
    return json_response(SchemeCreated(scheme_id=created.id, code=created.code), 201)


@operation(tags=["programs"], query=SchemeListQuery, responses={200: SchemeListOut})
async def list_schemes(request: Request, query: SchemeListQuery) -> Response:
    """Every scheme by code, a page at a time (any signed-in user)."""
    page = await services(request).db.read(scheme_views.list_schemes, cursor=query.cursor, limit=query.limit)
    items = [
        SchemeRowOut(
            scheme_id=s.id, code=s.code, title=s.title, kind=SchemeKind(s.kind).value, designation=s.designation
        )
        for s in page.items
    ]
    return json_response(SchemeListOut(items=items, next_cursor=page.next_cursor))


@operation(tags=["programs"], responses={200: SchemeOut}, errors=(404,))
async def get_scheme(request: Request) -> Response:
    """A scheme in full: pathways, periods, recertification, exam ids and the current handbook (any signed-in user)."""
    view = await services(request).db.read(scheme_views.scheme_view, code=str(request.path_params["code"]))
    return json_response(scheme_out(view))


@operation(tags=["programs"], body=HandbookIn, responses={201: HandbookVersionOut}, errors=(404, 409))
async def publish_handbook(request: Request, body: HandbookIn) -> Response:
    """Publish a new handbook version, which becomes current; 409 `handbook_version_exists`."""
    published = await services(request).db.run(
        schemes.publish_handbook,
        code=str(request.path_params["code"]),
        handbook=body.value(),
        actor_id=current_user(request).user_id,
        now=utcnow(),
    )
    return json_response(HandbookVersionOut(version=published.version, published_at=published.published_at), 201)
