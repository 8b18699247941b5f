"""The structured item editor: "New item" and the form per kind, its live preview, saving a new draft version.

Thin: `itembank.editor` maps the form to the native item and back and says what is wrong where; saving goes through
the same services as imports and the YAML editor. Without JavaScript the form posts and the page comes back with
the errors beside the fields and everything typed kept; with it, Trix edits the rich text and htmx refreshes the
preview (static/item_editor.js)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.errors import Conflict, InvalidInput
from examengine.http.request import current_user, services
from examengine.web.forms import MAX_FIELD_LENGTH, read_form, text_field
from examengine.web.templating import render
from itembank import authoring, media
from itembank.editor import KINDS, EditorForm, blank_form, form_from_fields, form_from_native, native_from_form
from itembank.editor import service as editor_service
from itembank.editor.form import add_image, rich_text_keeps, with_stand_in_key
from itembank.html import render_item_html
from itembank.rendering import candidate_view


async def new_item(request: Request) -> Response:
    kind = request.query_params.get("kind", "")
    if kind not in KINDS:
        return render(request, "author/editor_kinds.html", {"kinds": KINDS, "item": None})
    return await _page(request, blank_form(kind))


async def edit_item(request: Request) -> Response:
    detail = await services(request).db.read(authoring.get_item, item_id=request.path_params["item_id"])
    native = detail.latest.content.native
    if native is None:
        return render(request, "author/editor_kinds.html", {"kinds": KINDS, "item": detail}, status_code=409)
    return await _page(request, form_from_native(native), item=detail, base_version=detail.latest_version)


async def create_item(request: Request) -> Response:
    return await _submit(request, item=None)


async def save_item(request: Request) -> Response:
    detail = await services(request).db.read(authoring.get_item, item_id=request.path_params["item_id"])
    return await _submit(request, item=detail)


async def preview(request: Request) -> Response:
    """The live preview (an htmx fragment): always 200, so that htmx shows what is still wrong."""
    form = form_from_fields(_pairs(await read_form(request)))
    return render(request, "author/editor.html", {"preview": _preview(form)}, block="preview")


def _pairs(fields: FormData) -> list[tuple[str, str]]:
    pairs = [(name, value) for name, value in fields.multi_items() if isinstance(value, str)]
    if any("\x00" in value or len(value) > MAX_FIELD_LENGTH for _, value in pairs):
        raise InvalidInput("A field holds a NUL character or is longer than 20,000 characters.")
    return pairs


def _preview(form: EditorForm) -> dict[str, Any]:
    """The item as a candidate sees it, once it is complete but for its key; and what is still to do."""
    errors = native_from_form(form).errors
    shown = native_from_form(with_stand_in_key(form)).native
    if shown is None:
        return {"html": None, "errors": errors}
    content = authoring.content_for_preview(shown, native=True)
    return {"html": render_item_html(candidate_view(content), name_prefix="preview"), "errors": errors}


async def _submit(request: Request, *, item: authoring.ItemDetail | None) -> Response:
    fields = await read_form(request)
    form = form_from_fields(_pairs(fields))
    if form.kind not in KINDS:
        raise InvalidInput("Choose what kind of item this is: start again from New item.", code="unknown_kind")
    action = text_field(fields, "action")
    base = text_field(fields, "base_version")
    base_version = int(base) if base.isdecimal() and len(base) < 10 else None
    page: dict[str, Any] = {"item": item, "base_version": base_version}
    image, alt = text_field(fields, "image"), text_field(fields, "image_alt")
    if action == "insert_image" and not (image or alt.strip()):
        action = "preview"  # Enter in a field "clicks" the form's first button, which is this one: nothing to add
    if action == "insert_image":
        problem = add_image(form, image, alt)
        return await _page(
            request, form, errors={"image": problem} if problem else {}, status_code=422 if problem else 200, **page
        )
    parsed = native_from_form(form)
    if parsed.native is None or action == "preview":
        return await _page(request, form, errors=parsed.errors, status_code=422 if parsed.errors else 200, **page)
    who, db = current_user(request), services(request).db
    if item is None:
        ref = await db.run(editor_service.create_item, native=parsed.native, actor_id=who.user_id)
        return RedirectResponse(request.url_for("author.items.detail", item_id=ref.item_id).path, status_code=303)
    try:
        view = await db.run(
            editor_service.save_version,
            item_id=item.item_id,
            native=parsed.native,
            base_version=base_version,
            actor_id=who.user_id,
        )
    except Conflict as error:
        page["base_version"] = item.latest_version  # saving again is the author's decision to replace it
        return await _page(request, form, message=error.message, status_code=409, **page)
    path = request.url_for("author.items.detail", item_id=item.item_id).path
    return RedirectResponse(f"{path}?v={view.version}", status_code=303)


async def _page(
    request: Request,
    form: EditorForm,
    *,
    item: authoring.ItemDetail | None = None,
    base_version: int | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    images = await services(request).db.read(media.recent_media)
    context = {
        "form": form.with_spare_rows(),
        "kind_label": KINDS[form.kind],
        "errors": errors or {},
        "message": message,
        "item": item,
        "base_version": base_version,
        "images": [(url, name) for url, name, _, kind in images if kind.startswith("image/")],
        "rich_fields": {name: rich_text_keeps(getattr(form, name)) for name in ("stem", "rationale", "rubric")},
        "preview": _preview(form),
    }
    return render(request, "author/editor.html", context, status_code=status_code)
