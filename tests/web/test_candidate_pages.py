"""The candidate's way through as plain forms (no JavaScript): my exams, check-in, answer, flag, review, submit."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from tests.api.test_delivery_api import sitting  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, first_choice, log_in, start_on_page


def test_sit_an_exam_without_javascript(app_client: TestClient, sitting: dict[str, Any]) -> None:  # noqa: F811
    client = TestClient(app_client.app)
    log_in(client, "cara@example.org", TEST_PASSWORD)
    home = client.get("/candidate")
    assert "Start exam" in home.text and "I accept the rules" in home.text
    path = f"/candidate/sittings/{sitting['sitting_id']}/start"
    refused = client.post(path, data={"csrf_token": csrf_from(home)}, follow_redirects=False)
    assert refused.status_code == 422 and "Accept the rules" in refused.text
    started = client.post(path, data={"csrf_token": csrf_from(home), "agree": "yes"}, follow_redirects=False)
    attempt_url = started.headers["location"]
    first = client.get(attempt_url, follow_redirects=False)
    assert first.headers["location"].endswith("/items/1")
    page = client.get(first.headers["location"])
    assert 'role="timer"' in page.text and "Question 1 of 4" in page.text
    assert "no-store" in page.headers["cache-control"]
    # the locked-down layout: no site navigation, and Sign out is a link to a page that asks first
    assert 'aria-label="Main"' not in page.text and 'href="/candidate/certificates"' not in page.text
    assert f'href="{attempt_url}/sign-out">Sign out</a>' in page.text and 'action="/logout"' not in page.text
    asks = client.get(attempt_url + "/sign-out")
    assert asks.status_code == 200 and "its clock keeps going" in asks.text and 'action="/logout"' in asks.text
    assert f'href="{attempt_url}">Back to my exam</a>' in asks.text
    for name in ("Next", "Flag for review", "Review answers"):
        assert f">{name}</button>" in page.text
    radio_name = re.search(r'name="(r\.[A-Z_]+)"', page.text).group(1)  # type: ignore[union-attr]
    # the attempt's own option identifiers, never the authored A and B
    chosen, other = re.findall(r'type="radio" [^>]*value="([^"]+)"', page.text)[:2]
    assert {chosen, other}.isdisjoint({"A", "B"})
    item_url = first.headers["location"]
    saved = client.post(
        item_url, data={"csrf_token": csrf_from(page), radio_name: chosen, "action": "goto:2"}, follow_redirects=False
    )
    assert saved.headers["location"].endswith("/items/2")
    again = client.get(item_url)
    assert f'value="{chosen}" checked' in again.text and f'value="{other}" checked' not in again.text
    # the item's markup is kept per answer: a changed answer shows at once, and the first one again after it
    for answer, not_answer in ((other, chosen), (chosen, other)):
        client.post(item_url, data={"csrf_token": csrf_from(again), radio_name: answer, "action": "goto:2"})
        again = client.get(item_url)
        assert f'value="{answer}" checked' in again.text and f'value="{not_answer}" checked' not in again.text
    flagged = client.post(
        item_url, data={"csrf_token": csrf_from(again), radio_name: chosen, "action": "flag"}, follow_redirects=False
    )
    assert flagged.status_code == 303
    review = client.get(attempt_url + "/review")
    assert "You answered 1 of 4 questions." in review.text and "You have 3 unanswered questions." in review.text
    assert "Flagged for review" in review.text
    not_confirmed = client.post(attempt_url + "/submit", data={"csrf_token": csrf_from(review)}, follow_redirects=False)
    assert not_confirmed.headers["location"].endswith("/review")
    submitted = client.post(
        attempt_url + "/submit", data={"csrf_token": csrf_from(review), "confirm": "yes"}, follow_redirects=True
    )
    assert "<h1>Your result</h1>" in submitted.text and "You answered 1 of 4 questions." in submitted.text
    assert client.get(attempt_url + "/sign-out", follow_redirects=False).headers["location"].endswith("/done")
    late = client.post(
        item_url, data={"csrf_token": csrf_from(review), radio_name: other, "action": "stay"}, follow_redirects=False
    )
    assert late.headers["location"].endswith("/done")
    after = client.get("/candidate")
    assert "You may retake from" in after.text and "Start exam" not in after.text  # the rule start enforces


def test_another_candidate_cannot_open_the_attempt(app_client: TestClient, sitting: dict[str, Any]) -> None:  # noqa: F811
    cara = TestClient(app_client.app)
    log_in(cara, "cara@example.org", TEST_PASSWORD)
    home = cara.get("/candidate")
    started = cara.post(
        f"/candidate/sittings/{sitting['sitting_id']}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=False,
    )
    carl = TestClient(app_client.app)
    log_in(carl, "carl@example.org", TEST_PASSWORD)
    assert carl.get(started.headers["location"] + "/items/1").status_code == 404
    assert carl.get(started.headers["location"] + "/review").status_code == 404
    assert carl.get(started.headers["location"] + "/sign-out").status_code == 404


def test_a_second_tab_of_the_same_session_is_not_a_second_device(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    """Tabs share the session cookie, so they share the device lock (tests/delivery/test_device_lock.py has the
    second device)."""
    cara = TestClient(app_client.app)
    log_in(cara, "cara@example.org", TEST_PASSWORD)
    attempt_url = start_on_page(cara, sitting["sitting_id"])
    page = cara.get(attempt_url + "/items/1")
    name, shown = first_choice(page)

    def autosave(seq: int, tab: str) -> int:
        response = cara.post(
            attempt_url + "/items/1/save",
            data={name: shown},
            headers={"X-CSRF-Token": csrf_from(page), "X-Seq": str(seq), "X-Client-Id": tab},
        )
        return int(response.json()["saved_seq"])

    assert autosave(1, "tab-one") == 1
    assert autosave(2, "tab-one") == 2
    assert autosave(3, "tab-two") == 3
    assert cara.get(attempt_url + "/items/1").status_code == 200  # a reload
    attempt_id = attempt_url.rsplit("/", 1)[-1]
    events = app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=sitting["headers"]["proctor"]).json()
    assert [e["type"] for e in events["events"]].count("second_device") == 0
    assert [e["type"] for e in events["events"]].count("device_bound") == 1
    rows = app_client.get(f"/api/v1/sittings/{sitting['sitting_id']}/attempts", headers=sitting["headers"]["proctor"])
    row = next(r for r in rows.json()["items"] if r["attempt_id"] == attempt_id)
    assert "second_device" not in row["incidents"]
