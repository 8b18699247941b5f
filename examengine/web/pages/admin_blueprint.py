"""The structured blueprint editor: every field of an exam definition as a form, saved through the same validation
as the YAML editor and the API, with the live pool behind each draw rule."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.errors import Conflict, InvalidInput
from examengine.exams.blueprints import drafts
from examengine.exams.blueprints import editor as blueprints
from examengine.exams.blueprints.labels import field_label
from examengine.http.request import current_user, services
from examengine.web.errors import status_for
from examengine.web.forms import MAX_FIELD_LENGTH
from examengine.web.templating import render

_ROW = re.compile(r"^sections-\d{1,4}-(draw|items)-\d{1,4}$")


def pool_text(domain: str, tag: str, wanted: str, available: int) -> str:
    """What a draw rule can draw from, in words ("domain D2: 5 approved; needs 8")."""
    named = " and ".join(p for p in (f"domain {domain}" if domain else "", f"tag {tag}" if tag else "") if p)
    if not named:
        return "Name a domain, a tag or both to see the pool."
    text = f"{named}: {available} approved"
    if wanted.isdecimal() and int(wanted) > available:
        text += f"; needs {int(wanted)}, short by {int(wanted) - available}"
    return text


def _fixed_text(title: str | None, item_id: str) -> str:
    if not item_id:
        return "Enter an item id."
    return f"approved: {title}" if title else "not an approved version of an item in the bank"


def _row_status(session: Session, row: dict[str, str]) -> str:
    if "item_id" in row:
        title = drafts.fixed_item_title(session=session, item_id=row["item_id"], version=row["version"])
        return _fixed_text(title, row["item_id"])
    domain, tag = row["domain"][:100], row["tag"][:100]
    available = drafts.approved_count(session=session, domain=domain, tag=tag) if domain or tag else 0
    return pool_text(domain, tag, row["count"], available)


def _context(session: Session, form: blueprints.BlueprintForm, exam_id: str | None) -> dict[str, Any]:
    statuses = {}
    for s_index, section in enumerate(form.sections):
        for kind, rows in (("items", section.items), ("draw", section.draw)):
            for r_index, row in enumerate(rows):
                statuses[f"sections-{s_index}-{kind}-{r_index}"] = _row_status(session, row)
    target = drafts.edit_target(session=session, exam_id=exam_id) if exam_id else None
    return {"choices": drafts.bank_choices(session=session), "statuses": statuses, "target": target}


async def _editor(
    request: Request,
    form: blueprints.BlueprintForm,
    *,
    exam_id: str | None,
    revision: str,
    errors: dict[str, str] | None = None,
    focus: str = "",
    status_code: int = 200,
) -> Response:
    def read(*, session: Session) -> dict[str, Any]:
        return _context(session, form, exam_id)

    context = await services(request).db.read(read)
    try:
        extra_names = form.extra_names()
    except InvalidInput:
        extra_names = []
    return render(
        request,
        "admin/blueprint.html",
        {
            **context,
            "form": form,
            "values": form.fields,
            "errors": errors or {},
            "summary": [(name, field_label(name), message) for name, message in (errors or {}).items()],
            "focus": focus,
            "revision": revision,
            "extra_names": extra_names,
            "action_url": f"/admin/exams/{exam_id}/blueprint" if exam_id else "/admin/blueprints/new",
        },
        status_code=status_code,
    )


async def new_blueprint(request: Request) -> Response:
    return await _editor(request, blueprints.blank_form(), exam_id=None, revision="")


async def edit_blueprint(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    target = await services(request).db.read(drafts.edit_target, exam_id=exam_id)
    return await _editor(
        request, blueprints.from_definition(target.view.definition), exam_id=exam_id, revision=target.revision
    )


async def _submitted(request: Request) -> dict[str, str]:
    # A blueprint has many fields (a section with 100 fixed items alone has 200): the bounds are the form's own.
    data = await request.form(max_files=0, max_fields=5000, max_part_size=MAX_FIELD_LENGTH)
    found: dict[str, str] = {}
    for name, value in data.multi_items():
        if isinstance(value, str):
            if "\x00" in value or len(value) > MAX_FIELD_LENGTH:
                raise InvalidInput(f"The field {name[:60]} is too long or holds a NUL character.")
            found.setdefault(name, value)
    return found


async def _submit(request: Request, exam_id: str | None) -> Response:
    if exam_id is not None:
        await services(request).db.read(drafts.edit_target, exam_id=exam_id)  # an unknown exam is a 404 first
    submitted = await _submitted(request)
    revision = submitted.get("revision", "")
    try:
        form = blueprints.from_submission(submitted)
    except InvalidInput as error:
        form = blueprints.blank_form()
        return await _editor(
            request, form, exam_id=exam_id, revision=revision, errors={"form": error.message}, status_code=422
        )
    action = submitted.get("action", "save")
    if action != "save":
        focus = blueprints.apply_edit(form, action) or ""
        return await _editor(request, form, exam_id=exam_id, revision=revision, focus=focus)
    try:
        view = await services(request).db.run(
            drafts.save_blueprint,
            raw=blueprints.to_raw(form),
            exam_id=exam_id,
            revision=revision,
            actor_id=current_user(request).user_id,
        )
    except (InvalidInput, Conflict) as error:
        errors = blueprints.field_errors(error.details.get("problems", []))
        if error.code == "exam_code_taken":
            errors["code"] = error.message
        if not errors:
            errors["form"] = error.message
        return await _editor(
            request,
            form,
            exam_id=exam_id,
            revision=revision,
            errors=errors,
            focus="error-summary",
            status_code=status_for(error),
        )
    return RedirectResponse(f"/admin/exams/{view.exam_id}", status_code=303)


async def submit_new_blueprint(request: Request) -> Response:
    return await _submit(request, None)


async def submit_blueprint(request: Request) -> Response:
    return await _submit(request, str(request.path_params["exam_id"]))


async def pool_status(request: Request) -> Response:
    """The live status of one rule row as the admin edits it (htmx): the pool of a draw rule, or whether a fixed
    item is an approved version."""
    row_name = request.query_params.get("row", "")
    match = _ROW.match(row_name)
    text = "Unknown rule row."
    if match is not None:
        fields = blueprints.ITEM_FIELDS if match.group(1) == "items" else blueprints.DRAW_FIELDS
        row = {key: request.query_params.get(f"{row_name}-{key}", "").strip()[:200] for key in fields}

        def read(*, session: Session) -> str:
            return _row_status(session, row)

        text = await services(request).db.read(read)
    return render(request, "admin/blueprint_status.html", {"text": text})
