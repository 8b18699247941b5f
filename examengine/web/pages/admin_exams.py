"""Admin pages for exams and sittings: blueprints with their pools, a preview form, publishing, scheduling."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.accounts import service as accounts
from examengine.accounts.models import User
from examengine.clock import utcnow
from examengine.db import caches_of
from examengine.errors import Conflict, DomainError, InvalidInput, NotFound
from examengine.exams import assembly, form_review, sitting_list, sittings, versions
from examengine.exams import service as exams
from examengine.exams.assembly.model import AssemblyContext
from examengine.exams.enrolment_csv import parse_enrolment_csv
from examengine.exams.form_inputs import FORM_NAMES, fixed_form_seed
from examengine.exams.forms import blueprint_and_pool
from examengine.http.request import current_user, services
from examengine.programs import schemes
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field, upload_bytes
from examengine.web.pages.admin_seats import SEAT_FIELDS, seat_terms
from examengine.web.templating import render
from examengine.workflows import accommodated_enrolment
from itembank.formats.native import load_yaml_source
from itembank.safety import UnsafeInputError

EXAMPLE = """code: NEW-101
title: A new exam
instructions: Answer every question.
time_limit_minutes: 60
assembly: loft          # or fixed (with forms: 2 for forms A and B)
sections:
  - title: Part A
    draw:
      - {domain: D1, count: 5}
cut_score: {type: percent, value: 70}
scale: {min: 200, max: 800, cut: 500}
retake_policy: {max_attempts: 3, wait_days_after_fail: 14, allow_after_pass: false}
result_release: immediate
"""


async def exam_list(request: Request) -> Response:
    views = await services(request).db.read(exams.list_exams)
    return render(request, "admin/exams.html", {"exams": views})


async def new_exam_form(request: Request) -> Response:
    return render(request, "admin/exam_new.html", {"source": EXAMPLE, "error": None, "problems": []})


def _parse_source(source: str) -> dict[str, Any]:
    try:
        parsed = load_yaml_source(source)
    except yaml.YAMLError as error:
        raise InvalidInput(f"The blueprint is not valid YAML or JSON: {error}") from None
    except UnsafeInputError as error:
        raise InvalidInput(f"The blueprint was refused: {error}") from None
    if not isinstance(parsed, dict):
        raise InvalidInput("The blueprint must be a mapping of fields (see the example).")
    return parsed


async def create_exam(request: Request) -> Response:
    form = await read_form(request)
    source = text_field(form, "source", required=True, label="The blueprint")
    try:
        definition = exams.parse_definition(_parse_source(source))
        view = await services(request).db.run(
            exams.create_exam, definition=definition, actor_id=current_user(request).user_id
        )
    except (InvalidInput, Conflict) as error:
        return render(
            request,
            "admin/exam_new.html",
            {"source": source, "error": error.message, "problems": error.details.get("problems", [])},
            status_code=status_for(error),
        )
    return RedirectResponse(f"/admin/exams/{view.exam_id}", status_code=303)


def _unreviewed_forms(session: Session, view: exams.ExamVersionView) -> tuple[str, ...]:
    """The names of a published fixed-forms version's forms that nobody has reviewed as they now come out."""
    if view.definition.assembly != "fixed" or view.status != "published":
        return ()
    return form_review.fixed_forms(session=session, exam_id=view.exam_id, version=view.version).unreviewed


async def exam_detail(request: Request, *, notice: str | None = None, status_code: int = 200) -> Response:
    exam_id = str(request.path_params["exam_id"])

    def read(*, session: Session) -> dict[str, Any]:
        view = exams.get_version(session=session, exam_id=exam_id)
        pools = (
            exams.pinned_pools(session=session, exam_id=exam_id, version=view.version)
            if view.status != "draft"
            else exams.build_pools(session=session, definition=view.definition)
        )
        shortfalls = exams.shortfalls(view.definition, pools)
        preview: list[tuple[str, list[str]]] = []
        if not shortfalls:
            blueprint, pool = blueprint_and_pool(view.definition, pools, caches_of(session))
            seed = (
                fixed_form_seed(exam_id, view.version, 0)
                if view.definition.assembly == "fixed"
                else secrets.randbits(62)
            )
            form = assembly.assemble(blueprint, pool, AssemblyContext(seed))
            titles = versions.item_titles(
                session=session, refs=[(s.item_id, s.version) for sec in form.sections for s in sec.slots]
            )
            preview = [(sec.title, [titles[(s.item_id, s.version)] for s in sec.slots]) for sec in form.sections]
        return {
            "view": view,
            "unreviewed_forms": _unreviewed_forms(session, view),
            "pools": pools,
            "shortfalls": shortfalls,
            "preview": preview,
            "definition_yaml": yaml.safe_dump(json.loads(view.definition.model_dump_json()), sort_keys=False),
            "form_label": f"Form {FORM_NAMES[0]}" if view.definition.assembly == "fixed" else "a LOFT form",
            "sittings": sitting_list.exam_sittings(session=session, exam_id=exam_id, now=utcnow(), limit=10),
            "scheme": schemes.scheme_of_exam(session, exam_id),
        }

    context = await services(request).db.read(read)
    return render(request, "admin/exam_detail.html", {**context, "notice": notice}, status_code=status_code)


async def publish(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    try:
        await services(request).db.run(exams.publish, exam_id=exam_id, actor_id=current_user(request).user_id)
    except (InvalidInput, Conflict) as error:
        return await exam_detail(request, notice=error.message, status_code=status_for(error))
    return RedirectResponse(f"/admin/exams/{exam_id}", status_code=303)


def _proctors(session: Session) -> list[User]:
    return accounts.active_proctors(session=session)


async def new_sitting_form(
    request: Request,
    *,
    error: str | None = None,
    problems: list[Any] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    exam_id = str(request.path_params["exam_id"])

    def read(*, session: Session) -> tuple[exams.ExamVersionView, list[User], tuple[str, ...]]:
        view = exams.get_version(session=session, exam_id=exam_id)
        return view, _proctors(session), _unreviewed_forms(session, view)

    view, proctors, unreviewed = await services(request).db.read(read)
    return render(
        request,
        "admin/sitting_new.html",
        {
            "view": view,
            "proctors": proctors,
            "unreviewed_forms": unreviewed,
            "error": error,
            "problems": problems or [],
            "values": values or {},
        },
        status_code=status_code,
    )


def _moment(raw: str, label: str, zone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{label}: give a date and time.") from None
    return (moment.replace(tzinfo=ZoneInfo(zone)) if moment.tzinfo is None else moment).astimezone(UTC)


async def create_sitting(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    form = await read_form(request)
    names = ("title", "opens_at", "closes_at", "location", "time_zone", "capacity", *SEAT_FIELDS)
    values = {name: text_field(form, name) for name in names}
    try:
        zone = sittings.checked_zone(values["time_zone"] or "UTC")
        opens_at, closes_at = _moment(values["opens_at"], "Opens", zone), _moment(values["closes_at"], "Closes", zone)
        capacity = values["capacity"].strip()
        if capacity and not (capacity.isdecimal() and len(capacity) < 7):
            raise InvalidInput("Capacity: give a whole number of seats, or leave it empty for no limit.")
        candidates: list[sittings.EnrollmentRequest] = []
        upload = form.get("candidates")
        if isinstance(upload, UploadFile) and upload.filename:
            _, data = await upload_bytes(form, "candidates", max_bytes=2 * 1024 * 1024)

            def parse(*, session: Session) -> list[sittings.EnrollmentRequest]:
                return parse_enrolment_csv(session=session, data=data)

            candidates = await services(request).db.read(parse)
        proctor_ids = [v for v in form.getlist("proctor_ids") if isinstance(v, str)]
        view = await services(request).db.run(
            accommodated_enrolment.create_sitting,
            exam_id=exam_id,
            opens_at=opens_at,
            closes_at=closes_at,
            proctor_ids=proctor_ids,
            candidates=candidates,
            actor_id=current_user(request).user_id,
            title=values["title"].strip(),
            location=values["location"].strip() or "online",
            requires_admission=text_field(form, "admission") == "yes",
            capacity=int(capacity) if capacity else None,
            time_zone=zone,
            seats=seat_terms(form, zone),
        )
    except DomainError as error:
        if isinstance(error, NotFound) and error.code == "exam_not_found":
            raise
        return await new_sitting_form(
            request,
            error=error.message,
            problems=error.details.get("problems", []),
            values=values,
            status_code=status_for(error),
        )
    return RedirectResponse(f"/admin/sittings/{view.sitting_id}", status_code=303)
