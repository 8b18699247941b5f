"""Steps several browser tests take the same way: a second browser (another device or another person) and the
proctor's way to the demo sitting's dashboard."""

from __future__ import annotations

from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import start_demo_exam

PATIENT_MS = 10_000  # a second browser's default wait: it shares the machine with the server and the test's page


def another_browser(browser: Browser) -> Page:
    """A page in a browser context of its own: its own cookies, so another device or another person."""
    page = browser.new_context().new_page()
    page.set_default_timeout(PATIENT_MS)
    return page


def candidate_in_the_demo_exam(browser: Browser, base: str, email: str) -> Page:
    """A candidate in a browser of their own who has started the demo exam and sees its first question."""
    candidate = another_browser(browser)
    start_demo_exam(candidate, base, email)
    return candidate


def open_the_demo_dashboard(page: Page, base: str, email: str = "proctor@example.org") -> None:
    """Sign in as the proctor and open the demo sitting's live dashboard through the menu."""
    sign_in(page, base, email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Proctoring").click()
    page.get_by_role("link", name="SAFE-101 demo sitting").click()


def leave_the_ended_exam_page(candidate: Page, url: str) -> None:
    """Go to `url` from an exam page whose exam was just ended elsewhere (a proctor terminated it): the page's live
    channel may be taking it to the result page at that moment, which interrupts this navigation; then go again."""
    try:
        candidate.goto(url)
    except PlaywrightError:
        candidate.wait_for_load_state()
        candidate.goto(url)


def open_the_result_page(candidate: Page, base: str, attempt_id: str) -> None:
    """The candidate's result page, from their exam page still open while the exam ended elsewhere (an API submit,
    a proctor): that page's live channel may take it there first, which aborts this navigation (ERR_ABORTED)."""
    done = f"{base}/candidate/attempts/{attempt_id}/done"
    try:
        candidate.goto(done)
    except PlaywrightError:
        candidate.wait_for_url(done)
