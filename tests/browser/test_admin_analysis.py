"""Psychometrics in Chromium: the demo candidates sit SAFE-101 through the API, the admin reads the item analysis
(charts found by their accessible names, flagged items), and a judge rates in an Angoff round whose recommended
cut the admin then sees."""

from __future__ import annotations

import re
from typing import Any

import httpx2
from playwright.sync_api import Page, expect

from examengine.demo import DEMO_PASSWORD
from tests.browser.test_admin_users import sign_in


def _sitting_id(page: Page, base: str) -> str:
    sign_in(page, base, "admin@example.org")
    page.goto(f"{base}/proctor")
    page.get_by_role("link", name="SAFE-101 demo sitting").click()
    return page.url.rstrip("/").rsplit("/", 1)[1]


def _sit(base: str, sitting_id: str, email: str, choice: int) -> None:
    """Start, answer every choice item with its `choice`-th option (when it has one), and submit."""
    with httpx2.Client(base_url=base, timeout=10) as client:
        token = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        started = client.post(f"/api/v1/sittings/{sitting_id}/attempts")
        assert started.status_code in (200, 201), started.text
        attempt: dict[str, Any] = started.json()
        for section in attempt["sections"]:
            for slot in section["slots"]:
                item = client.get(f"/api/v1/attempts/{attempt['attempt_id']}/items/{slot['slot']}").json()["item"]
                interactions = item["interactions"]
                if len(interactions) != 1 or interactions[0]["kind"] != "choice":
                    continue
                options = [o["identifier"] for o in interactions[0]["options"]]
                chosen = options[min(choice, len(options) - 1)]
                value = [chosen] if interactions[0]["cardinality"] == "multiple" else chosen
                saved = client.put(
                    f"/api/v1/attempts/{attempt['attempt_id']}/responses/{slot['slot']}",
                    json={"response": value, "seq": 1},
                )
                assert saved.status_code == 200, saved.text
        submitted = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit")
        assert submitted.status_code == 200, submitted.text


def test_the_admin_reads_the_item_analysis_and_a_judge_rates_an_angoff_round(live_server: str, page: Page) -> None:
    sitting_id = _sitting_id(page, live_server)
    for number, choice in ((1, 0), (2, 1), (3, 2)):
        _sit(live_server, sitting_id, f"candidate{number}@example.org", choice)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exams").click()
    page.get_by_role("link", name="SAFE-101").click()
    page.get_by_role("link", name="Item analysis").click()
    expect(page.get_by_role("heading", name="Item analysis: SAFE-101 version 1")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"Score distribution of \d+ attempts"))).to_be_visible()
    expect(page.get_by_role("img", name="Item difficulty and discrimination")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Option curves for item ITM-"))).to_be_visible()
    items = page.get_by_role("table", name=re.compile("Item statistics"))
    expect(items.locator("tr.flagged").first).to_be_visible()
    expect(items.locator("ul.flags li").first).to_contain_text(re.compile(r"\w"))
    page.get_by_role("button", name="Save statistics to the item bank").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the statistics of")

    page.get_by_role("link", name="SAFE-101").click()
    page.get_by_role("main").get_by_role("link", name="Standard setting").click()
    page.get_by_label("Title").fill("Angoff panel")
    page.get_by_role("button", name="Create the study").click()
    page.get_by_label("Judge's email").fill("author@example.org")
    page.get_by_role("button", name="Add judge").click()
    expect(page.get_by_role("listitem").filter(has_text="author@example.org")).to_be_visible()
    page.get_by_role("button", name="Open round 1").click()
    study_url = page.url

    judge = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    sign_in(judge, live_server, "author@example.org")
    judge.get_by_role("navigation", name="Main").get_by_role("link", name="Standard setting").click()
    judge.get_by_role("link", name="Angoff panel").click()
    fields = judge.get_by_role("textbox")
    count = fields.count()
    assert count > 0
    for index in range(count):
        fields.nth(index).fill("50")
    judge.get_by_role("button", name="Save my ratings").click()
    expect(judge.get_by_role("status")).to_have_text(f"Saved {count} rating(s).")
    judge.context.close()

    page.goto(study_url)
    page.get_by_role("button", name="Close round 1").click()
    expect(page.get_by_role("status")).to_contain_text(f"Recommended raw cut: {count * 0.5:.2f}")
