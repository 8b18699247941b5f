"""Author pages: the item list, import with its validation report, an item's versions, review and scoring."""

from __future__ import annotations

import difflib
import json
from typing import Any

import anyio.to_thread
import yaml
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.errors import Conflict, Forbidden, InvalidInput, MalformedInput, TooLarge
from examengine.http import json_body
from examengine.http.params import item_version
from examengine.http.request import current_user, services
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field, upload_bytes
from examengine.web.templating import is_htmx, render
from itembank import authoring, importing, media, search, workflow
from itembank.content import content_to_json
from itembank.formats.native import load_yaml_source
from itembank.html import render_item_html
from itembank.models import ALLOWED_TRANSITIONS, ItemStatus
from itembank.rendering import candidate_view
from itembank.review import MOVE_LABELS
from itembank.safety import MAX_UPLOAD_BYTES, UnsafeInputError

STATUSES = [s.value for s in ItemStatus]


async def item_list(request: Request) -> Response:
    params = request.query_params
    status = params.get("status") if params.get("status") in STATUSES else None
    filters = {
        "status": status,
        "domain": (params.get("domain") or "")[:100] or None,
        "tag": (params.get("tag") or "")[:100] or None,
        "q": (params.get("q") or "")[:200] or None,
    }
    cursor = params.get("cursor") or None
    mine = params.get("mine") == "1"
    page = await services(request).db.read(
        search.list_items, cursor=cursor, author_id=current_user(request).user_id if mine else None, **filters
    )
    block = "results" if is_htmx(request) and request.headers.get("hx-target") == "item-results" else None
    return render(
        request,
        "author/items.html",
        {"page": page, "filters": filters, "statuses": STATUSES, "mine": mine},
        block=block,
    )


VALID_ONLY_LABEL = "Import the valid items only"  # the import form's own words for importing.ImportMode.VALID_ONLY


async def import_form(request: Request) -> Response:
    return render(request, "author/import.html", _import_context())


def _import_context() -> dict[str, Any]:
    return {
        "report": None,
        "error": None,
        "errors": [],
        "formats": importing.FORMATS,
        "valid_only_label": VALID_ONLY_LABEL,
    }


async def import_submit(request: Request) -> Response:
    ctx = services(request)
    form = await read_form(request)
    fmt = text_field(form, "format") or None
    mode = (
        importing.ImportMode.VALID_ONLY
        if text_field(form, "mode") == "valid_only"
        else importing.ImportMode.ALL_OR_NOTHING
    )
    context = _import_context()
    try:
        filename, data = await upload_bytes(form, "file", max_bytes=MAX_UPLOAD_BYTES)
        result = await anyio.to_thread.run_sync(importing.read_upload, filename, data, fmt)
        context["report"] = await ctx.db.run(
            importing.import_items, result=result, mode=mode, actor_id=current_user(request).user_id
        )
    except (InvalidInput, TooLarge) as error:
        problems = error.details.get("errors", [])
        message = error.message
        if error.code == "import_rejected":
            message = (
                f"{len(problems)} problem(s) found; nothing was imported. Fix them, or choose "
                f"“{VALID_ONLY_LABEL}” and import again."
            )
        context.update(error=message, errors=problems)
        return render(request, "author/import.html", context, status_code=413 if isinstance(error, TooLarge) else 422)
    return render(request, "author/import.html", context)


def _native_text(view: authoring.VersionView) -> str:
    if view.content.native is not None:
        return str(yaml.safe_dump(view.content.native, sort_keys=False, allow_unicode=True))
    return json.dumps(content_to_json(view.content), indent=2, ensure_ascii=False)


async def item_detail(request: Request) -> Response:
    detail = await services(request).db.read(authoring.get_item, item_id=request.path_params["item_id"])
    version = int(request.query_params["v"]) if request.query_params.get("v", "").isdecimal() else detail.latest_version
    shown = next((v for v in detail.versions if v.version == version), detail.latest)
    return render(
        request,
        "author/item.html",
        await _item_context(request, detail, shown, diff=_diff_with_previous(detail, shown)),
    )


def _diff_with_previous(detail: authoring.ItemDetail, shown: authoring.VersionView) -> list[tuple[str, str]]:
    """What changed from the previous version, line by line: ("+"/"-"/" ", text) pairs of the item's source."""
    previous = next((v for v in detail.versions if v.version == shown.version - 1), None)
    if previous is None:
        return []
    before = (_native_text(previous) + _labels(previous)).splitlines()
    after = (_native_text(shown) + _labels(shown)).splitlines()
    return [
        (line[0], line[2:]) for line in difflib.ndiff(before, after) if line[:1] in "+- " and not line.startswith("?")
    ]


def _labels(view: authoring.VersionView) -> str:
    return (
        f"\n# domain: {view.domain or ''}\n# tags: {', '.join(view.tags)}\n"
        f"# enemy groups: {', '.join(view.enemy_groups)}\n"
    )


async def _item_context(
    request: Request, detail: authoring.ItemDetail, shown: authoring.VersionView, **extra: Any
) -> dict[str, Any]:
    ctx = services(request)
    moves = await ctx.db.read(
        workflow.allowed_moves,
        item_id=detail.item_id,
        version=shown.version,
        actor_id=current_user(request).user_id,
        separation_of_duties=ctx.settings.separation_of_duties,
    )
    return {
        "item": detail,
        "shown": shown,
        "preview": render_item_html(candidate_view(shown.content), name_prefix="preview"),
        "moves": [move for move in MOVE_LABELS if move in moves],
        "move_labels": MOVE_LABELS,
        "final": not ALLOWED_TRANSITIONS[shown.status],
        "source_text": _native_text(shown),
        "is_native": shown.content.native is not None,
        "score": None,
        "score_error": None,
        "tried": "",
        "error": None,
        "diff": [],
        "live_preview": None,
        "live_error": None,
        **extra,
    }


async def transition(request: Request) -> Response:
    ctx = services(request)
    item_id, version = request.path_params["item_id"], item_version(request)
    form = await read_form(request)
    to = text_field(form, "to")
    if to not in STATUSES:
        raise InvalidInput("Choose the status to move the version to.")
    try:
        await ctx.db.run(
            workflow.transition,
            separation_of_duties=services(request).settings.separation_of_duties,
            item_id=item_id,
            version=version,
            to=ItemStatus(to),
            actor_id=current_user(request).user_id,
            comment=text_field(form, "comment")[:2000],
        )
    except (Conflict, Forbidden) as error:
        detail = await ctx.db.read(authoring.get_item, item_id=item_id)
        shown = next(v for v in detail.versions if v.version == version)
        return render(
            request,
            "author/item.html",
            await _item_context(request, detail, shown, error=error.message),
            status_code=409 if isinstance(error, Conflict) else 403,
        )
    return RedirectResponse(f"/author/items/{item_id}?v={version}", status_code=303)


async def new_version(request: Request) -> Response:
    """Save the edited source (native YAML or the content JSON) as a new draft version."""
    ctx = services(request)
    item_id = request.path_params["item_id"]
    form = await read_form(request)
    source = text_field(form, "source", required=True, label="The item source")
    try:
        parsed = load_yaml_source(source)
        if not isinstance(parsed, dict):
            raise InvalidInput("The source must be one item: a mapping of fields.")
        changes = {"native": parsed} if text_field(form, "kind") == "native" else {"content": parsed}
        view = await ctx.db.run(
            authoring.create_version, item_id=item_id, changes=changes, actor_id=current_user(request).user_id
        )
    except (yaml.YAMLError, UnsafeInputError, InvalidInput, Conflict) as error:
        message = (
            error.message
            if isinstance(error, (InvalidInput, Conflict))
            else str(error)
            if isinstance(error, UnsafeInputError)
            else f"The source is not valid YAML: {error}"
        )
        detail = await ctx.db.read(authoring.get_item, item_id=item_id)
        return render(
            request,
            "author/item.html",
            await _item_context(request, detail, detail.latest, error=message, source_text=source),
            status_code=422,
        )
    return RedirectResponse(f"/author/items/{item_id}?v={view.version}", status_code=303)


async def score_preview(request: Request) -> Response:
    """Score a response typed by the author against a version's key (htmx fragment or whole page)."""
    ctx = services(request)
    item_id, version = request.path_params["item_id"], item_version(request)
    form = await read_form(request)
    raw = text_field(form, "response")
    detail = await ctx.db.read(authoring.get_item, item_id=item_id)
    shown = next((v for v in detail.versions if v.version == version), detail.latest)
    try:
        value = json_body.loads(raw) if raw.strip().startswith(("[", "{", '"')) else raw
        responses = value if isinstance(value, dict) else {authoring.single_response_identifier(shown.content): value}
        result = await ctx.db.read(authoring.score_preview, item_id=item_id, version=version, responses=responses)
        context = await _item_context(request, detail, shown, score=result, tried=raw)
        status = 200
    except (InvalidInput, MalformedInput) as error:
        message = error.message
        context, status = await _item_context(request, detail, shown, score_error=message, tried=raw), 422
    block = "score_result" if is_htmx(request) else None
    return render(request, "author/item.html", context, status_code=status, block=block)


async def media_page(
    request: Request, *, uploaded: str | None = None, error: str | None = None, status_code: int = 200
) -> Response:
    files = await services(request).db.read(media.recent_media)
    return render(
        request, "author/media.html", {"files": files, "uploaded": uploaded, "error": error}, status_code=status_code
    )


async def media_upload(request: Request) -> Response:
    form = await read_form(request)
    try:
        name, data = await upload_bytes(form, "file", max_bytes=media.MAX_MEDIA_BYTES)
        url = await services(request).db.run(media.store_image, name=name, data=data)
    except (InvalidInput, TooLarge) as error:
        return await media_page(request, error=error.message, status_code=status_for(error))
    return await media_page(request, uploaded=url)


async def preview_source(request: Request) -> Response:
    """Show the edited source as the candidate will see it, without saving anything."""
    form = await read_form(request)
    source = text_field(form, "source", required=True, label="The item source")
    try:
        parsed = load_yaml_source(source)
        if not isinstance(parsed, dict):
            raise InvalidInput("The source must be one item: a mapping of fields.")
        content = authoring.content_for_preview(parsed, native=text_field(form, "kind") == "native")
        context: dict[str, Any] = {
            "live_preview": render_item_html(candidate_view(content), name_prefix="live"),
            "live_error": None,
        }
        status = 200
    except yaml.YAMLError as error:
        context, status = {"live_preview": None, "live_error": f"The source is not valid YAML: {error}"}, 422
    except UnsafeInputError as error:
        context, status = {"live_preview": None, "live_error": str(error)}, 422
    except InvalidInput as error:
        context, status = {"live_preview": None, "live_error": error.message}, 422
    if is_htmx(request):
        return render(request, "author/item.html", context, block="live_preview", status_code=status)
    detail = await services(request).db.read(authoring.get_item, item_id=request.path_params["item_id"])
    full = await _item_context(request, detail, detail.latest, source_text=source, **context)
    return render(request, "author/item.html", full, status_code=status)
