"""The item bank API (API.md: Item bank). Authors and admins only."""

from __future__ import annotations

import anyio.to_thread
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from examengine.api.schemas import (
    ExportQuery,
    ImportedOut,
    ImportForm,
    ImportOut,
    ImportProblemOut,
    ItemListOut,
    ItemOut,
    ItemQuery,
    ItemSummaryOut,
    NewVersionOut,
    ScoreIn,
    ScoreOut,
    TransitionIn,
    TransitionOut,
    VersionChanges,
    VersionOut,
    VersionSummaryOut,
)
from examengine.api.spec import json_response, operation
from examengine.errors import InvalidInput, MalformedInput, TooLarge
from examengine.http.params import item_version
from examengine.http.request import current_user, services
from itembank import authoring, exporting, importing, search, workflow
from itembank.formats.native import NativeItem
from itembank.models import ItemStatus
from itembank.safety import MAX_UPLOAD_BYTES


def version_summary(view: authoring.VersionView) -> VersionSummaryOut:
    return VersionSummaryOut(
        item_id=view.item_id,
        code=view.code,
        version=view.version,
        status=view.status,
        title=view.title,
        interaction=view.interaction,
        max_score=view.max_score,
        domain=view.domain,
        tags=list(view.tags),
        enemy_groups=list(view.enemy_groups),
        language=view.language,
        expected_seconds=view.expected_seconds,
        source=view.source,
        author_id=view.author_id,
        created_at=view.created_at,
        p_value=view.p_value,
        discrimination=view.discrimination,
        stats_n=view.stats_n,
    )


def _problems(problems: tuple[object, ...] | list[object]) -> list[ImportProblemOut]:
    return [ImportProblemOut(**importing.problem_dict(p)) for p in problems]  # type: ignore[arg-type]


async def read_import_upload(request: Request) -> tuple[str, bytes, str | None, importing.ImportMode]:
    """The file, format and mode of an import request (multipart), refusing what cannot be read."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise MalformedInput("Send the file as multipart/form-data with a `file` field.", code="multipart_required")
    async with request.form(max_files=1, max_fields=10, max_part_size=1024 * 1024) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("The `file` field with the items is missing.", code="missing_file")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        fmt = form.get("format")
        mode = form.get("mode") or "all_or_nothing"
        filename = upload.filename or "upload"
    if len(data) > MAX_UPLOAD_BYTES:
        raise TooLarge(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB; split it.")
    if mode not in {m.value for m in importing.ImportMode}:
        raise InvalidInput("mode must be all_or_nothing or valid_only.", code="invalid_mode")
    if fmt is not None and not isinstance(fmt, str):
        raise InvalidInput("format must be text.", code="unknown_format")
    return filename, data, (fmt or None), importing.ImportMode(mode)


@operation(tags=["items"], responses={201: ImportOut}, errors=(404,), form=ImportForm)
async def import_items(request: Request) -> Response:
    """Import items from a file in the native format, QTI (XML or package), GIFT, Aiken or CSV."""
    ctx = services(request)
    filename, data, fmt, mode = await read_import_upload(request)
    result = await anyio.to_thread.run_sync(importing.read_upload, filename, data, fmt)
    report = await ctx.db.run(importing.import_items, result=result, mode=mode, actor_id=current_user(request).user_id)
    body = ImportOut(
        imported=[ImportedOut(item_id=r.item_id, version=r.version, code=r.code) for r in report.imported],
        errors=_problems(report.errors),
        warnings=_problems(report.warnings),
    )
    return json_response(body, 201)


@operation(tags=["items"], body=NativeItem, responses={201: ImportedOut}, errors=(409,))
async def create_item(request: Request, body: NativeItem) -> Response:
    """One new item in the native JSON form, read as a native import of that one item reads it; its `id` becomes
    its code (a code already in the bank is a 409)."""
    ref = await services(request).db.run(
        importing.create_item,
        native=body.model_dump(mode="json", exclude_unset=True),
        actor_id=current_user(request).user_id,
    )
    return json_response(ImportedOut(item_id=ref.item_id, version=ref.version, code=ref.code), 201)


@operation(tags=["items"], query=ItemQuery, responses={200: ItemListOut})
async def list_items(request: Request, query: ItemQuery) -> Response:
    """Items with their latest version, filtered by status, domain, tag and text."""
    page = await services(request).db.read(
        search.list_items,
        status=query.status,
        domain=query.domain,
        tag=query.tag,
        q=query.q,
        cursor=query.cursor,
        limit=query.limit,
    )
    items = [
        ItemSummaryOut(
            item_id=i.item_id,
            code=i.code,
            latest_version=i.latest_version,
            status=i.status,
            title=i.title,
            interaction=i.interaction,
            domain=i.domain,
            tags=list(i.tags),
        )
        for i in page.items
    ]
    return json_response(ItemListOut(items=items, next_cursor=page.next_cursor))


@operation(tags=["items"], responses={200: ItemOut}, errors=(404,))
async def get_item(request: Request) -> Response:
    """An item with all its versions and its review history."""
    detail = await services(request).db.read(authoring.get_item, item_id=request.path_params["item_id"])
    history = [
        TransitionOut(
            version=h.version,
            from_status=h.from_status,
            to_status=h.to_status,
            actor_id=h.actor_id,
            at=h.at,
            comment=h.comment,
        )
        for h in detail.history
    ]
    return json_response(
        ItemOut(
            item_id=detail.item_id,
            code=detail.code,
            latest_version=detail.latest_version,
            source_identifier=detail.source_identifier,
            versions=[version_summary(v) for v in detail.versions],
            history=history,
        )
    )


@operation(tags=["items"], responses={200: VersionOut}, errors=(404,))
async def get_version(request: Request) -> Response:
    """One version with its full content, key included (authors only)."""
    view = await services(request).db.read(
        authoring.get_version, item_id=request.path_params["item_id"], version=item_version(request)
    )
    from itembank.content import content_to_json

    return json_response(VersionOut(**version_summary(view).model_dump(), content=content_to_json(view.content)))


@operation(tags=["items"], body=VersionChanges, responses={201: NewVersionOut}, errors=(404, 409))
async def create_version(request: Request, body: VersionChanges) -> Response:
    """A new draft version from the latest one with the given fields changed."""
    changes = body.model_dump(exclude_unset=True)
    view = await services(request).db.run(
        authoring.create_version,
        item_id=request.path_params["item_id"],
        changes=changes,
        actor_id=current_user(request).user_id,
    )
    return json_response(NewVersionOut(item_id=view.item_id, version=view.version), 201)


@operation(tags=["items"], body=TransitionIn, responses={200: VersionSummaryOut}, errors=(404, 409))
async def transition(request: Request, body: TransitionIn) -> Response:
    """Move a version through the review workflow (an author cannot approve their own version)."""
    view = await services(request).db.run(
        workflow.transition,
        separation_of_duties=services(request).settings.separation_of_duties,
        item_id=request.path_params["item_id"],
        version=item_version(request),
        to=ItemStatus(body.to),
        actor_id=current_user(request).user_id,
        comment=body.comment or "",
    )
    return json_response(version_summary(view))


@operation(tags=["items"], body=ScoreIn, responses={200: ScoreOut}, errors=(404,))
async def score(request: Request, body: ScoreIn) -> Response:
    """Score a response against a version's key: the preview an author uses to check it."""
    ctx = services(request)
    item_id, version = request.path_params["item_id"], item_version(request)
    responses = body.responses
    if responses is None:
        view = await ctx.db.read(authoring.get_version, item_id=item_id, version=version)
        responses = {authoring.single_response_identifier(view.content): body.response}
    result = await ctx.db.read(authoring.score_preview, item_id=item_id, version=version, responses=responses)
    return json_response(
        ScoreOut(score=result.score, max_score=result.max_score, outcomes=dict(result.outcomes), pending=result.pending)
    )


@operation(tags=["items"], query=ExportQuery, responses={200: None}, errors=(404,))
async def export(request: Request, query: ExportQuery) -> Response:
    """An IMS content package (QTI 3.0) of the latest versions, optionally by status; it imports back unchanged."""
    package = await services(request).db.read(exporting.export_package, status=query.status)
    return Response(
        package,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="examengine-items.zip"'},
    )
