"""Authorizations to test and seat bookings (API.md "Applications and authorization to test", "Seats")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.booking_schemas import (
    AuthorizationListOut,
    AuthorizationListQuery,
    AuthorizationOut,
    BookableSittingOut,
    BookableSittingsOut,
    BookingCancelledOut,
    BookingIn,
    BookingOut,
)
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.http.request import current_user, services
from examengine.programs import authorizations, bookings


def authorization_out(state: authorizations.AuthorizationState) -> AuthorizationOut:
    held = state.authorization
    return AuthorizationOut(
        authorization_id=held.id,
        scheme=state.scheme_code,
        exam_ids=list(state.exam_ids),
        eligible_from=held.eligible_from,
        eligible_until=held.eligible_until,
        attempts_allowed=held.attempts_allowed,
        attempts_used=state.attempts_used,
        status=state.status.value,
    )


@operation(tags=["programs"], query=AuthorizationListQuery, responses={200: AuthorizationListOut}, errors=(404,))
async def list_authorizations(request: Request, query: AuthorizationListQuery) -> Response:
    """The caller's authorizations to test (`mine=true`), or a user's (`user_id=`, admins), newest first, each
    with its status now."""
    who = current_user(request)
    page = await services(request).db.read(
        authorizations.list_authorizations,
        who=who,
        user_id=query.user_id or who.user_id,
        now=utcnow(),
        cursor=query.cursor,
        limit=query.limit,
    )
    return json_response(
        AuthorizationListOut(items=[authorization_out(s) for s in page.items], next_cursor=page.next_cursor)
    )


@operation(tags=["programs"], responses={200: BookableSittingsOut}, errors=(404,))
async def bookable_sittings(request: Request) -> Response:
    """The bookable sittings of the authorization's exams inside its window, with seats left (its holder)."""
    found = await services(request).db.read(
        authorizations.bookable_sittings,
        authorization_id=request.path_params["authorization_id"],
        user_id=current_user(request).user_id,
        now=utcnow(),
    )
    rows = [
        BookableSittingOut(sitting_id=s.sitting_id, opens_at=s.opens_at, closes_at=s.closes_at, seats_left=s.seats_left)
        for s in found
    ]
    return json_response(BookableSittingsOut(rows))


@operation(tags=["programs"], body=BookingIn, responses={201: BookingOut}, errors=(404, 409))
async def book(request: Request, body: BookingIn) -> Response:
    """Book a seat on the caller's authorization, which enrols them with their approved accommodations. 409
    `sitting_full`, `already_booked`, `outside_window`, `booking_closed`, `not_bookable`, or
    `authorization_expired` / `authorization_consumed` / `authorization_revoked`."""
    booking = await services(request).db.run(
        bookings.book,
        user_id=current_user(request).user_id,
        authorization_id=body.authorization_id,
        sitting_id=body.sitting_id,
        now=utcnow(),
    )
    return json_response(BookingOut(booking_id=booking.id, status="confirmed"), 201)


@operation(tags=["programs"], responses={200: BookingCancelledOut}, errors=(404, 409))
async def cancel_booking(request: Request) -> Response:
    """Cancel the caller's booking before the sitting's cancellation cut-off; 409 `cancel_closed` after it."""
    booking = await services(request).db.run(
        bookings.cancel,
        user_id=current_user(request).user_id,
        booking_id=request.path_params["booking_id"],
        now=utcnow(),
    )
    return json_response(BookingCancelledOut(booking_id=booking.id, status="cancelled"))
