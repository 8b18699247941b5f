"""A candidate sits the demo exam end to end in Chromium: answers, reloads mid-way, goes offline and back,
flags, reviews, submits. Then the clock: a skewed client clock changes nothing the server decides."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in

# The done page: "Your result" once released, else that it was received (the demo's essay may await marking).
FINISHED = re.compile(r"^(Your result|Your exam was submitted)$")


def start_demo_exam(page: Page, base: str, email: str) -> None:
    sign_in(page, base, email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    page.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    page.get_by_role("button", name="Start exam").click()
    expect(page.get_by_role("heading", name=re.compile(r"Question 1 of 9"))).to_be_visible()


def answer_current_question(page: Page) -> None:
    """Give some answer to whatever kind of question is shown, and wait until it is saved."""
    give_an_answer(page)
    expect(page.locator("#save-status")).to_have_text("Saved")


def give_an_answer(page: Page) -> None:
    """Answer whatever kind of question is shown (the first option, a choice in every list, or some text)."""
    form = page.locator("#item-form")
    radios = form.get_by_role("radio")
    checkboxes = form.get_by_role("checkbox")
    selects = form.get_by_role("combobox")
    texts = form.get_by_role("textbox")
    if radios.count():
        radios.first.check()
    elif checkboxes.count():
        checkboxes.first.check()
    elif selects.count():
        for index in range(selects.count()):
            options = selects.nth(index).locator("option")
            selects.nth(index).select_option(index=min(1, options.count() - 1))
    elif texts.count():
        texts.first.fill("42")
        texts.first.press("Tab")


def test_candidate_sits_the_demo_exam_end_to_end(live_server: str, page: Page) -> None:
    start_demo_exam(page, live_server, "candidate1@example.org")
    timer = page.get_by_role("timer")
    expect(timer).to_contain_text(re.compile(r"Time left: 0:(29|30):\d\d"))

    answer_current_question(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 2 of 9")).to_be_visible()
    answer_current_question(page)
    page.get_by_role("button", name="Flag for review").click()
    expect(page.get_by_role("button", name="Flag for review")).to_have_attribute("aria-pressed", "true")

    page.reload()  # answers, flags and time survive a reload
    expect(page.get_by_role("heading", name="Question 2 of 9")).to_be_visible()
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_role("link", name="Question 2, answered, flagged")).to_be_visible()
    expect(navigator.get_by_role("link", name="Question 1, answered")).to_be_visible()

    navigator.get_by_role("link", name="Question 3, not answered").click()
    expect(page.get_by_role("heading", name="Question 3 of 9")).to_be_visible()
    page.context.set_offline(True)  # the network is cut: the answer is kept on the device
    give_an_answer(page)
    expect(page.locator("#save-status")).to_have_text(re.compile(r"Offline — answers kept on this device, 1 waiting"))
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.reload()
    expect(navigator.get_by_role("link", name="Question 3, answered")).to_be_visible()

    page.get_by_role("button", name="Review answers").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    expect(page.get_by_text("You answered 3 of 9 questions.")).to_be_visible()
    page.get_by_role("checkbox", name=re.compile("I want to submit my exam with 6 unanswered")).check()
    page.get_by_role("button", name="Submit exam").click()
    expect(page.get_by_role("heading", name=FINISHED)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You answered 3 of 9 questions.")


def test_a_skewed_client_clock_changes_nothing(live_server: str, page: Page) -> None:
    page.add_init_script(
        "(() => { const shift = 3600 * 1000; const RealDate = Date;"
        " class Skewed extends RealDate { constructor(...a) { super(...(a.length ? a : [RealDate.now() + shift])); } }"
        " Skewed.now = () => RealDate.now() + shift; window.Date = Skewed; })()"
    )
    start_demo_exam(page, live_server, "candidate2@example.org")
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"Time left: 0:(29|30):\d\d"))
    answer_current_question(page)
    page.reload()
    expect(
        page.get_by_role("navigation", name="Questions").get_by_role("link", name="Question 1, answered")
    ).to_be_visible()


def test_accommodated_time_and_keyboard_only_use(live_server: str, page: Page) -> None:
    start_demo_exam(page, live_server, "candidate3@example.org")
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"Time left: 0:3[67]:\d\d"))  # 30 min x 1.25
    # the first control a candidate can reach (the form's first input is its hidden CSRF field)
    first = page.locator("#item-form").locator("input:not([type=hidden]), select, textarea").first
    first.focus()
    kind = first.evaluate("control => control.tagName === 'INPUT' ? control.type : control.tagName.toLowerCase()")
    if kind in ("radio", "checkbox"):
        page.keyboard.press("Space")
    elif kind == "select":
        page.keyboard.press("ArrowDown")
    else:  # a text or number box
        page.keyboard.type("7")
    expect(page.locator("#save-status")).to_have_text("Saved")
