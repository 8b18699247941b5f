"""The device lock over HTTP: a second sign-in is refused on every candidate route that reads or changes the attempt,
bearer tokens keep the API contract, and the proctor's unlock-device moves the attempt (only theirs to move)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine.db import Database
from examengine.ids import token_digest
from examengine.web.auth import DEVICE_COOKIE
from tests.api.test_delivery_api import sitting  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.delivery.test_parallel_starts import in_parallel
from tests.shown import as_shown
from tests.web.browsing import csrf_from, log_in

LOCKED = "This exam is open on another device. Ask your proctor to move it to this device."


def signed_in(app_client: TestClient, email: str) -> TestClient:
    client = TestClient(app_client.app)
    log_in(client, email, TEST_PASSWORD)
    return client


def open_on_laptop(app_client: TestClient, s: dict[str, Any], db: Database) -> tuple[TestClient, str, str]:
    """Cara starts on her laptop and answers A to question 1; returns the laptop, the attempt's page and the field."""
    laptop = signed_in(app_client, "cara@example.org")
    home = laptop.get("/candidate")
    started = laptop.post(
        f"/candidate/sittings/{s['sitting_id']}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=False,
    )
    attempt_url = started.headers["location"]
    page = laptop.get(attempt_url + "/items/1")
    field = re.search(r'name="(r\.[A-Z_]+)"', page.text).group(1)  # type: ignore[union-attr]
    shown_a = as_shown(db, attempt_url, 1, "A")  # the attempt's own identifier of option A
    assert f'value="{shown_a}"' in page.text
    saved = laptop.post(
        attempt_url + "/items/1/save",
        data={field: shown_a},
        headers={"X-CSRF-Token": csrf_from(page), "X-Seq": "1"},
    )
    assert saved.status_code == 200
    return laptop, attempt_url, field


def events_of(app_client: TestClient, s: dict[str, Any], attempt_id: str) -> list[dict[str, Any]]:
    found = app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=s["headers"]["proctor"])
    return list(found.json()["events"])


def test_a_second_device_is_refused_everywhere_until_the_proctor_moves_the_exam(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    laptop, attempt_url, field = open_on_laptop(app_client, sitting, db)
    attempt_id = attempt_url.rsplit("/", 1)[-1]
    phone = signed_in(app_client, "cara@example.org")
    token = csrf_from(phone.get("/candidate"))
    form = {"csrf_token": token}
    pages = {
        "attempt": phone.get(attempt_url, follow_redirects=False),
        "item page": phone.get(attempt_url + "/items/1"),
        "review": phone.get(attempt_url + "/review"),
        "done": phone.get(attempt_url + "/done", follow_redirects=False),
        "answer form": phone.post(attempt_url + "/items/1", data={**form, field: "B", "action": "stay"}),
        "flag": phone.post(attempt_url + "/items/1", data={**form, field: "B", "action": "flag"}),
        "next": phone.post(attempt_url + "/items/1", data={**form, field: "B", "action": "next"}),
        "section finish": phone.post(attempt_url + "/sections/0/finish", data={**form, "confirm": "yes"}),
        "submit": phone.post(attempt_url + "/submit", data={**form, "confirm": "yes"}),
    }
    for name, page in pages.items():
        assert page.status_code == 409, name
        assert LOCKED in page.text and 'role="alert"' in page.text, name
        assert "This exam is open on another device</h1>" in page.text, name
        assert 'value="B"' not in page.text, name  # no item reaches the second device
    for name, path, body in (("autosave", "/items/1/save", {field: "B"}), ("event", "/events", None)):
        refused = (
            phone.post(attempt_url + path, data=body, headers={"X-CSRF-Token": token, "X-Seq": "5"})
            if body
            else phone.post(attempt_url + path, json={"type": "focus_lost"}, headers={"X-CSRF-Token": token})
        )
        assert refused.status_code == 409, name
        assert refused.json()["error"] == {"code": "device_locked", "message": LOCKED, "details": {}}, name
    assert [e["type"] for e in events_of(app_client, sitting, attempt_id)].count("second_device") == 1
    rows = app_client.get(f"/api/v1/sittings/{sitting['sitting_id']}/attempts", headers=sitting["headers"]["proctor"])
    row = next(r for r in rows.json()["items"] if r["attempt_id"] == attempt_id)
    assert row["incidents"]["second_device"] == 1 and "incidents" in row["attention"]

    # The laptop and a bearer token carry on: the lock never disturbs the holder, and tokens are not bound.
    laptop_page = laptop.get(attempt_url + "/items/1")
    assert laptop_page.status_code == 200 and re.search(r'value="o[0-9a-f]{10}" checked', laptop_page.text)
    cara = sitting["headers"]["cara"]
    api_save = app_client.put(
        f"/api/v1/attempts/{attempt_id}/responses/2",
        json={"response": as_shown(db, attempt_id, 2, "B"), "seq": 1},
        headers=cara,
    )
    assert api_save.status_code == 200 and api_save.json()["saved_seq"] == 1
    before = app_client.get(f"/api/v1/attempts/{attempt_id}", headers=cara).json()

    moved = app_client.post(
        f"/api/v1/attempts/{attempt_id}/unlock-device",
        json={"reason": "Laptop battery failed; identity checked on camera."},
        headers=sitting["headers"]["proctor"],
    )
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    after = app_client.get(f"/api/v1/attempts/{attempt_id}", headers=cara).json()
    assert after["deadline"] == before["deadline"] and after["responses"] == {
        "1": as_shown(db, attempt_id, 1, "A"),
        "2": as_shown(db, attempt_id, 2, "B"),
    }

    signed_out = laptop.get(attempt_url + "/items/1", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    page = phone.get(attempt_url + "/items/1")
    assert page.status_code == 200 and f'value="{as_shown(db, attempt_id, 1, "A")}" checked' in page.text
    saved = phone.post(
        attempt_url + "/items/1/save",
        data={field: as_shown(db, attempt_id, 1, "B")},
        headers={"X-CSRF-Token": csrf_from(page), "X-Seq": "2"},
    )
    assert saved.status_code == 200 and saved.json()["saved_seq"] == 2
    unlocked = [e for e in events_of(app_client, sitting, attempt_id) if e["type"] == "device_unlocked"]
    assert len(unlocked) == 1 and unlocked[0]["actor_id"] == sitting["users"]["proctor"].id
    assert unlocked[0]["detail"]["reason"] == "Laptop battery failed; identity checked on camera."
    assert unlocked[0]["detail"]["signed_out"] is True and unlocked[0]["detail"]["moved_to"]


def test_the_api_flow_of_the_contract_is_untouched_by_the_lock(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    """Start, read, save, flag, report and submit with a bearer token while a browser session holds the attempt."""
    open_on_laptop(app_client, sitting, db)
    cara = sitting["headers"]["cara"]
    started = app_client.post(f"/api/v1/sittings/{sitting['sitting_id']}/attempts", headers=cara)
    assert started.status_code == 200
    base = f"/api/v1/attempts/{started.json()['attempt_id']}"
    assert app_client.get(base, headers=cara).status_code == 200
    assert app_client.get(f"{base}/items/3", headers=cara).status_code == 200
    assert (
        app_client.put(
            f"{base}/responses/3", json={"response": as_shown(db, base, 3, "A"), "seq": 1}, headers=cara
        ).status_code
        == 200
    )
    assert app_client.put(f"{base}/flags/3", json={"flagged": True}, headers=cara).status_code == 200
    assert app_client.post(f"{base}/events", json={"type": "focus_lost"}, headers=cara).status_code == 201
    submitted = app_client.post(f"{base}/submit", headers=cara)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"


def test_only_the_sittings_proctors_and_admins_may_move_an_attempt(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    _, attempt_url, _ = open_on_laptop(app_client, sitting, db)
    path = f"/api/v1/attempts/{attempt_url.rsplit('/', 1)[-1]}/unlock-device"
    headers = sitting["headers"]
    reason = {"reason": "moving"}
    assert app_client.post(path, json=reason, headers=headers["stranger"]).status_code == 404  # not their sitting
    assert app_client.post(path, json=reason, headers=headers["cara"]).status_code == 403
    assert app_client.post(path, json=reason, headers=headers["author"]).status_code == 403
    assert app_client.post(path, json={}, headers=headers["proctor"]).status_code in (400, 422)
    blank = app_client.post(path, json={"reason": "  "}, headers=headers["proctor"])
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "reason_required"
    assert app_client.post(path, json=reason, headers=headers["admin"]).status_code == 200
    again = app_client.post(path, json=reason, headers=headers["proctor"])  # nobody holds it any more
    assert again.status_code == 409 and again.json()["error"]["code"] == "device_not_held"
    unknown = app_client.post("/api/v1/attempts/" + "0" * 32 + "/unlock-device", json=reason, headers=headers["admin"])
    assert unknown.status_code == 404


def test_the_proctor_moves_the_exam_from_the_attempt_page(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    _, attempt_url, _ = open_on_laptop(app_client, sitting, db)
    attempt_id = attempt_url.rsplit("/", 1)[-1]
    phone = signed_in(app_client, "cara@example.org")
    assert phone.get(attempt_url).status_code == 409
    proctor = signed_in(app_client, "proctor@example.org")
    page = proctor.get(f"/proctor/attempts/{attempt_id}")
    assert "Another device asked for the exam" in page.text and ">Move to new device</button>" in page.text
    dashboard = proctor.get(f"/proctor/sittings/{sitting['sitting_id']}")
    assert dashboard.text.count(" to new device</button>") == 1  # on the row with the second device
    action = f"/proctor/attempts/{attempt_id}/actions"
    no_reason = proctor.post(action, data={"csrf_token": csrf_from(page), "action": "move_device", "back": "timeline"})
    assert no_reason.status_code == 422 and "Give the reason to move the exam to a new device" in no_reason.text
    moved = proctor.post(
        action,
        data={"csrf_token": csrf_from(page), "action": "move_device", "reason": "new laptop", "back": "timeline"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert phone.get(attempt_url + "/items/1").status_code == 200
    timeline = proctor.get(f"/proctor/attempts/{attempt_id}")
    assert "device unlocked" in timeline.text and "new laptop" in timeline.text
    stranger = signed_in(app_client, "stranger@example.org")
    refused = stranger.post(
        action,
        data={"csrf_token": csrf_from(stranger.get("/proctor")), "action": "move_device", "reason": "x"},
    )
    assert refused.status_code == 404


def show_device_cookie(client: TestClient, value: str) -> None:
    """A browser holding this device cookie (as the server's own Set-Cookie would store it, so that a new one
    replaces it)."""
    client.cookies.set(DEVICE_COOKIE, value, domain="testserver.local")


def sign_out_through_the_warning(client: TestClient, attempt_url: str) -> None:
    warning = client.get(attempt_url + "/sign-out")
    assert "If you sign in again on this browser, your exam continues" in warning.text
    signed_out = client.post("/logout", data={"csrf_token": csrf_from(warning)}, follow_redirects=False)
    assert signed_out.status_code == 303
    gone = client.get(attempt_url + "/items/1", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")


def test_signing_out_and_in_again_on_the_same_browser_resumes_the_exam(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    laptop, attempt_url, field = open_on_laptop(app_client, sitting, db)
    attempt_id = attempt_url.rsplit("/", 1)[-1]
    cara = sitting["headers"]["cara"]
    before = app_client.get(f"/api/v1/attempts/{attempt_id}", headers=cara).json()
    browser = laptop.cookies[DEVICE_COOKIE]
    sign_out_through_the_warning(laptop, attempt_url)

    assert log_in(laptop, "cara@example.org", TEST_PASSWORD).status_code == 303
    assert laptop.cookies[DEVICE_COOKIE] == browser  # the browser keeps its identity
    # the autosave the page queued while signed out is the new session's first request on the attempt
    saved = laptop.post(
        attempt_url + "/items/1/save",
        data={field: as_shown(db, attempt_id, 1, "B")},
        headers={"X-CSRF-Token": csrf_from(laptop.get("/candidate")), "X-Seq": "2"},
    )
    assert saved.status_code == 200 and saved.json()["saved_seq"] == 2
    page = laptop.get(attempt_url + "/items/1")
    assert page.status_code == 200 and f'value="{as_shown(db, attempt_id, 1, "B")}" checked' in page.text
    after = app_client.get(f"/api/v1/attempts/{attempt_id}", headers=cara).json()
    assert after["deadline"] == before["deadline"] and after["status"] == "in_progress"  # the clock never stopped

    events = events_of(app_client, sitting, attempt_id)
    kinds = [e["type"] for e in events]
    assert kinds.count("device_resumed") == 1 and "second_device" not in kinds
    resumed = next(e for e in events if e["type"] == "device_resumed")
    assert resumed["actor_id"] == sitting["users"]["cara"].id
    assert resumed["detail"]["same_browser"] is True
    assert resumed["detail"]["signed_out"] is False  # signing out had ended it already
    assert {"session", "address", "ended_session"} <= set(resumed["detail"])
    proctor = signed_in(app_client, "proctor@example.org")
    shown = [
        str(events),
        proctor.get(f"/proctor/attempts/{attempt_id}").text,
        proctor.get(f"/proctor/attempts/{attempt_id}?format=csv").text,
        proctor.get(f"/proctor/attempts/{attempt_id}?format=json").text,
    ]
    assert "device resumed" in shown[1]
    for text in shown:  # neither the device cookie nor its hash is shown anywhere
        assert browser not in text and token_digest(browser) not in text


OTHER_BROWSERS: dict[str, Callable[[dict[str, Any], TestClient], str | None]] = {
    "no device cookie": lambda s, laptop: None,
    "a made-up device cookie": lambda s, laptop: secrets.token_urlsafe(32),
    "a device cookie of another user": lambda s, laptop: signed_in(s["app"], "carl@example.org").cookies[DEVICE_COOKIE],
    "an over-long device cookie": lambda s, laptop: "x" * 5000,
}


@pytest.mark.parametrize("case", OTHER_BROWSERS)
def test_another_browser_still_needs_the_proctor_whatever_device_cookie_it_shows(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
    case: str,
) -> None:
    laptop, attempt_url, _ = open_on_laptop(app_client, sitting, db)
    attempt_id = attempt_url.rsplit("/", 1)[-1]
    shown = OTHER_BROWSERS[case]({**sitting, "app": app_client}, laptop)
    phone = TestClient(app_client.app)
    if shown is not None:
        show_device_cookie(phone, shown)
    assert log_in(phone, "cara@example.org", TEST_PASSWORD).status_code == 303
    assert phone.cookies[DEVICE_COOKIE] not in (shown, laptop.cookies[DEVICE_COOKIE])  # replaced, never adopted
    refused = phone.get(attempt_url + "/items/1")
    assert refused.status_code == 409 and "This exam is open on another device</h1>" in refused.text
    kinds = [e["type"] for e in events_of(app_client, sitting, attempt_id)]
    assert kinds.count("second_device") == 1 and "device_resumed" not in kinds
    assert laptop.get(attempt_url + "/items/1").status_code == 200  # the holder is not disturbed


def test_the_candidates_device_cookie_gives_nothing_to_anyone_else(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    laptop, attempt_url, _ = open_on_laptop(app_client, sitting, db)
    attempt_id = attempt_url.rsplit("/", 1)[-1]
    browser = laptop.cookies[DEVICE_COOKIE]
    alone = TestClient(app_client.app)  # the device cookie without a session is no credential
    show_device_cookie(alone, browser)
    assert alone.get(attempt_url + "/items/1", follow_redirects=False).headers["location"].startswith("/login")
    carl = TestClient(app_client.app)  # another user signing in with it gets a cookie of their own
    show_device_cookie(carl, browser)
    assert log_in(carl, "carl@example.org", TEST_PASSWORD).status_code == 303
    assert carl.cookies[DEVICE_COOKIE] != browser
    assert carl.get(attempt_url + "/items/1").status_code == 404
    assert "device_resumed" not in [e["type"] for e in events_of(app_client, sitting, attempt_id)]
    assert laptop.get(attempt_url + "/items/1").status_code == 200


def test_parallel_first_requests_of_the_new_session_resume_once(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    laptop, attempt_url, _ = open_on_laptop(app_client, sitting, db)
    attempt_id = attempt_url.rsplit("/", 1)[-1]
    sign_out_through_the_warning(laptop, attempt_url)
    log_in(laptop, "cara@example.org", TEST_PASSWORD)
    paths = [attempt_url + "/items/1", attempt_url + "/items/2", attempt_url + "/review", attempt_url + "/live"] * 3
    answers = in_parallel([partial(laptop.get, path) for path in paths])
    assert [a.status_code for a in answers if "/live" not in str(a.url)] == [200] * 9
    kinds = [e["type"] for e in events_of(app_client, sitting, attempt_id)]
    assert kinds.count("device_resumed") == 1 and "second_device" not in kinds
    assert laptop.get(attempt_url + "/live").status_code == 200
