"""Timed sections in Chromium: the open section's clock is shown, later sections cannot be opened, and finishing a
section (after confirming it) opens the next one and closes the first for good."""

from __future__ import annotations

import contextlib
import re
import time
from datetime import UTC, datetime, timedelta

import httpx2
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect

from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import FINISHED, answer_current_question

SECTIONED = {
    "code": "SAFE-SEC",
    "title": "Workplace safety in timed parts",
    "time_limit_minutes": 40,
    "sections": [
        {"title": "Part A", "time_limit_minutes": 10, "shuffle_items": False, "draw": [{"domain": "D1", "count": 2}]},
        {"title": "Part B", "time_limit_minutes": 15, "shuffle_items": False, "draw": [{"domain": "D3", "count": 2}]},
    ],
}


def schedule_sitting(
    base: str,
    candidate_email: str,
    exam: dict[str, object] | str,
    title: str,
    opens_in: timedelta = timedelta(minutes=-1),
    requires_admission: bool = False,
) -> None:
    """As the demo admin, through the API: publish `exam` (a blueprint; or the code of a published exam), then
    enrol the candidate in a sitting of it opening `opens_in` from now (a minute ago by default)."""
    with httpx2.Client(base_url=base) as api:
        token = api.post("/api/v1/auth/token", json={"email": "admin@example.org", "password": "examengine-demo"})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        candidate = next(u for u in api.get("/api/v1/users").json()["items"] if u["email"] == candidate_email)
        if isinstance(exam, str):
            exam_id = next(e for e in api.get("/api/v1/exams").json()["items"] if e["code"] == exam)["exam_id"]
        else:
            exam_id = api.post("/api/v1/exams", json=exam).json()["exam_id"]
            assert api.post(f"/api/v1/exams/{exam_id}/publish").status_code == 200
        now = datetime.now(UTC)
        created = api.post(
            "/api/v1/sittings",
            json={
                "exam_id": exam_id,
                "title": title,
                "opens_at": (now + opens_in).isoformat(),
                "closes_at": (now + timedelta(hours=3)).isoformat(),
                "candidates": [{"user_id": candidate["id"]}],
                "requires_admission": requires_admission,
            },
        )
        assert created.status_code == 201, created.text


def start_own_sitting(page: Page, base: str, email: str, exam: dict[str, object]) -> None:
    """`email` in a sitting of its own of `exam` (schedule_sitting), signed in and pressing its Start exam."""
    schedule_sitting(base, email, exam, str(exam["title"]))
    sign_in(page, base, email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    sitting = page.get_by_role("region", name=str(exam["title"]))
    sitting.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    sitting.get_by_role("button", name="Start exam").click()


def test_sections_open_one_after_another(live_server: str, page: Page) -> None:
    start_own_sitting(page, live_server, "candidate2@example.org", SECTIONED)

    expect(page.get_by_role("heading", name="Question 1 of 4")).to_be_visible()
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"Time left in Part A: 0:(09|10):\d\d"))
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_text("(not yet open)")).to_be_visible()
    expect(navigator.get_by_role("link", name=re.compile("^Question 3"))).to_have_count(0)
    answer_current_question(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 2 of 4")).to_be_visible()
    expect(navigator.get_by_role("link", name="Question 1, answered")).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_have_count(0)  # Part A ends here

    page.goto(page.url.replace("/items/2", "/items/3"))  # typing a later section's address leads back
    expect(page.get_by_role("heading", name="Question 2 of 4")).to_be_visible()

    page.get_by_role("button", name="Review answers").click()
    expect(page.get_by_text("Section 1 of 2: Part A.")).to_be_visible()
    # how many count as unanswered depends on the drawn items (an ordering question always has an order)
    page.get_by_role("checkbox", name=re.compile(r"^I want to finish this section")).check()
    page.get_by_role("button", name="Finish section").click()

    expect(page.get_by_role("heading", name="Question 3 of 4")).to_be_visible()
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"Time left: 0:(14|15):\d\d"))
    expect(navigator.get_by_text("(closed)")).to_be_visible()
    expect(navigator.get_by_role("link", name=re.compile("^Question 1"))).to_have_count(0)
    answer_current_question(page)
    page.get_by_role("button", name="Review answers").click()
    page.get_by_role("checkbox", name=re.compile(r"^I want to submit my exam")).check()
    page.get_by_role("button", name="Submit exam").click()
    expect(page.get_by_role("heading", name=FINISHED)).to_be_visible()


def test_finishing_a_section_lands_on_the_next_sections_first_question(live_server: str, page: Page) -> None:
    """The live stream reports the section that opened while the answer to Finish section is still on its way (held
    here for three seconds). The page must not reload itself over that answer: it once did, and the candidate
    landed on the next section's review instead of its first question."""
    exam = {**SECTIONED, "code": "SAFE-SEC-2", "title": "Timed parts, finished while the stream talks"}
    start_own_sitting(page, live_server, "candidate4@example.org", exam)
    expect(page.get_by_role("heading", name="Question 1 of 4")).to_be_visible()
    page.get_by_role("button", name="Review answers").click()
    expect(page.get_by_text("Section 1 of 2: Part A.")).to_be_visible()

    def answer_late(route: Route) -> None:
        response = route.fetch(max_redirects=0)  # the server has finished the section: the stream says so
        time.sleep(3)
        with contextlib.suppress(PlaywrightError):  # the page went elsewhere meanwhile: the heading below says where
            route.fulfill(response=response)

    page.route(re.compile(r"/sections/\d+/finish$"), answer_late)
    page.get_by_role("checkbox", name=re.compile(r"^I want to finish this section")).check()
    page.get_by_role("button", name="Finish section").click()
    expect(page.get_by_role("heading", name="Question 3 of 4")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"Time left: 0:(14|15):\d\d"))


LINEAR = {
    "code": "SAFE-LIN",
    "title": "Workplace safety, forward only",
    "time_limit_minutes": 20,
    "navigation": {"mode": "linear", "allow_review": False, "allow_flagging": False},
    "sections": [{"title": "Part A", "shuffle_items": False, "draw": [{"domain": "D1", "count": 3}]}],
}


def test_linear_navigation_only_goes_forward(live_server: str, page: Page) -> None:
    start_own_sitting(page, live_server, "candidate3@example.org", LINEAR)

    expect(page.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
    expect(page.get_by_text("This exam moves forward only")).to_be_visible()
    expect(page.get_by_role("button", name="Flag for review")).to_have_count(0)
    expect(page.get_by_role("button", name="Previous")).to_have_count(0)
    answer_current_question(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_role("link")).to_have_count(1)  # only the current question
    expect(navigator.get_by_label("Question 1, closed, answered")).to_be_visible()
    page.goto(page.url.replace("/items/2", "/items/1"))  # no way back, even by address
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 3 of 3")).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_have_count(0)
    page.get_by_role("button", name="Review answers").click()
    expect(page.get_by_role("link", name="Question 2")).to_have_count(0)  # listed, not reachable
    page.get_by_role("checkbox", name=re.compile(r"^I want to submit my exam")).check()
    page.get_by_role("button", name="Submit exam").click()
    expect(page.get_by_role("heading", name=FINISHED)).to_be_visible()
