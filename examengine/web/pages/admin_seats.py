"""Seat booking on the admin sitting pages: the bookable flag and the two cut-offs, read from the scheduling form
and changed on the sitting page (exams.seats), in the sitting's zone like its other times."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.errors import DomainError
from examengine.exams.seats import SeatTerms, set_terms
from examengine.http.request import current_user, services
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages import admin_sittings

CUTOFFS = (("booking_closes_at", "Booking closes"), ("cancel_closes_at", "Cancelling closes"))
SEAT_FIELDS = ("bookable", *(name for name, _ in CUTOFFS))


def seat_terms(form: FormData, zone: str) -> SeatTerms:
    """The booking terms a sitting form gives: an empty cut-off is the opening. InvalidInput for a bad time."""
    moments = {
        name: admin_sittings.parse_moment(raw, zone, name, label) if (raw := text_field(form, name).strip()) else None
        for name, label in CUTOFFS
    }
    return SeatTerms(text_field(form, "bookable") == "yes", moments["booking_closes_at"], moments["cancel_closes_at"])


async def update_seats(request: Request) -> Response:
    form = await read_form(request)
    sitting_id = str(request.path_params["sitting_id"])
    values = {name: text_field(form, name) for name in SEAT_FIELDS}
    try:
        zone = await services(request).db.read(admin_sittings.zone_of, sitting_id=sitting_id)
        await services(request).db.run(
            set_terms, sitting_id=sitting_id, actor_id=current_user(request).user_id, terms=seat_terms(form, zone)
        )
    except DomainError as error:
        if error.code == "sitting_not_found":
            raise
        return await admin_sittings.sitting_page(
            request, errors={"seats": error.message}, values=values, status_code=status_for(error)
        )
    return RedirectResponse(f"/admin/sittings/{sitting_id}?notice=seats", status_code=303)
