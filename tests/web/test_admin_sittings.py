"""The admin's sitting pages, as a signed-in admin without JavaScript: the exam lists its sittings, a sitting's
window, capacity and proctors change (a refusal is shown beside its field), candidates are found by name or email,
enrolled with accommodations and removed until they start, and a cancelled sitting offers no start to anyone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_delivery_api import sitting, start  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

Sitting = dict[str, Any]


@pytest.fixture
def admin_page(app_client: TestClient, sitting: Sitting) -> TestClient:  # noqa: F811
    client = TestClient(app_client.app)
    log_in(client, "admin@example.org", TEST_PASSWORD)
    return client


def _post(client: TestClient, page: str, action: str, data: dict[str, Any]) -> Any:
    token = csrf_from(client.get(page))
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)


def _local(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def test_the_exam_lists_its_sittings(admin_page: TestClient, sitting: Sitting) -> None:  # noqa: F811
    listed = admin_page.get(f"/admin/exams/{sitting['exam_id']}/sittings")
    assert listed.status_code == 200
    link = f'href="/admin/sittings/{sitting["sitting_id"]}"'
    assert link in listed.text and ">open<" in listed.text
    assert link in admin_page.get(f"/admin/exams/{sitting['exam_id']}").text
    assert admin_page.get("/admin/exams/" + "ab" * 16 + "/sittings").status_code == 404


def test_the_window_changes_but_never_cuts_a_running_attempt(
    admin_page: TestClient,
    app_client: TestClient,
    sitting: Sitting,  # noqa: F811
) -> None:
    page = f"/admin/sittings/{sitting['sitting_id']}"
    shown = admin_page.get(page)
    assert shown.status_code == 200 and "Window, proctors and seats" in shown.text
    attempt = start(app_client, sitting).json()
    deadline = datetime.fromisoformat(attempt["deadline"])
    opens = csrf_from(shown) and shown.text.split('name="shown_opens_at" value="')[1].split('"')[0]
    closes = shown.text.split('name="shown_closes_at" value="')[1].split('"')[0]
    form = {
        "shown_opens_at": opens,
        "shown_closes_at": closes,
        "opens_at": opens,
        "closes_at": _local(datetime.now(UTC) + timedelta(minutes=10)),
        "time_zone": "UTC",
        "capacity": "",
        "proctor_ids": [sitting["users"]["proctor"].id],
    }
    cut = _post(admin_page, page, page, form)
    assert cut.status_code == 409
    assert 'id="closes_at-error"' in cut.text and "taking the exam" in cut.text
    assert 'aria-invalid="true"' in cut.text
    later = _local(deadline + timedelta(minutes=5))
    saved = _post(admin_page, page, page, {**form, "closes_at": later, "capacity": "5"})
    assert saved.status_code == 303, saved.text
    after = admin_page.get(saved.headers["location"])
    assert "The sitting was saved." in after.text and "2 enrolled of 5" in after.text
    assert f'value="{later}"' in after.text
    few = _post(admin_page, page, page, {**form, "closes_at": later, "capacity": "1"})
    assert few.status_code == 409 and 'id="capacity-error"' in few.text
    zone = _post(admin_page, page, page, {**form, "closes_at": later, "time_zone": "Atlantis/Lost"})
    assert zone.status_code == 422 and 'id="time_zone-error"' in zone.text


def test_candidates_are_found_enrolled_and_removed(
    admin_page: TestClient,
    app_client: TestClient,
    sitting: Sitting,  # noqa: F811
) -> None:
    page = f"/admin/sittings/{sitting['sitting_id']}"
    found = admin_page.get(page, params={"q": "nina"})
    nina = sitting["users"]["nina"]
    assert f'value="{nina.id}"' in found.text and "nina@example.org" in found.text
    action = f"{page}/candidates"
    too_much = _post(admin_page, page, action, {"user_id": nina.id, "time_multiplier": "9", "q": "nina"})
    assert too_much.status_code == 422 and "between 1.0 and 4.0" in too_much.text
    added = _post(
        admin_page,
        page,
        action,
        {"user_id": nina.id, "time_multiplier": "1.5", "extra_minutes": "0", "accommodation_reason": "assessed"},
    )
    assert added.status_code == 303
    shown = admin_page.get(page)
    assert "time \u00d7 1.5" in shown.text and "Remove Test User" in shown.text
    again = admin_page.get(page, params={"q": "nina"})
    assert "— enrolled" in again.text

    start(app_client, sitting)  # cara started: she stays
    cara = sitting["users"]["cara"]
    refused = _post(admin_page, page, f"{page}/candidates/{cara.id}/remove", {})
    assert refused.status_code == 409 and "has started" in refused.text
    removed = _post(admin_page, page, f"{page}/candidates/{nina.id}/remove", {})
    assert removed.status_code == 303
    assert "nina@example.org" not in admin_page.get(page).text


def test_cancelling_needs_a_reason_is_refused_once_started_and_removes_the_start(
    admin_page: TestClient,
    app_client: TestClient,
    sitting: Sitting,  # noqa: F811
) -> None:
    page = f"/admin/sittings/{sitting['sitting_id']}"
    empty = _post(admin_page, page, f"{page}/cancel", {"reason": "  "})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.text
    candidate = TestClient(app_client.app)
    log_in(candidate, "cara@example.org", TEST_PASSWORD)
    assert "Start exam" in candidate.get("/candidate").text
    cancelled = _post(admin_page, page, f"{page}/cancel", {"reason": "The fire alarm"})
    assert cancelled.status_code == 303
    shown = admin_page.get(page)
    assert "cancelled" in shown.text and "The fire alarm" in shown.text and "Save changes" not in shown.text
    home = candidate.get("/candidate")
    assert "Start exam" not in home.text and "The sitting was cancelled: The fire alarm" in home.text
    token = csrf_from(home)
    refused = candidate.post(
        f"/candidate/sittings/{sitting['sitting_id']}/start", data={"agree": "yes", "csrf_token": token}
    )
    assert refused.status_code == 409 and "cancelled" in refused.text


def test_cancel_is_not_offered_once_anyone_started(
    admin_page: TestClient,
    app_client: TestClient,
    sitting: Sitting,  # noqa: F811
) -> None:
    page = f"/admin/sittings/{sitting['sitting_id']}"
    start(app_client, sitting)
    shown = admin_page.get(page)
    assert "Cancel the sitting</button>" not in shown.text and "cannot be cancelled" in shown.text
    refused = _post(admin_page, page, f"{page}/cancel", {"reason": "late"})
    assert refused.status_code == 409


def test_the_audit_log_names_what_its_ids_are(
    admin_page: TestClient,
    app_client: TestClient,
    sitting: Sitting,  # noqa: F811
) -> None:
    from tests.web.test_times_shown import visible_text

    admin = sitting["headers"]["admin"]
    stranger = sitting["users"]["stranger"].id
    url = f"/api/v1/sittings/{sitting['sitting_id']}"
    assert app_client.patch(url, headers=admin, json={"proctor_ids": [stranger], "capacity": 9}).status_code == 200
    enrol = {"user_id": sitting["users"]["nina"].id}
    assert app_client.post(f"{url}/candidates", headers=admin, json=enrol).status_code == 201
    text = visible_text(admin_page.get("/admin/audit").text)
    assert "Sitting changed" in text and "Candidate enrolled" in text and "Sitting created" in text
    assert "proctor@example.org → stranger@example.org" in text.replace("Test User", "") or "→" in text
    assert "capacity none → 9" in " ".join(text.split())
    shown_id = re.search(r".{80}\b[0-9a-f]{32}\b.{20}", text, re.S)
    assert shown_id is None, f"an id is shown where a name belongs: {shown_id.group(0) if shown_id else ''}"
    assert "{" not in text, "raw JSON is shown"
