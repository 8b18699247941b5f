"""Admin pages for credential schemes: the list, the new-scheme form, and a scheme with its handbook versions."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.http.request import current_user, services
from examengine.programs import scheme_rules, scheme_text, scheme_views, schemes
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages.programs import program_context
from examengine.web.pages.scheme_form import TEXT_FIELDS, form_field, scheme_input, values_of
from examengine.web.templating import render

SHOWN = 200
PATHWAY_EXAMPLE = "EXP | Experience | WORK | Two years of supervised practice | file"


def field_errors(error: InvalidInput | Conflict | NotFound) -> dict[str, str]:
    """The refusal beside the form field it names (without the field name the API puts first)."""
    field = str(error.details.get("field") or "")
    message = error.message
    if field and message.startswith(f"{field}: "):
        message = message[len(field) + 2 :]
        message = message[:1].upper() + message[1:]
    return {form_field(field) if field else "form": message}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, name) for kind, name in scheme_text.KIND_NAMES.items()]


async def scheme_list(request: Request) -> Response:
    page = await services(request).db.read(scheme_views.list_schemes, limit=SHOWN)
    return render(request, "admin/schemes.html", {"schemes": page.items, "kind_name": scheme_text.kind_name})


async def _form_page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> Response:
    choices = await services(request).db.read(scheme_views.exam_choices)
    context = {
        "values": values,
        "errors": errors,
        "exam_choices": choices,
        "kinds": kind_choices(),
        "pathway_example": PATHWAY_EXAMPLE,
    }
    return render(request, "admin/scheme_new.html", context, status_code=status_code)


async def new_scheme_form(request: Request) -> Response:
    values: dict[str, Any] = {name: "" for name in TEXT_FIELDS}
    values |= {"kind": "certification", "attempts_per_authorization": "1", "appeal_period": "P30D"}
    values |= {"authorization_period": "P180D", "handbook_version": "1", "exam_ids": [], "recert_by_exam": False}
    return await _form_page(request, values, {})


async def create_scheme(request: Request) -> Response:
    values = values_of(await read_form(request))
    try:
        created = await services(request).db.run(
            schemes.create_scheme, scheme=scheme_input(values), actor_id=current_user(request).user_id, now=utcnow()
        )
    except (InvalidInput, Conflict) as error:
        return await _form_page(request, values, field_errors(error), status_for(error))
    return RedirectResponse(f"/admin/schemes/{created.code}?created=1", status_code=303)


async def scheme_detail(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    code = str(request.path_params["code"])
    context = await services(request).db.read(program_context, code=code)
    notice = {"1": "The scheme was created."}.get(request.query_params.get("created", ""))
    if request.query_params.get("published"):
        notice = "The new handbook version was published; it is now current."
    context |= {"values": values or {"version": "", "text": ""}, "errors": errors or {}, "notice": notice}
    return render(request, "admin/scheme.html", context, status_code=status_code)


async def publish_handbook(request: Request) -> Response:
    code = str(request.path_params["code"])
    form = await read_form(request)
    values = {"version": text_field(form, "version"), "text": text_field(form, "text")}
    handbook = scheme_rules.Handbook(values["version"], values["text"])
    try:
        await services(request).db.run(
            schemes.publish_handbook, code=code, handbook=handbook, actor_id=current_user(request).user_id, now=utcnow()
        )
    except (InvalidInput, Conflict) as error:
        errors = {key.removeprefix("handbook_"): message for key, message in field_errors(error).items()}
        return await scheme_detail(request, values=values, errors=errors, status_code=status_for(error))
    return RedirectResponse(f"/admin/schemes/{code}?published=1", status_code=303)
