"""Admin pages for running sittings: an exam's sittings, and a sitting's page to change its window, proctors,
capacity and zone, cancel it with a reason, and enrol or remove candidates. The rules are the services' (the same
the JSON API calls); a refusal is shown beside the field it is about."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, available_timezones

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import as_utc, utcnow
from examengine.delivery import sitting_changes
from examengine.delivery.sitting_roster import roster
from examengine.errors import DomainError, InvalidInput
from examengine.exams import service as exams
from examengine.exams import sitting_list, sittings
from examengine.http.request import current_user, services
from examengine.programs import bookings
from examengine.web.errors import status_for
from examengine.web.forms import list_field, read_form, text_field
from examengine.web.templating import render
from examengine.workflows import accommodated_enrolment

NOTICES = {
    "saved": "The sitting was saved.",
    "cancelled": "The sitting was cancelled; its candidates see the reason.",
    "enrolled": "The candidate was enrolled.",
    "removed": "The candidate was removed from the sitting.",
    "seats": "The seat booking terms were saved.",
}
# Which field of the sitting form a refusal is about (the rest are shown above the form).
FIELD_OF = {
    "would_cut_attempt": "closes_at",
    "invalid_window": "closes_at",
    "attempts_started": "opens_at",
    "invalid_capacity": "capacity",
    "capacity_below_enrolled": "capacity",
    "invalid_time_zone": "time_zone",
    "invalid_proctor": "proctor_ids",
    "user_not_found": "proctor_ids",
    "proctor_is_candidate": "proctor_ids",
}
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def local_input(moment: datetime, zone: str) -> str:
    """A moment as a datetime-local input shows it, in the sitting's zone."""
    return as_utc(moment).astimezone(ZoneInfo(zone)).strftime(LOCAL_INPUT)


def parse_moment(raw: str, zone: str, field: str, label: str) -> datetime:
    try:
        local = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(f"{label}: give a date and time.", code=f"bad_{field}") from None
    return (local.replace(tzinfo=ZoneInfo(zone)) if local.tzinfo is None else local).astimezone(UTC)


def _cutoff_input(view: sittings.SittingView, name: str) -> str:
    moment = getattr(view, name)
    return "" if moment is None or moment == view.opens_at else local_input(moment, view.time_zone)


def zone_of(*, session: Session, sitting_id: str) -> str:
    return sittings.load_sitting(session, sitting_id).time_zone


async def exam_sittings(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    raw_cursor = request.query_params.get("cursor", "")[:32] or None
    exam = await services(request).db.read(exams.get_version, exam_id=exam_id)
    page = await services(request).db.read(sitting_list.exam_sittings, exam_id=exam_id, now=utcnow(), cursor=raw_cursor)
    return render(request, "admin/sittings.html", {"view": exam, "page": page})


async def sitting_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    sitting_id = str(request.path_params["sitting_id"])
    search = (request.query_params.get("q") or (values or {}).get("q", ""))[:200].replace("\x00", "")
    found = await services(request).db.read(roster, sitting_id=sitting_id, search=search, now=utcnow())
    booked = await services(request).db.read(bookings.sitting_bookings, sitting_id=sitting_id)
    view = found.sitting
    shown = {
        "opens_at": local_input(view.opens_at, view.time_zone),
        "closes_at": local_input(view.closes_at, view.time_zone),
        "capacity": "" if view.capacity is None else str(view.capacity),
        "time_zone": view.time_zone,
        "proctor_ids": list(view.proctor_ids),
        "reason": "",
        "time_multiplier": "1",
        "extra_minutes": "0",
        "accommodation_reason": "",
        "bookable": "yes" if view.bookable else "",
        **{name: _cutoff_input(view, name) for name in ("booking_closes_at", "cancel_closes_at")},
    }
    context = {
        "roster": found,
        "bookings": booked,
        "view": view,
        "search": search,
        "shown": shown,
        "values": {**shown, **(values or {})},
        "errors": errors or {},
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "zones": sorted(available_timezones()),
    }
    return render(request, "admin/sitting.html", context, status_code=status_code)


def _saved(request: Request, notice: str, **query: str) -> Response:
    sitting_id = str(request.path_params["sitting_id"])
    return RedirectResponse(f"/admin/sittings/{sitting_id}?{urlencode({'notice': notice, **query})}", 303)


async def _refused(
    request: Request, error: DomainError, values: dict[str, Any], fields: dict[str, str], default: str
) -> Response:
    """The page again with what was typed and the refusal beside the field it is about (`default`: the form's)."""
    if error.code == "sitting_not_found":
        raise error
    field = fields.get(error.code, default)
    return await sitting_page(request, errors={field: error.message}, values=values, status_code=status_for(error))


def _changes(values: dict[str, Any], proctor_ids: list[str]) -> dict[str, Any]:
    """What the sitting form changes: a time only when it differs from what the page showed (the page shows
    minutes, so an untouched field must not drop the seconds of a time set through the API)."""
    zone = sittings.checked_zone(values["time_zone"])
    changes: dict[str, Any] = {"time_zone": zone, "proctor_ids": proctor_ids}
    for name, label in (("opens_at", "Opens"), ("closes_at", "Closes")):
        if values[name] != values[f"shown_{name}"]:
            changes[name] = parse_moment(values[name], zone, name, label)
    raw = values["capacity"].strip()
    if raw and not (raw.isdecimal() and len(raw) < 7):
        raise InvalidInput(
            "Capacity: give a whole number of seats, or leave it empty for no limit.", code="invalid_capacity"
        )
    changes["capacity"] = int(raw) if raw else None
    return changes


async def update_sitting(request: Request) -> Response:
    form = await read_form(request)
    names = ("opens_at", "closes_at", "shown_opens_at", "shown_closes_at", "capacity", "time_zone")
    values: dict[str, Any] = {name: text_field(form, name) for name in names}
    values["proctor_ids"] = list_field(form, "proctor_ids")
    try:
        await services(request).db.run(
            sitting_changes.update_sitting,
            sitting_id=str(request.path_params["sitting_id"]),
            actor_id=current_user(request).user_id,
            **_changes(values, values["proctor_ids"]),
        )
    except DomainError as error:
        fields = {**FIELD_OF, "bad_opens_at": "opens_at", "bad_closes_at": "closes_at"}
        return await _refused(request, error, values, fields, "form")
    return _saved(request, "saved")


async def cancel_sitting(request: Request) -> Response:
    form = await read_form(request)
    reason = text_field(form, "reason")
    try:
        await services(request).db.run(
            sitting_changes.cancel_sitting,
            sitting_id=str(request.path_params["sitting_id"]),
            actor_id=current_user(request).user_id,
            reason=reason,
        )
    except DomainError as error:
        return await _refused(request, error, {"reason": reason}, {}, "reason")
    return _saved(request, "cancelled")


def _number(raw: str, label: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(raw.strip() or ("1" if kind is float else "0"))
    except ValueError:
        raise InvalidInput(f"{label}: give a number.", code="invalid_accommodation") from None


async def enrol(request: Request) -> Response:
    form = await read_form(request)
    names = ("user_id", "time_multiplier", "extra_minutes", "accommodation_reason", "q")
    values: dict[str, Any] = {name: text_field(form, name) for name in names}
    try:
        if not values["user_id"]:
            raise InvalidInput("Choose a candidate from the search results.", code="no_candidate")
        request_ = sittings.EnrollmentRequest(
            user_id=values["user_id"][:32],
            time_multiplier=_number(values["time_multiplier"], "Time multiplier", float),
            extra_minutes=_number(values["extra_minutes"], "Extra minutes", int),
            accommodation_reason=values["accommodation_reason"][:1000],
        )
        await services(request).db.run(
            accommodated_enrolment.enrol_candidate,
            sitting_id=str(request.path_params["sitting_id"]),
            actor_id=current_user(request).user_id,
            request=request_,
        )
    except DomainError as error:
        return await _refused(request, error, values, {"invalid_accommodation": "time_multiplier"}, "enrol")
    return _saved(request, "enrolled")


async def remove(request: Request) -> Response:
    try:
        await services(request).db.run(
            sitting_changes.remove_candidate,
            sitting_id=str(request.path_params["sitting_id"]),
            user_id=str(request.path_params["user_id"]),
            actor_id=current_user(request).user_id,
        )
    except DomainError as error:
        return await _refused(request, error, {}, {}, "candidates")
    return _saved(request, "removed")
