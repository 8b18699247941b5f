"""Every page a candidate meets, and the sign-in, proctor and admin pages, stay at zero axe-core WCAG 2.1 A/AA
violations (issue 17), checked in Chromium on the page as the candidate has it: each kind of question (answered,
flagged, offline, with the essay's word count, in a timed section), the review, sign-out warning, paused, waiting room,
device-locked, result and certificate pages; each as shown and 320 px wide (tests/browser/axe.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx2
import yaml
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import AxeAudit
from tests.browser.steps import candidate_in_the_demo_exam
from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import FINISHED, give_an_answer, start_demo_exam
from tests.browser.test_candidate_sections import SECTIONED
from tests.browser.test_certificates import DEMO_PASSWORD, api_headers, approved_item, fire_exit_item
from tests.conftest import REPO_ROOT

# the title of one demo item of each kind (examengine/demo_items.yaml): the exam below holds one question of each
DEMO_ITEMS = yaml.safe_load((REPO_ROOT / "examengine" / "demo_items.yaml").read_text())["items"]
ONE_OF_EACH_KIND = {item["kind"]: item["title"] for item in reversed(DEMO_ITEMS)}
EVERY_KIND = tuple(sorted(ONE_OF_EACH_KIND))


def new_candidate(base: str, email: str) -> str:
    admin = api_headers(base, "admin@example.org")
    body = {"email": email, "name": email.split("@")[0].title(), "password": DEMO_PASSWORD, "roles": ["candidate"]}
    created = httpx2.post(f"{base}/api/v1/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    user_id: str = created.json()["id"]
    return user_id


def publish_with_sitting(
    base: str,
    exam: dict[str, object],
    candidate_id: str,
    *,
    admission: bool = False,
    opens_in: timedelta = timedelta(minutes=-5),
) -> str:
    admin = api_headers(base, "admin@example.org")
    created = httpx2.post(f"{base}/api/v1/exams", json=exam, headers=admin)
    assert created.status_code == 201, created.text
    exam_id = created.json()["exam_id"]
    published = httpx2.post(f"{base}/api/v1/exams/{exam_id}/publish", headers=admin)
    assert published.status_code == 200, published.text
    now = datetime.now(UTC)
    sitting = {
        "exam_id": exam_id,
        "title": f"{exam['title']} sitting",
        "opens_at": (now + opens_in).isoformat(),
        "closes_at": (now + timedelta(hours=2)).isoformat(),
        "candidates": [{"user_id": candidate_id}],
        "requires_admission": admission,
    }
    made = httpx2.post(f"{base}/api/v1/sittings", json=sitting, headers=admin)
    assert made.status_code == 201, made.text
    sitting_id: str = made.json()["sitting_id"]
    return sitting_id


def every_kind_exam(base: str) -> dict[str, object]:
    author = api_headers(base, "author@example.org")
    found = httpx2.get(f"{base}/api/v1/items", params={"status": "approved"}, headers=author).json()["items"]
    by_title = {item["title"]: item for item in found}
    chosen = [by_title[ONE_OF_EACH_KIND[kind]] for kind in EVERY_KIND]
    items = [{"item_id": item["item_id"], "version": item["latest_version"]} for item in chosen]
    return {
        "code": "AXE-ALL",
        "title": "Every kind of question",
        "time_limit_minutes": 30,
        "assembly": "fixed",
        "sections": [{"title": "Part A", "shuffle_items": False, "items": items}],
        "cut_score": {"type": "percent", "value": 50},
    }


def start(page: Page, title: str) -> None:
    """From a signed-in candidate's page: check in to the sitting of the exam called `title` and start it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    sitting = page.get_by_role("region", name=re.compile(title))
    sitting.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    sitting.get_by_role("button", name="Start exam").click()


def proctor_action(base: str, attempt_id: str, action: str, body: dict[str, object]) -> None:
    done = httpx2.post(
        f"{base}/api/v1/attempts/{attempt_id}/{action}", json=body, headers=api_headers(base, "admin@example.org")
    )
    assert done.status_code == 200, done.text


def test_every_page_of_an_exam_has_no_wcag_violations(live_server: str, page: Page) -> None:
    audit = AxeAudit()
    page.goto(f"{live_server}/login")
    audit.check(page, "the sign-in page")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check(page, "the sign-in page with its error")

    candidate = new_candidate(live_server, "axe.every@example.org")
    publish_with_sitting(live_server, every_kind_exam(live_server), candidate)
    sign_in(page, live_server, "axe.every@example.org")
    audit.check(page, "the candidate's home page")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    audit.check(page, "My exams before starting")
    start(page, "Every kind of question")
    total = len(EVERY_KIND)
    for position in range(1, total + 1):
        expect(page.get_by_role("heading", name=f"Question {position} of {total}")).to_be_visible()
        audit.check(page, f"question {position} ({EVERY_KIND[position - 1]}) unanswered")
        give_an_answer(page)
        expect(page.get_by_role("status", name="Save status")).to_have_text("Saved")
        if position == 1:
            page.get_by_role("button", name="Flag for review").click()
            expect(page.get_by_role("button", name="Flag for review")).to_have_attribute("aria-pressed", "true")
            audit.check(page, f"question 1 ({EVERY_KIND[0]}) answered and flagged")
        if EVERY_KIND[position - 1] == "true_false":  # the network drops: the changed answer waits on the device
            page.context.set_offline(True)
            page.locator("#item-form").get_by_role("radio").last.check()
            expect(page.get_by_role("status", name="Save status")).to_contain_text(re.compile("offline", re.I))
            audit.check(page, "a question answered offline")
            page.context.set_offline(False)
            page.evaluate("window.dispatchEvent(new Event('online'))")
            expect(page.get_by_role("status", name="Save status")).to_have_text("Saved")
        if position < total:
            page.get_by_role("button", name="Next").click()
    attempt_url = page.url.split("/items/")[0]
    attempt_id = attempt_url.rsplit("/", 1)[1]

    page.get_by_role("button", name="Review answers").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    audit.check(page, "the review page")
    page.goto(f"{attempt_url}/sign-out")
    expect(page.get_by_role("heading", name="Sign out during your exam?")).to_be_visible()
    audit.check(page, "the sign-out warning")

    page.goto(f"{attempt_url}/items/2")
    proctor_action(live_server, attempt_id, "pause", {"reason": "Fire alarm"})
    expect(page.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor", timeout=5_000)
    audit.check(page, "a question paused while open")
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor")
    audit.check(page, "the paused page")
    proctor_action(live_server, attempt_id, "resume", {})
    expect(page.get_by_role("button", name="Next")).to_be_enabled(timeout=5_000)
    expect(page.locator("#item-body")).to_be_visible()
    audit.check(page, "a question after resume")

    page.goto(f"{attempt_url}/review")
    page.get_by_role("checkbox", name=re.compile("I want to submit my exam")).check()
    page.get_by_role("button", name="Submit exam").click()
    expect(page.get_by_role("heading", name=FINISHED)).to_be_visible()
    audit.check(page, "the done page of a submitted exam")
    page.goto(f"{live_server}/candidate")
    audit.check(page, "My exams after submitting")
    audit.assert_clean()


CERT_ITEM = fire_exit_item("AXE-CERT-Q1")


def test_the_result_certificate_waiting_room_and_locked_pages_have_no_wcag_violations(
    live_server: str, browser: Browser, page: Page
) -> None:
    audit = AxeAudit()
    candidate = new_candidate(live_server, "axe.cert@example.org")
    item_id = approved_item(live_server, CERT_ITEM)
    exam = {
        "code": "AXE-CERT",
        "title": "Fire Safety Marshal",
        "time_limit_minutes": 10,
        "assembly": "fixed",
        "sections": [{"title": "Part A", "items": [{"item_id": item_id, "version": 1}]}],
        "cut_score": {"type": "percent", "value": 50},
        "scale": {"min": 200, "max": 800, "cut": 500},
        "result_release": "immediate",
    }
    publish_with_sitting(live_server, exam, candidate)
    sign_in(page, live_server, "axe.cert@example.org")
    start(page, "Fire Safety Marshal")
    page.get_by_role("radio", name="A green running figure").check()
    expect(page.get_by_role("status", name="Save status")).to_have_text("Saved")
    page.get_by_role("button", name="Review answers").click()
    page.get_by_role("checkbox", name="I want to submit my exam").check()
    page.get_by_role("button", name="Submit exam").click()
    expect(page.get_by_text("Pass", exact=True)).to_be_visible()
    audit.check(page, "the result page")
    page.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_role("heading", name="Certificate", exact=True)).to_be_visible()
    audit.check(page, "the certificate")
    code = page.locator(".certificate-code").inner_text().strip()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My certificates").click()
    audit.check(page, "My certificates")
    for name in ("Programs", "My applications", "Authorizations", "My accommodations", "My credentials", "My appeals"):
        page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()
        audit.check(page, f"the candidate's {name} page")

    anonymous = browser.new_context().new_page()
    anonymous.goto(f"{live_server}/verify")
    audit.check(anonymous, "the public verification form")
    anonymous.goto(f"{live_server}/registry")
    audit.check(anonymous, "the public registry")
    anonymous.goto(f"{live_server}/verify/{code}")
    expect(anonymous.get_by_role("heading", name="Valid certificate")).to_be_visible()
    audit.check(anonymous, "a verified certificate")
    anonymous.goto(f"{live_server}/verify/0000-0000-0000-0000")
    audit.check(anonymous, "an unknown certificate code")
    anonymous.context.close()

    sections = new_candidate(live_server, "axe.sections@example.org")
    publish_with_sitting(live_server, dict(SECTIONED, code="AXE-SEC"), sections)
    sectioned = browser.new_context().new_page()
    sign_in(sectioned, live_server, "axe.sections@example.org")
    start(sectioned, str(SECTIONED["title"]))
    expect(sectioned.get_by_role("timer")).to_contain_text("Time left in Part A")
    audit.check(sectioned, "a question of a timed section")
    sectioned.get_by_role("button", name="Review answers").click()
    expect(sectioned.get_by_role("button", name="Finish section")).to_be_visible()
    audit.check(sectioned, "the review page of a timed section")
    sectioned.context.close()

    waiting = new_candidate(live_server, "axe.wait@example.org")
    publish_with_sitting(live_server, dict(exam, code="AXE-WAIT", title="Admitted exam"), waiting, admission=True)
    waiting_page = browser.new_context().new_page()
    sign_in(waiting_page, live_server, "axe.wait@example.org")
    start(waiting_page, "Admitted exam")
    expect(waiting_page.get_by_role("heading", name="Waiting room")).to_be_visible()
    audit.check(waiting_page, "the waiting room")
    waiting_page.context.close()

    laptop = browser.new_context().new_page()
    start_demo_exam(laptop, live_server, "candidate1@example.org")
    phone = browser.new_context().new_page()
    sign_in(phone, live_server, "candidate1@example.org")
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    audit.check(phone, "My exams with an exam to resume")
    phone.get_by_role("link", name="Resume exam").click()
    expect(phone.get_by_role("heading", name="This exam is open on another device")).to_be_visible()
    audit.check(phone, "the device-locked page")
    phone.context.close()
    attempt_id = laptop.url.split("/attempts/")[1].split("/")[0]
    proctor_action(live_server, attempt_id, "terminate", {"reason": "Phone on the desk"})
    expect(laptop.get_by_role("heading", name="Your exam was ended by the proctor")).to_be_visible(timeout=5_000)
    audit.check(laptop, "the done page of a terminated exam")
    laptop.context.close()
    audit.assert_clean()


def test_the_proctor_and_admin_pages_have_no_wcag_violations(live_server: str, page: Page, browser: Browser) -> None:
    """Every page of the admin's and proctor's menus, and the pages of running the program (a sitting, the item
    editor, the organisation, the forgot-password page); a candidate of its own has started, so the test stands
    alone (it relied on an earlier test's attempt for the timeline)."""
    audit = AxeAudit()
    candidate = candidate_in_the_demo_exam(browser, live_server, "candidate3@example.org")
    sign_in(page, live_server, "proctor@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Proctoring").click()
    audit.check(page, "the proctor's sittings")
    page.get_by_role("link", name="SAFE-101 demo sitting").click()
    audit.check(page, "the proctor dashboard")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "admin@example.org")
    main_nav = page.get_by_role("navigation", name="Main")
    menu = ("Home", "Standard setting", "Proctoring", "Item bank", "Marking", "Exams", "Users", "Audit log")
    programs = ("Schemes", "Credentials", "Incidents", "Appeals", "Applications", "Accommodation requests")
    for name in (*menu, "Certificates", "Organisation", *programs, "Appeals to review"):
        main_nav.get_by_role("link", name=name, exact=True).click()
        audit.check(page, f"the admin's {name} page")
    main_nav.get_by_role("link", name="Proctoring").click()
    page.get_by_role("link", name="SAFE-101 demo sitting").click()
    page.get_by_role("link", name=re.compile("Timeline and actions")).first.click()
    audit.check(page, "a candidate's timeline")
    main_nav.get_by_role("link", name="Exams").click()
    page.get_by_role("link", name=re.compile("SAFE-101")).first.click()
    audit.check(page, "an exam's page")
    page.get_by_role("link", name=re.compile("SAFE-101 demo sitting")).first.click()
    audit.check(page, "a sitting's page")
    main_nav.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="New user").click()
    audit.check(page, "the new user form")
    page.get_by_role("button", name="Create user").click()
    audit.check(page, "the new user form with its errors")
    main_nav.get_by_role("link", name="Item bank").click()
    page.get_by_role("link", name="ITM-000001").click()
    audit.check(page, "an item's page")
    page.goto(f"{live_server}/author/items/new")
    audit.check(page, "the item editor's choice of kind")
    page.goto(f"{live_server}/account")
    audit.check(page, "the account page")
    page.goto(f"{live_server}/no-such-page")
    audit.check(page, "the not-found page")
    page.goto(f"{live_server}/account")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server}/forgot-password")
    audit.check(page, "the forgot-password page")
    candidate.context.close()
    audit.assert_clean()
