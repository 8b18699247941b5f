"""Offline delivery in Chromium: with the network cut, Next opens the next question from what the page prefetched,
its answer and flag wait on the device, Review answers shows what the device holds, and everything reaches the
server once the network returns. A forward-only exam says plainly that its next question needs the network."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from playwright.sync_api import Page, Route, expect

from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import FINISHED, answer_current_question, give_an_answer, start_demo_exam
from tests.browser.test_candidate_sections import start_own_sitting

KIT_KEPT = "() => Object.keys(sessionStorage).some((key) => key.startsWith('ee-kit-'))"


def _attempt_as_candidate(base: str, email: str, attempt_id: str) -> dict[str, Any]:
    """The attempt as the server holds it, read through the JSON API with the candidate's own token."""
    with httpx2.Client(base_url=base) as api:
        token = api.post("/api/v1/auth/token", json={"email": email, "password": "examengine-demo"})
        found = api.get(f"/api/v1/attempts/{attempt_id}", headers={"Authorization": f"Bearer {token.json()['token']}"})
        assert found.status_code == 200, found.text
        return dict(found.json())


def _answers(page: Page) -> str:
    """The question form's answer fields as the page would send them."""
    return str(
        page.locator("#item-form").evaluate(
            "form => { const data = new FormData(form); data.delete('csrf_token');"
            " return new URLSearchParams(data).toString(); }"
        )
    )


def _where(page: Page) -> tuple[str, int]:
    found = re.search(r"/attempts/([^/]+)/items/(\d+)$", page.url)
    assert found, page.url
    return found.group(1), int(found.group(2))


def _start_own_sitting(page: Page, base: str, exam: dict[str, Any]) -> tuple[str, int]:
    """candidate3 in a sitting of its own of `exam`, on its first question; returns (attempt id, slot)."""
    start_own_sitting(page, base, "candidate3@example.org", exam)
    expect(page.get_by_role("heading", name=re.compile(r"Question 1 of \d+"))).to_be_visible()
    return _where(page)


def test_next_flag_and_review_work_offline_and_reach_the_server_after(live_server: str, page: Page) -> None:
    start_demo_exam(page, live_server, "candidate1@example.org")
    answer_current_question(page)
    first_answer = _answers(page)
    attempt_id, first_slot = _where(page)
    page.wait_for_function(KIT_KEPT)  # the open items are prefetched after the page loads

    page.context.set_offline(True)
    page.get_by_role("button", name="Next").click()
    second = page.get_by_role("heading", name="Question 2 of 9")
    expect(second).to_be_visible()
    expect(second).to_be_focused()
    _, slot = _where(page)  # the address follows (history), though the page did not load
    assert slot != first_slot
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.locator("a[aria-current=page]")).to_have_attribute("aria-label", f"Question {slot}, not answered")

    give_an_answer(page)
    status = page.get_by_role("status", name="Save status")
    expect(status).to_have_text("Offline — answers kept on this device, 1 waiting")
    flag = page.get_by_role("button", name="Flag for review")
    expect(flag).to_have_attribute("aria-pressed", "false")
    flag.click()
    expect(flag).to_have_attribute("aria-pressed", "true")
    expect(status).to_have_text("Offline — answers kept on this device, 2 waiting")
    expect(navigator.get_by_role("link", name=f"Question {slot}, answered, flagged")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Offline for \d+ s$"))).to_be_visible()
    chosen = _answers(page)

    page.get_by_role("button", name="Review answers").click()
    review = page.get_by_role("heading", name="Review your answers")
    expect(review).to_be_visible()
    expect(review).to_be_focused()
    expect(page.locator("#item-form")).to_be_hidden()
    expect(page.get_by_text("You answered 2 of 9 questions.")).to_be_visible()
    expect(page.get_by_role("heading", name="Flagged for review")).to_be_visible()
    page.get_by_role("link", name=f"Question {slot}", exact=True).click()
    expect(second).to_be_visible()  # back on the question, with the answer given offline
    assert _answers(page) == chosen

    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_role("heading", name="Question 1 of 9")).to_be_visible()
    assert _where(page)[1] == first_slot
    assert _answers(page) == first_answer
    page.go_back()  # the browser's Back moves between the questions opened offline
    expect(second).to_be_visible()
    assert _where(page)[1] == slot

    before = _attempt_as_candidate(live_server, "candidate1@example.org", attempt_id)
    assert str(slot) not in before["responses"] and slot not in before["flags"]  # still only on the device
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text("Saved")
    expect(page.get_by_text(re.compile(r"^Offline for"))).to_be_hidden()
    after = _attempt_as_candidate(live_server, "candidate1@example.org", attempt_id)
    assert str(slot) in after["responses"] and str(first_slot) in after["responses"]
    assert after["flags"] == [slot]

    page.reload()  # the server's own page for the question, answered and flagged
    expect(page.get_by_role("heading", name="Question 2 of 9")).to_be_visible()
    expect(page.get_by_role("button", name="Flag for review")).to_have_attribute("aria-pressed", "true")
    expect(navigator.get_by_role("link", name=f"Question {slot}, answered, flagged")).to_be_visible()

    page.get_by_role("button", name="Review answers").click()
    page.get_by_role("checkbox", name=re.compile(r"^I want to submit my exam")).check()
    page.get_by_role("button", name="Submit exam").click()
    expect(page.get_by_role("heading", name=FINISHED)).to_be_visible()
    assert page.evaluate("Object.keys(sessionStorage).filter((key) => key.startsWith('ee-'))") == []


def test_a_server_out_of_reach_while_the_browser_thinks_it_is_online(live_server: str, page: Page) -> None:
    """No "offline" event at all: the failed reads and saves tell the page, and Next stays on the page."""
    start_demo_exam(page, live_server, "candidate2@example.org")
    attempt_id, first_slot = _where(page)
    page.wait_for_function(KIT_KEPT)
    page.route(re.compile(r".*/candidate/attempts/.*"), lambda route: route.abort())
    give_an_answer(page)
    status = page.get_by_role("status", name="Save status")
    expect(status).to_have_text("Offline — answers kept on this device, 1 waiting")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 2 of 9")).to_be_visible()
    assert page.evaluate("navigator.onLine") is True

    page.unroute(re.compile(r".*/candidate/attempts/.*"))
    expect(status).to_have_text("Saved", timeout=10_000)  # the queue replays on its own
    assert str(first_slot) in _attempt_as_candidate(live_server, "candidate2@example.org", attempt_id)["responses"]
    page.get_by_role("button", name="Next").click()  # online again: the server's own page
    expect(page.get_by_role("heading", name="Question 3 of 9")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Question 3 of 9")).to_be_visible()


FREE = {
    "code": "SAFE-FREE",
    "title": "Workplace safety, free order",
    "time_limit_minutes": 20,
    "sections": [{"title": "Part A", "shuffle_items": False, "draw": [{"domain": "D1", "count": 3}]}],
}


def test_unsure_whether_the_server_is_there_the_page_asks_before_leaving(live_server: str, page: Page) -> None:
    """The live channel has not answered for a while (its read hangs): Next first asks the server (a HEAD of the
    live address), then loads the server's own next page. The stream is refused, so that the page polls."""
    page.route(re.compile(r".*/events$"), lambda route: route.abort())
    _start_own_sitting(page, live_server, FREE)
    page.wait_for_function(KIT_KEPT)
    asked: list[str] = []

    def hang_polls(route: Any) -> None:
        if route.request.method == "HEAD":
            asked.append(route.request.url)
            route.continue_()  # the question before leaving gets through; the polls never answer

    page.route(re.compile(r".*/live$"), hang_polls)
    page.wait_for_timeout(7_000)
    page.evaluate("window.loadedBefore = true")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    page.wait_for_load_state()
    assert page.evaluate("window.loadedBefore === undefined")  # a real page load, not the prefetched item
    assert len(asked) == 1 and asked[0].endswith("/live")
    page.unroute(re.compile(r".*/live$"))
    page.unroute(re.compile(r".*/events$"))


HUNG = {**FREE, "code": "SAFE-HUNG", "title": "Workplace safety, lost saves"}


def test_a_save_the_network_swallows_does_not_hold_the_queue(live_server: str, page: Page) -> None:
    """A save that never gets an answer (nor an error) counts as failed after a while; the queue replays later."""
    attempt_id, slot = _start_own_sitting(page, live_server, HUNG)
    page.route(re.compile(r".*/save$"), lambda route: None)  # held: neither answered nor refused
    give_an_answer(page)
    status = page.get_by_role("status", name="Save status")
    expect(status).to_have_text("Offline — answers kept on this device, 1 waiting", timeout=30_000)
    page.unroute(re.compile(r".*/save$"))
    expect(status).to_have_text("Saved", timeout=15_000)
    assert str(slot) in _attempt_as_candidate(live_server, "candidate3@example.org", attempt_id)["responses"]


SLOW = {**FREE, "code": "SAFE-SLOW", "title": "Workplace safety on a slow connection"}


def test_an_answer_given_before_the_page_scripts_ran_is_saved_once_they_run(live_server: str, page: Page) -> None:
    """A slow connection or a quick hand: the answer is given while the autosave script is still on its way (held
    here), so its change event finds nobody listening. Once the script runs, the answer is saved all the same."""
    held: list[Route] = []
    released: list[bool] = []

    def hold(route: Route) -> None:
        if released:  # the reload below fetches it again
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/exam/queue\.js$"), hold)
    attempt_id, slot = _start_own_sitting(page, live_server, SLOW)
    give_an_answer(page)
    expect(page.locator("#save-status")).to_have_text("")
    assert held, "the page asked for the autosave script"
    released.append(True)
    for route in held:
        route.continue_()
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert str(slot) in _attempt_as_candidate(live_server, "candidate3@example.org", attempt_id)["responses"]
    page.reload()
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_role("link", name=f"Question {slot}, answered")).to_be_visible()


EVERY_KIND = {
    "code": "SAFE-ALL",
    "title": "Workplace safety, every kind of question",
    "time_limit_minutes": 30,
    "sections": [
        {
            "title": "Part A",
            "shuffle_items": False,
            "draw": [{"domain": "D1", "count": 3}, {"domain": "D2", "count": 4}, {"domain": "D3", "count": 4}],
        }
    ],
}


def test_a_question_left_untouched_sends_no_answer(live_server: str, page: Page) -> None:
    """Every kind of question in the demo bank, opened and left alone once the page's scripts have run: nothing is
    sent. A list showing "(no answer)", a slider's middle or an empty number are what the server sent, not an answer
    (a check that compared each field with its HTML default once saved such pages on load)."""
    attempt_id, _ = _start_own_sitting(page, live_server, EVERY_KIND)
    heading = page.get_by_role("heading", level=1).inner_text()
    first = re.fullmatch(r"Question 1 of (\d+)", heading)
    assert first, heading
    total = int(first.group(1))
    for slot in range(1, total + 1):
        page.goto(f"{live_server}/candidate/attempts/{attempt_id}/items/{slot}")
        page.wait_for_function("() => Boolean(window.examPage && window.examPage.queue)")  # autosave has started
        page.wait_for_timeout(300)
        expect(page.get_by_role("status", name="Save status")).to_have_text("")
    assert _attempt_as_candidate(live_server, "candidate3@example.org", attempt_id)["responses"] == {}


SHORT = {
    "code": "SAFE-SHORT",
    "title": "Workplace safety, closing soon",
    "time_limit_minutes": 20,
    "sections": [{"title": "Part A", "shuffle_items": False, "draw": [{"domain": "D1", "count": 2}]}],
}


def _sitting_closing_soon(base: str, email: str, closes_in: timedelta) -> None:
    with httpx2.Client(base_url=base) as api:
        token = api.post("/api/v1/auth/token", json={"email": "admin@example.org", "password": "examengine-demo"})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        candidate = next(u for u in api.get("/api/v1/users").json()["items"] if u["email"] == email)
        exam_id = api.post("/api/v1/exams", json=SHORT).json()["exam_id"]
        assert api.post(f"/api/v1/exams/{exam_id}/publish").status_code == 200
        now = datetime.now(UTC)
        created = api.post(
            "/api/v1/sittings",
            json={
                "exam_id": exam_id,
                "title": SHORT["title"],
                "opens_at": (now - timedelta(minutes=1)).isoformat(),
                "closes_at": (now + closes_in).isoformat(),
                "candidates": [{"user_id": candidate["id"]}],
            },
        )
        assert created.status_code == 201, created.text


def test_an_answer_that_reaches_the_server_after_the_end_is_refused_and_said_so(live_server: str, page: Page) -> None:
    """The server is the only judge of time: the device's clock runs out offline, the queued answer is refused."""
    _sitting_closing_soon(live_server, "candidate3@example.org", timedelta(seconds=25))
    sign_in(page, live_server, "candidate3@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    sitting = page.get_by_role("region", name=re.compile("closing soon"))
    sitting.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    sitting.get_by_role("button", name="Start exam").click()
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    attempt_id, slot = _where(page)

    page.context.set_offline(True)
    give_an_answer(page)
    status = page.get_by_role("status", name="Save status")
    expect(status).to_have_text("Offline — answers kept on this device, 1 waiting")
    expect(page.get_by_role("timer")).to_contain_text("0:00:00", timeout=40_000)
    expect(page.get_by_text("Time is up on this device's clock")).to_be_visible()
    page.wait_for_timeout(2_000)  # the server's end has passed too
    assert page.url.endswith(f"/items/{slot}")  # no reload into the browser's error page while offline

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text(
        "Not saved: the exam had already ended when this answer reached the server", timeout=15_000
    )
    page.wait_for_url(re.compile(r"/done$"), timeout=30_000)
    assert str(slot) not in _attempt_as_candidate(live_server, "candidate3@example.org", attempt_id)["responses"]


LINEAR = {
    "code": "SAFE-LIN-OFF",
    "title": "Workplace safety, forward only, offline",
    "time_limit_minutes": 20,
    "navigation": {"mode": "linear", "allow_review": False, "allow_flagging": False},
    "sections": [{"title": "Part A", "shuffle_items": False, "draw": [{"domain": "D1", "count": 3}]}],
}


def test_a_forward_only_exam_offline_keeps_the_answer_and_waits_for_the_network(live_server: str, page: Page) -> None:
    attempt_id, slot = _start_own_sitting(page, live_server, LINEAR)

    page.context.set_offline(True)
    give_an_answer(page)
    status = page.get_by_role("status", name="Save status")
    expect(status).to_have_text("Offline — answers kept on this device, 1 waiting")
    page.get_by_role("button", name="Next").click()
    expect(status).to_contain_text("the next question needs the network")
    expect(page.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
    assert _where(page) == (attempt_id, slot)

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text("Saved")
    assert str(slot) in _attempt_as_candidate(live_server, "candidate3@example.org", attempt_id)["responses"]
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
