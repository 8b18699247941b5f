"""The candidate's authorizations to test: each with its window, attempts and status in words, "Book a seat" while
it is usable, the seat booked with a "Cancel booking" button until the cut-off, and the page listing the bookable
sittings to book one. The rules are programs.bookings' (the same the JSON API calls)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import DomainError
from examengine.http.request import current_user, services
from examengine.programs import authorizations, bookings
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render

NOTICES = {
    "booked": "Your seat is booked: you are enrolled in the sitting.",
    "cancelled": "Your booking was cancelled: the seat is released and you may book another sitting.",
}
STATUS_WORDS = {
    "issued": "Ready to book",
    "booked": "Seat booked",
    "consumed": "Used",
    "expired": "Expired",
    "revoked": "Revoked",
}


async def my_authorizations(request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
    now = utcnow()
    rows = await services(request).db.read(bookings.held, user_id=current_user(request).user_id, now=now)
    context: dict[str, Any] = {
        "rows": rows,
        "now": now,
        "words": STATUS_WORDS,
        "usable": authorizations.USABLE,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "error": error,
    }
    return render(request, "candidate/authorizations.html", context, status_code=status_code)


async def book_page(request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
    authorization_id = str(request.path_params["authorization_id"])
    user_id, now = current_user(request).user_id, utcnow()
    state = await services(request).db.read(
        authorizations.get_authorization, authorization_id=authorization_id, user_id=user_id, now=now
    )
    found = await services(request).db.read(
        authorizations.bookable_sittings, authorization_id=authorization_id, user_id=user_id, now=now
    )
    context = {"state": state, "sittings": found, "error": error, "words": STATUS_WORDS}
    return render(request, "candidate/book.html", context, status_code=status_code)


async def book(request: Request) -> Response:
    form = await read_form(request)
    try:
        await services(request).db.run(
            bookings.book,
            user_id=current_user(request).user_id,
            authorization_id=str(request.path_params["authorization_id"]),
            sitting_id=text_field(form, "sitting_id")[:32],
            now=utcnow(),
        )
    except DomainError as error:
        if error.code == "authorization_not_found":
            raise
        return await book_page(request, error=error.message, status_code=status_for(error))
    return RedirectResponse("/authorizations?notice=booked", status_code=303)


async def cancel(request: Request) -> Response:
    try:
        await services(request).db.run(
            bookings.cancel,
            user_id=current_user(request).user_id,
            booking_id=str(request.path_params["booking_id"]),
            now=utcnow(),
        )
    except DomainError as error:
        if error.code == "booking_not_found":
            raise
        return await my_authorizations(request, error=error.message, status_code=status_for(error))
    return RedirectResponse("/authorizations?notice=cancelled", status_code=303)
