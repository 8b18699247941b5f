"""An author writes items in the structured editor in Chromium: a single-choice item with a rich-text question and
the key marked by clicking the preview, an ordering item, a matching item with JavaScript off; axe finds nothing."""

from __future__ import annotations

from playwright.sync_api import Browser, ConsoleMessage, Error, FilePayload, Page, expect

from tests.browser.axe import axe_violations
from tests.browser.test_admin_users import sign_in


def watch_errors(page: Page) -> list[str]:
    """Every script error and console error the page has from now on (a CSP refusal is a console error)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}") if isinstance(error, Error) else None)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"console: {message.text} at {message.location}")

    page.on("console", on_console)
    return errors


def test_author_writes_a_single_choice_item_and_marks_the_key_in_the_preview(live_server: str, page: Page) -> None:
    errors = watch_errors(page)
    sign_in(page, live_server, "author@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Item bank").click()
    page.get_by_role("link", name="New item").click()
    page.get_by_role("link", name="Single choice").click()
    expect(page.get_by_role("heading", name="New item: Single choice")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Short name (for authors)").fill("Breathing")
    question = page.get_by_role("textbox", name="Question")
    question.click()
    page.keyboard.type("Which gas ")
    bold = page.get_by_role("toolbar", name="Formatting of Question").get_by_role("button", name="Bold")
    bold.click()
    page.keyboard.type("must")
    bold.click()
    page.keyboard.type(" we breathe in?")
    for option, text in zip("ABC", ("Nitrogen", "Oxygen", "Helium"), strict=True):
        page.get_by_role("group", name=f"Option {option}").get_by_label("Text").fill(text)
    page.get_by_role("group", name="Option B").get_by_label("Feedback for a candidate who chooses it").fill("Yes.")

    preview = page.locator("#editor-preview")
    expect(preview.locator("strong", has_text="must")).to_be_visible()  # htmx refreshed it from the form
    preview.get_by_text("Oxygen").click()
    expect(page.get_by_role("status").filter(has_text="Choice B")).to_have_text(
        "Choice B is now marked as the correct answer."
    )
    expect(page.get_by_role("group", name="Option B").get_by_label("Correct answer")).to_be_checked()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Create item").click()
    expect(page.get_by_text("Version 1 of 1")).to_be_visible()
    expect(page.locator(".item-preview strong", has_text="must")).to_be_visible()

    page.get_by_role("link", name="Edit in the form").click()
    expect(page.get_by_role("group", name="Option B").get_by_label("Correct answer")).to_be_checked()
    assert axe_violations(page) == []
    page.get_by_label("Short name (for authors)").fill("Breathing in")
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_text("Version 2 of 2 — draft")).to_be_visible()
    expect(page.get_by_role("heading", name="Breathing in")).to_be_visible()
    assert errors == []


def test_author_writes_an_ordering_item_without_script_errors(live_server: str, page: Page) -> None:
    errors = watch_errors(page)
    sign_in(page, live_server, "author@example.org")
    page.goto(f"{live_server}/author/items/new?kind=ordering")
    page.get_by_role("textbox", name="Question").click()
    page.keyboard.type("Put the steps of lighting a bunsen burner in order.")
    steps = ("Close the air hole", "Light the match", "Turn on the gas")
    for number, text in enumerate(steps, 1):
        page.get_by_role("group", name=f"Step {number}").get_by_label("Text").fill(text)
    # the match goes first: positions say so without dragging anything
    page.get_by_role("group", name="Step 2").get_by_label("Position").fill("0")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("group", name="Step 1").get_by_label("Text")).to_have_value("Light the match")
    expect(page.locator("#editor-preview")).to_contain_text("Turn on the gas")
    page.get_by_role("button", name="Create item").click()
    expect(page.get_by_text("Version 1 of 1")).to_be_visible()
    assert errors == []


def test_a_matching_item_is_written_without_javascript(live_server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "author@example.org")
        page.goto(f"{live_server}/author/items/new?kind=matching")
        page.get_by_label("Question").fill("<p>Match each sign to its meaning.</p>")
        page.get_by_label("Item 1").fill("Red circle")
        page.get_by_label("Its match").first.fill("Prohibition")
        page.get_by_role("button", name="Create item").click()
        expect(page.get_by_role("alert").first).to_contain_text("Give at least two pairs.")
        expect(page.get_by_label("Item 1")).to_have_value("Red circle")  # what was typed is kept
        page.get_by_label("Item 2").fill("Blue circle")
        page.get_by_label("Its match").nth(1).fill("Mandatory action")
        page.get_by_role("button", name="Create item").click()
        expect(page.get_by_text("Version 1 of 1")).to_be_visible()
        expect(page.locator(".item-preview")).to_contain_text("Mandatory action")
    finally:
        context.close()


def test_an_image_from_the_library_keeps_its_description_through_the_rich_text_editor(
    live_server: str, page: Page
) -> None:
    from tests.web.test_author_items import PNG_1x1

    errors = watch_errors(page)
    sign_in(page, live_server, "author@example.org")
    page.goto(f"{live_server}/author/media")
    page.get_by_label("Image file").set_input_files(
        files=[FilePayload(name="exit-sign.png", mimeType="image/png", buffer=PNG_1x1)]
    )
    page.get_by_role("button", name="Upload image").click()
    page.goto(f"{live_server}/author/items/new?kind=true_false")
    page.get_by_role("textbox", name="Question").click()
    page.keyboard.type("This sign marks a fire exit.")
    page.get_by_label("Image from the library").select_option(label="exit-sign.png")
    page.get_by_label("What the image shows").fill("A green running figure")
    page.get_by_role("button", name="Add the image to the question").click()
    preview = page.locator("#editor-preview")
    expect(preview.get_by_role("img", name="A green running figure")).to_be_visible()
    preview.get_by_role("radio", name="False").check()
    expect(page.get_by_role("group", name="The statement is").get_by_label("False")).to_be_checked()
    page.get_by_role("button", name="Create item").click()
    expect(page.get_by_text("Version 1 of 1")).to_be_visible()
    page.get_by_role("link", name="Edit in the form").click()  # the stored image goes back into the editor
    page.get_by_label("Short name (for authors)").fill("Exit sign")
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.locator(".item-preview").get_by_role("img", name="A green running figure")).to_be_visible()
    assert errors == []
