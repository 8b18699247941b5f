"""The proctor's announcement forms: the sitting dashboard's message to everyone still sitting and the attempt
page's message to one candidate, through the announcements service both doors share: who may send (another
proctor's sitting and a candidate are refused), the text's checks with the typed text kept, the timeline."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api.test_delivery_api import sitting, start  # noqa: F401 - the fixture
from tests.web.browsing import csrf_from
from tests.web.test_proctor_pages import proctor_client


def events_of(app_client: TestClient, s: dict[str, Any], attempt_id: str) -> list[dict[str, Any]]:
    timeline = app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=s["headers"]["proctor"])
    events: list[dict[str, Any]] = timeline.json()["events"]
    return [e for e in events if e["type"] == "announcement"]


def test_the_dashboard_sends_a_message_to_everyone_still_sitting(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara = start(app_client, sitting).json()["attempt_id"]
    carl = start(app_client, sitting, "carl").json()["attempt_id"]
    proctor = proctor_client(app_client, "proctor@example.org")
    board_url = f"/proctor/sittings/{sitting['sitting_id']}"
    board = proctor.get(board_url)
    assert 'action="' + board_url + '/announce"' in board.text and "Send to everyone" in board.text
    sent = proctor.post(
        board_url + "/announce",
        data={"csrf_token": csrf_from(board), "message": "Ten minutes left.\r\nCheck your answers."},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == board_url + "?done=announced&n=2"
    assert "Message sent to 2 candidate(s) still sitting." in proctor.get(sent.headers["location"]).text
    for attempt_id in (cara, carl):
        (event,) = events_of(app_client, sitting, attempt_id)
        assert event["detail"] == {"message": "Ten minutes left.\nCheck your answers."}


def test_the_attempt_page_sends_a_message_to_one_candidate(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara = start(app_client, sitting).json()["attempt_id"]
    carl = start(app_client, sitting, "carl").json()["attempt_id"]
    proctor = proctor_client(app_client, "proctor@example.org")
    page = proctor.get(f"/proctor/attempts/{cara}")
    assert f'action="/proctor/attempts/{cara}/announce"' in page.text
    sent = proctor.post(
        f"/proctor/attempts/{cara}/announce",
        data={"csrf_token": csrf_from(page), "message": "Please face the camera."},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    shown = proctor.get(sent.headers["location"])
    assert "Message sent to the candidate." in shown.text and "Please face the camera." in shown.text
    assert [e["detail"]["message"] for e in events_of(app_client, sitting, cara)] == ["Please face the camera."]
    assert events_of(app_client, sitting, carl) == []


def test_an_empty_or_overlong_message_is_refused_beside_the_field_keeping_the_text(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara = start(app_client, sitting).json()["attempt_id"]
    proctor = proctor_client(app_client, "proctor@example.org")
    token = csrf_from(proctor.get("/proctor"))
    for path in (f"/proctor/sittings/{sitting['sitting_id']}/announce", f"/proctor/attempts/{cara}/announce"):
        for message, error in (
            ("", "Write the message for the candidates."),
            ("  \r\n ", "Write the message for the candidates."),
            ("x" * 1001, "A message is at most 1,000 characters of text."),
        ):
            refused = proctor.post(path, data={"csrf_token": token, "message": message})
            assert refused.status_code == 422, (path, message)
            assert f'<p class="alert" role="alert" id="announce-error">{error}</p>' in refused.text
            assert 'aria-invalid="true"' in refused.text
            if message.strip():
                assert f">{message}</textarea>" in refused.text
    assert events_of(app_client, sitting, cara) == []
    missing = proctor.post(f"/proctor/attempts/{cara}/announce", data={"message": "hi"})
    assert missing.status_code == 403 and events_of(app_client, sitting, cara) == []  # no CSRF token


def test_another_proctor_and_a_candidate_are_refused(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara = start(app_client, sitting).json()["attempt_id"]
    paths = (f"/proctor/sittings/{sitting['sitting_id']}/announce", f"/proctor/attempts/{cara}/announce")
    stranger = proctor_client(app_client, "stranger@example.org")
    token = csrf_from(stranger.get("/proctor"))
    for path in paths:
        assert stranger.post(path, data={"csrf_token": token, "message": "Leave now."}).status_code == 404
    candidate = proctor_client(app_client, "carl@example.org")
    token = csrf_from(candidate.get("/candidate"))
    for path in paths:
        assert candidate.post(path, data={"csrf_token": token, "message": "Leave now."}).status_code == 403
    assert events_of(app_client, sitting, cara) == []


def test_a_finished_attempt_takes_no_message_and_the_page_offers_none(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara = start(app_client, sitting).json()["attempt_id"]
    proctor = proctor_client(app_client, "proctor@example.org")
    page = proctor.get(f"/proctor/attempts/{cara}")
    assert app_client.post(f"/api/v1/attempts/{cara}/submit", headers=sitting["headers"]["cara"]).status_code == 200
    late = proctor.post(f"/proctor/attempts/{cara}/announce", data={"csrf_token": csrf_from(page), "message": "hi"})
    assert late.status_code == 409 and "the candidate would not see the message" in late.text
    assert "Send message" not in proctor.get(f"/proctor/attempts/{cara}").text
