"""Seats (API.md "Seats"): bookable sittings inside an authorization's window with seats left, booking enrols the
candidate with their approved accommodations, one live booking per authorization, every 409, cancelling before and
after the cut-off (seat and authorization come back), and concurrent bookings that never exceed the capacity."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.errors import DomainError
from examengine.exams.models import Enrollment
from examengine.programs import bookings
from examengine.programs.booking_models import Booking
from tests.conftest import TEST_PASSWORD, run_async
from tests.programs.seats import accommodate, authorize, book, bookable_sitting, mine, now, program
from tests.web.browsing import csrf_from, log_in, post_form


@pytest.fixture
def p(app_client: TestClient, make_user: Callable[..., Any], services: Services) -> dict[str, Any]:
    return program(app_client, make_user, services)


def _sitting(client: TestClient, p: dict[str, Any], sitting_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/sittings/{sitting_id}", headers=p["headers"]["admin"])
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _bookable(client: TestClient, p: dict[str, Any], who: str, authorization_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/authorizations/{authorization_id}/sittings", headers=p["headers"][who])
    assert answer.status_code == 200, answer.text
    return {row["sitting_id"]: row for row in answer.json()}


def _kinds(services: Services, booking_id: str) -> list[str]:
    def read(*, session: Session) -> list[str]:
        query = select(col(AuditRecord.kind)).where(col(AuditRecord.subject) == f"booking:{booking_id}")
        return list(session.scalars(query.order_by(col(AuditRecord.id))))

    return services.db.call(read, write=False)


def test_book_cancel_and_book_again(app_client: TestClient, p: dict[str, Any], services: Services) -> None:
    held = authorize(services, p, "cand0")
    first = bookable_sitting(app_client, p, capacity=3)
    second = bookable_sitting(app_client, p, opens_in=timedelta(days=2))
    assert _bookable(app_client, p, "cand0", held)[first]["seats_left"] == 3
    assert mine(app_client, p, "cand0")[held]["status"] == "issued"

    booked = book(app_client, p, "cand0", held, first)
    assert booked.status_code == 201, booked.text
    assert booked.json()["status"] == "confirmed"
    booking_id = booked.json()["booking_id"]
    assert mine(app_client, p, "cand0")[held]["status"] == "booked"
    assert [c["user_id"] for c in _sitting(app_client, p, first)["candidates"]] == [p["users"]["cand0"].id]
    assert _bookable(app_client, p, "cand0", held)[first]["seats_left"] == 2

    twice = book(app_client, p, "cand0", held, second)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_booked"

    cancelled = app_client.delete(f"/api/v1/bookings/{booking_id}", headers=p["headers"]["cand0"])
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert mine(app_client, p, "cand0")[held]["status"] == "issued"  # the authorization comes back
    assert _sitting(app_client, p, first)["candidates"] == []  # and so does the seat
    assert _bookable(app_client, p, "cand0", held)[first]["seats_left"] == 3
    again = app_client.delete(f"/api/v1/bookings/{booking_id}", headers=p["headers"]["cand0"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_booked"

    rebooked = book(app_client, p, "cand0", held, second)
    assert rebooked.status_code == 201, rebooked.text
    assert _kinds(services, booking_id) == [AuditKind.BOOKING_CONFIRMED, AuditKind.BOOKING_CANCELLED]
    assert _kinds(services, rebooked.json()["booking_id"]) == [AuditKind.BOOKING_CONFIRMED]

    # Someone else's booking or authorization does not exist for you.
    other = app_client.delete(f"/api/v1/bookings/{rebooked.json()['booking_id']}", headers=p["headers"]["cand1"])
    assert other.status_code == 404
    assert book(app_client, p, "cand1", held, first).status_code == 404
    listed = app_client.get(f"/api/v1/authorizations/{held}/sittings", headers=p["headers"]["cand1"])
    assert listed.status_code == 404


def test_every_refusal(app_client: TestClient, p: dict[str, Any], services: Services) -> None:
    held = authorize(services, p, "cand0", eligible_until=now() + timedelta(days=3))
    full = bookable_sitting(app_client, p, capacity=1)
    assert book(app_client, p, "cand1", authorize(services, p, "cand1"), full).status_code == 201
    late = bookable_sitting(app_client, p, opens_in=timedelta(days=4))
    closed = bookable_sitting(app_client, p, booking_closes_at=now() - timedelta(seconds=1))
    not_bookable = bookable_sitting(app_client, p, bookable=False)
    free_exam = bookable_sitting(app_client, p, exam="free_exam_id")
    cases = {
        full: "sitting_full",
        late: "outside_window",
        closed: "booking_closed",
        not_bookable: "not_bookable",
        free_exam: "not_bookable",
    }
    for sitting_id, code in cases.items():
        refused = book(app_client, p, "cand0", held, sitting_id)
        assert refused.status_code == 409, (code, refused.text)
        assert refused.json()["error"]["code"] == code
    assert _bookable(app_client, p, "cand0", held) == {}  # none of them is offered
    assert book(app_client, p, "cand0", held, "ab" * 16).status_code == 404

    open_one = bookable_sitting(app_client, p)
    unusable = {
        "authorization_expired": authorize(
            services, p, "cand0", eligible_from=now() - timedelta(days=9), eligible_until=now() - timedelta(days=1)
        ),
        "authorization_revoked": authorize(services, p, "cand0", revoked=True),
        "authorization_consumed": authorize(services, p, "cand0", attempts=0),
    }
    for code, authorization_id in unusable.items():
        refused = book(app_client, p, "cand0", authorization_id, open_one)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == code, refused.text
        assert "can no longer book a seat" in refused.json()["error"]["message"]
    cancelled = app_client.post(
        f"/api/v1/sittings/{open_one}/cancel", headers=p["headers"]["admin"], json={"reason": "storm"}
    )
    assert cancelled.status_code == 200
    refused = book(app_client, p, "cand0", held, open_one)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "sitting_cancelled"


def test_cancel_before_and_after_the_cut_off(app_client: TestClient, p: dict[str, Any], services: Services) -> None:
    held = authorize(services, p, "cand0")
    passed = bookable_sitting(app_client, p, cancel_closes_at=now() - timedelta(seconds=1))
    booked = book(app_client, p, "cand0", held, passed)
    assert booked.status_code == 201
    refused = app_client.delete(f"/api/v1/bookings/{booked.json()['booking_id']}", headers=p["headers"]["cand0"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "cancel_closed"
    assert mine(app_client, p, "cand0")[held]["status"] == "booked"

    # At the cut-off exactly it is closed, a moment before it is open (services take `now`).
    sitting = bookable_sitting(app_client, p, cancel_closes_at=now() + timedelta(minutes=30))
    other = authorize(services, p, "cand1")
    booking = services.db.call(
        bookings.book, user_id=p["users"]["cand1"].id, authorization_id=other, sitting_id=sitting, now=now()
    )
    cut_off = _sitting(app_client, p, sitting)["cancel_closes_at"]
    at = datetime.fromisoformat(cut_off)
    with pytest.raises(DomainError) as closed:
        services.db.call(bookings.cancel, user_id=p["users"]["cand1"].id, booking_id=booking.id, now=at)
    assert closed.value.code == "cancel_closed"
    done = services.db.call(
        bookings.cancel, user_id=p["users"]["cand1"].id, booking_id=booking.id, now=at - timedelta(microseconds=1)
    )
    assert done.status == "cancelled"


def test_booking_applies_the_approved_accommodations(
    app_client: TestClient, p: dict[str, Any], services: Services
) -> None:
    accommodate(services, p, "cand0", {"time_multiplier": 1.5, "extra_minutes": 10, "other": "a quiet room"})
    sitting = bookable_sitting(app_client, p)
    assert book(app_client, p, "cand0", authorize(services, p, "cand0"), sitting).status_code == 201
    assert book(app_client, p, "cand1", authorize(services, p, "cand1"), sitting).status_code == 201
    enrolled = {c["user_id"]: c for c in _sitting(app_client, p, sitting)["candidates"]}
    accommodated, plain = enrolled[p["users"]["cand0"].id], enrolled[p["users"]["cand1"].id]
    assert (accommodated["time_multiplier"], accommodated["extra_minutes"]) == (1.5, 10)
    assert accommodated["accommodation_reason"].startswith("Approved accommodation request ")
    assert "a quiet room" not in accommodated["accommodation_reason"]  # proctors read it: never the other needs
    assert (plain["time_multiplier"], plain["extra_minutes"]) == (1.0, 0)


def test_the_cut_offs_default_to_the_opening(app_client: TestClient, p: dict[str, Any]) -> None:
    sitting = _sitting(app_client, p, bookable_sitting(app_client, p))
    assert sitting["bookable"] is True
    assert sitting["booking_closes_at"] == sitting["cancel_closes_at"] == sitting["opens_at"]
    bad = app_client.post(
        "/api/v1/sittings",
        headers=p["headers"]["admin"],
        json={
            "exam_id": p["exam_id"],
            "opens_at": now().isoformat(),
            "closes_at": (now() + timedelta(hours=1)).isoformat(),
            "bookable": True,
            "booking_closes_at": (now() + timedelta(hours=2)).isoformat(),
        },
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_cutoff"


SEATS, RACERS = 10, 50


def _counts(services: Services, sitting_id: str) -> tuple[int, int]:
    def read(*, session: Session) -> tuple[int, int]:
        enrolled = session.scalar(
            select(func.count()).select_from(Enrollment).where(col(Enrollment.sitting_id) == sitting_id)
        )
        booked = session.scalar(select(func.count()).select_from(Booking).where(col(Booking.sitting_id) == sitting_id))
        return int(enrolled or 0), int(booked or 0)

    return services.db.call(read, write=False)


def test_fifty_concurrent_bookings_for_ten_seats_get_exactly_ten(
    app_client: TestClient, make_user: Callable[..., Any], services: Services
) -> None:
    p = program(app_client, make_user, services, candidates=RACERS)
    sitting = bookable_sitting(app_client, p, capacity=SEATS)
    held = [(p["users"][f"cand{n}"].id, authorize(services, p, f"cand{n}")) for n in range(RACERS)]
    outcomes: list[str] = []

    async def race() -> None:
        async def one(user_id: str, authorization_id: str) -> None:
            try:
                await services.db.run(
                    bookings.book, user_id=user_id, authorization_id=authorization_id, sitting_id=sitting, now=now()
                )
                outcomes.append("booked")
            except DomainError as refused:
                outcomes.append(refused.code)

        async with anyio.create_task_group() as group:
            for user_id, authorization_id in held:
                group.start_soon(one, user_id, authorization_id)

    run_async(race)
    assert outcomes.count("booked") == SEATS
    assert outcomes.count("sitting_full") == RACERS - SEATS
    assert _counts(services, sitting) == (SEATS, SEATS)


def test_the_admin_sitting_page_shows_bookings_and_sets_the_terms(
    app_client: TestClient, p: dict[str, Any], services: Services
) -> None:
    sitting = bookable_sitting(app_client, p, opens_in=timedelta(days=1))
    booked = book(app_client, p, "cand0", authorize(services, p, "cand0"), sitting)
    app_client.delete(f"/api/v1/bookings/{booked.json()['booking_id']}", headers=p["headers"]["cand0"])
    assert book(app_client, p, "cand1", authorize(services, p, "cand1"), sitting).status_code == 201
    client = TestClient(app_client.app)
    log_in(client, "admin@example.org", TEST_PASSWORD)
    page = client.get(f"/admin/sittings/{sitting}")
    assert page.status_code == 200, page.text
    table = page.text.split('id="bookings-heading"')[1].split("</table>")[0]
    assert "Cand 0" in table and "Cand 1" in table and "cancelled" in table and "confirmed" in table
    audit = client.get("/admin/audit").text
    assert "booking: seat booking of Cand 0 &lt;cand0@example.org&gt;" in audit  # whose, not a bare id
    cut_off = (now() + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")
    path = f"/admin/sittings/{sitting}/seats"
    saved = post_form(
        client, path, {"bookable": "yes", "booking_closes_at": cut_off}, from_page=f"/admin/sittings/{sitting}"
    )
    assert saved.status_code == 303, saved.text
    state = _sitting(app_client, p, sitting)
    assert state["bookable"] and state["booking_closes_at"].startswith(cut_off.replace("T", "T")[:13])
    assert state["cancel_closes_at"] == state["opens_at"]
    too_late = (now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = post_form(
        client, path, {"bookable": "yes", "cancel_closes_at": too_late}, from_page=f"/admin/sittings/{sitting}"
    )
    assert refused.status_code == 422 and "cannot fall after the sitting closes" in refused.text
    off = post_form(client, path, {}, from_page=f"/admin/sittings/{sitting}")
    assert off.status_code == 303 and _sitting(app_client, p, sitting)["bookable"] is False


def test_the_candidate_pages_book_and_cancel_without_javascript(
    app_client: TestClient, p: dict[str, Any], services: Services
) -> None:
    held = authorize(services, p, "cand0")
    sitting = bookable_sitting(app_client, p, capacity=2)
    client = TestClient(app_client.app)
    log_in(client, "cand0@example.org", TEST_PASSWORD)
    listed = client.get("/authorizations")
    assert (
        listed.status_code == 200 and "Ready to book" in listed.text and f"/authorizations/{held}/book" in listed.text
    )
    offered = client.get(f"/authorizations/{held}/book")
    assert offered.status_code == 200 and sitting in offered.text and ">2<" in offered.text
    booked = client.post(
        f"/authorizations/{held}/book",
        data={"csrf_token": csrf_from(offered), "sitting_id": sitting},
        follow_redirects=False,
    )
    assert booked.status_code == 303
    shown = client.get(booked.headers["location"])
    assert "Seat booked" in shown.text and "Cancel booking" in shown.text and "Book a seat" not in shown.text
    twice = client.post(f"/authorizations/{held}/book", data={"csrf_token": csrf_from(offered), "sitting_id": sitting})
    assert twice.status_code == 409 and "already" in twice.text
    booking_id = re.search(r"/bookings/([0-9a-f]{32})/cancel", shown.text).group(1)  # type: ignore[union-attr]
    cancelled = client.post(
        f"/bookings/{booking_id}/cancel", data={"csrf_token": csrf_from(shown)}, follow_redirects=False
    )
    assert cancelled.status_code == 303 and "Ready to book" in client.get("/authorizations").text
    assert client.get(f"/authorizations/{'ab' * 16}/book").status_code == 404
