"""The organisation's settings page (admin), its images and the theme stylesheet that carries its accent colour
(a stylesheet, not an inline style: the Content-Security-Policy allows styles from 'self' only)."""

from __future__ import annotations

from dataclasses import fields

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine import organisation
from examengine.api.organisation import image_kind
from examengine.clock import utcnow
from examengine.errors import InvalidInput, TooLarge
from examengine.http.request import current_user, services
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field, upload_bytes
from examengine.web.templating import render

SAVED = {
    "settings": "The organisation's settings were saved.",
    "logo": "The logo was saved.",
    "signature": "The signature was saved.",
    "removed": "The image was removed.",
}


async def settings_page(
    request: Request,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    error_field: str | None = None,
    status_code: int = 200,
) -> Response:
    current = await services(request).db.read(organisation.identity)
    values = form or {field.name: getattr(current, field.name) for field in fields(organisation.IdentityChanges)}
    context = {
        "current": current,
        "values": values,
        "error": error,
        "error_field": error_field,
        "saved": SAVED.get(request.query_params.get("saved", "")),
        "max_kib": organisation.MAX_IMAGE_BYTES // 1024,
    }
    return render(request, "admin/organisation.html", context, status_code=status_code)


async def save_settings(request: Request) -> Response:
    form = await read_form(request)
    values = {field.name: text_field(form, field.name) for field in fields(organisation.IdentityChanges)}
    try:
        await services(request).db.run(
            organisation.change,
            actor_id=current_user(request).user_id,
            changes=organisation.IdentityChanges(**values),
            now=utcnow(),
        )
    except InvalidInput as error:
        field = str(error.details.get("field", ""))
        return await settings_page(request, form=values, error=error.message, error_field=field, status_code=422)
    return RedirectResponse(request.url_for("admin.organisation").path + "?saved=settings", status_code=303)


async def upload_image(request: Request) -> Response:
    kind = image_kind(request)
    form = await read_form(request)
    try:
        _, data = await upload_bytes(form, "file", max_bytes=organisation.MAX_IMAGE_BYTES)
        await services(request).db.run(
            organisation.set_image, actor_id=current_user(request).user_id, kind=kind, data=data, now=utcnow()
        )
    except (InvalidInput, TooLarge) as error:
        return await settings_page(request, error=error.message, error_field=kind.value, status_code=status_for(error))
    return RedirectResponse(request.url_for("admin.organisation").path + f"?saved={kind.value}", status_code=303)


async def remove_image(request: Request) -> Response:
    await services(request).db.run(
        organisation.remove_image, actor_id=current_user(request).user_id, kind=image_kind(request), now=utcnow()
    )
    return RedirectResponse(request.url_for("admin.organisation").path + "?saved=removed", status_code=303)


async def _image(request: Request, kind: organisation.ImageKind) -> Response:
    image = await services(request).db.read(
        organisation.current_image, kind=kind, sha256=str(request.path_params["sha256"])
    )
    return Response(
        image.data,
        media_type=image.content_type,
        headers={
            # the address names the bytes, so it never changes: a new image gets a new address
            "Cache-Control": "public, max-age=31536000, immutable"
            if kind is organisation.ImageKind.LOGO
            else "private, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


async def logo(request: Request) -> Response:
    return await _image(request, organisation.ImageKind.LOGO)


async def signature(request: Request) -> Response:
    return await _image(request, organisation.ImageKind.SIGNATURE)


async def theme(request: Request) -> Response:
    """`--accent` from the settings; pages link it with the identity's version, so a change shows on the next page."""
    current = await services(request).db.read(organisation.identity)
    return Response(
        f":root {{ --accent: {current.accent_colour}; }}\n",
        media_type="text/css",
        headers={
            "Cache-Control": "public, max-age=86400"
            if request.query_params.get("v") == str(current.version)
            else "no-cache"
        },
    )
