"""A candidate holding an authorization to test books a seat in Chromium: sees it on "Authorizations to test",
cancels it (the seat comes back), books again, then sits: starts the exam of the booked sitting. The admin sees the
bookings on the sitting page. No axe violations on these pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete, select
from sqlmodel import Session, col

from examengine.accounts import service as accounts
from examengine.clock import utcnow
from examengine.exams import sittings
from examengine.exams.models import Enrollment, Exam
from examengine.exams.seats import SeatTerms
from examengine.programs.models import Authorization, Scheme, SchemeExam, SchemeKind
from tests.browser.axe import AxeAudit
from tests.browser.conftest import call_in_database, running_server
from tests.browser.steps import another_browser
from tests.browser.test_admin_users import sign_in
from tests.conftest import ENGINES

CANDIDATE = "candidate2@example.org"
BOOKED = "Autumn sitting"


def _program(*, session: Session) -> None:
    """The demo exam in a scheme, the candidate authorized and off the demo sitting, and a bookable sitting open
    now whose booking and cancellation stay open for an hour."""
    now = utcnow()
    exam_id = session.scalars(select(col(Exam.id)).where(col(Exam.code) == "SAFE-101")).one()
    admin = accounts.find_user_id_by_email(session=session, email="admin@example.org")
    user_id = accounts.find_user_id_by_email(session=session, email=CANDIDATE)
    assert admin and user_id
    scheme = Scheme(code="SAFE", title="Safety Professional", kind=SchemeKind.CERTIFICATION, created_at=now)
    session.add(scheme)
    session.flush()
    session.add(SchemeExam(exam_id=exam_id, scheme_id=scheme.id))
    session.add(
        Authorization(
            scheme_id=scheme.id,
            user_id=user_id,
            eligible_from=now - timedelta(minutes=5),
            eligible_until=now + timedelta(days=30),
            issued_at=now - timedelta(minutes=5),
        )
    )
    session.execute(delete(Enrollment).where(col(Enrollment.user_id) == user_id))
    sittings.create_sitting(
        session=session,
        exam_id=exam_id,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=3),
        proctor_ids=[],
        candidates=[],
        actor_id=admin,
        title=BOOKED,
        capacity=4,
        seats=SeatTerms(True, now + timedelta(hours=1), now + timedelta(hours=1)),
    )


@pytest.fixture(scope="module", params=ENGINES)
def program_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("live")
    with running_server(request, tmp, prepare=lambda url: call_in_database(url, _program)) as base:
        yield base


def _book(page: Page, audit: AxeAudit) -> None:
    page.get_by_role("link", name="Book a seat").click()
    expect(page.get_by_role("heading", name="Book a seat: Safety Professional")).to_be_visible()
    row = page.get_by_role("table", name="Sittings you can book").get_by_role("row", name=re.compile(BOOKED))
    expect(row).to_contain_text("4")  # seats left
    audit.check(page, "the booking page")
    row.get_by_role("button", name=re.compile(f"^Book {BOOKED}")).click()
    expect(page.get_by_role("status")).to_have_text("Your seat is booked: you are enrolled in the sitting.")


def test_book_cancel_book_again_and_sit(program_server: str, page: Page, browser: Browser) -> None:
    audit = AxeAudit()
    sign_in(page, program_server, CANDIDATE)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Authorizations").click()
    expect(page.get_by_role("heading", name="Authorizations to test")).to_be_visible()
    card = page.get_by_role("region", name=re.compile("Safety Professional"))
    expect(card).to_contain_text("Ready to book")
    expect(card).to_contain_text("0 of 1 used")
    audit.check(page, "the authorizations page")

    _book(page, audit)
    card = page.get_by_role("region", name=re.compile("Safety Professional"))
    expect(card).to_contain_text("Seat booked")
    expect(card).to_contain_text(BOOKED)
    audit.check(page, "the authorizations page with a booking")
    card.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_role("status")).to_contain_text("Your booking was cancelled")
    expect(page.get_by_role("region", name=re.compile("Safety Professional"))).to_contain_text("Ready to book")

    _book(page, audit)

    admin = another_browser(browser)
    sign_in(admin, program_server, "admin@example.org")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Exams").click()
    admin.get_by_role("link", name="SAFE-101").click()
    admin.get_by_role("link", name=re.compile(BOOKED)).first.click()
    booked = admin.get_by_role("table", name="Seats booked by candidates, in booking order")
    expect(booked.get_by_role("row", name=re.compile("Carl Candidate"))).to_have_count(2)
    expect(booked).to_contain_text("cancelled")
    expect(booked).to_contain_text("confirmed")
    expect(admin.get_by_label("Booking closes (UTC)")).not_to_have_value("")
    audit.check(admin, "the admin sitting page with bookings")
    admin.context.close()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    page.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    page.get_by_role("button", name="Start exam").click()
    expect(page.get_by_role("heading", name=re.compile(r"Question 1 of"))).to_be_visible()
    audit.assert_clean()
