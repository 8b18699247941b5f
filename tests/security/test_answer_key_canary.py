"""The answer key never reaches a candidate: every place a key or scoring rule lives carries a marker, and every
byte the candidate receives through the JSON API and the HTML pages (status lines, headers, bodies, redirects,
fragments, exam.js) is scanned for those markers before submission, after it, and after the results are released.

The implemented release rule (examengine/scoring/release.py `CandidateResult`): a released result shows the candidate
raw score, maximum, percent, scaled score, pass/fail and domain subscores; never the key, option feedback or
rationale. So the markers must stay absent after release too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from httpx2 import Response
from starlette.testclient import TestClient

from tests.api.test_exams_api import approved_bank, bearer, blueprint, open_sitting
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

NUMERIC_KEY = "7351.0417"  # a numeric key cannot carry a word, so it is a number no page would show by accident
MARKERS = (
    "CANARY-KEY-7f3a",
    "CANARY-FEEDBACK-9b1c",
    "CANARY-RATIONALE-4d2e",
    "CANARY-ACCEPT-6e5f",
    "CANARY-GAPFB-2a8d",
    NUMERIC_KEY,
)


def canary_items() -> list[dict[str, Any]]:
    meta = {"domain": "CAN"}
    rationale = "<p>CANARY-RATIONALE-4d2e explains the key</p>"
    return [
        {
            "id": "can-single",
            "kind": "single_choice",
            "stem": "<p>Pick one</p>",
            "options": [
                {"id": "A", "text": "first", "correct": True, "feedback": "CANARY-FEEDBACK-9b1c right"},
                {"id": "B", "text": "second", "feedback": "CANARY-FEEDBACK-9b1c wrong"},
            ],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-multi",
            "kind": "multiple_response",
            "stem": "<p>Pick some</p>",
            "points": 2,
            "options": [
                {"id": "A", "text": "alpha", "weight": 1, "feedback": "CANARY-FEEDBACK-9b1c alpha"},
                {"id": "B", "text": "beta", "weight": 1},
                {"id": "C", "text": "gamma", "weight": -1, "feedback": "CANARY-FEEDBACK-9b1c gamma"},
            ],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-numeric",
            "kind": "numeric",
            "stem": "<p>How much?</p>",
            "answer": float(NUMERIC_KEY),
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-text",
            "kind": "short_text",
            "stem": "<p>Name it</p>",
            "answers": [{"text": "CANARY-KEY-7f3a"}, {"text": "CANARY-ACCEPT-6e5f", "points": 0.5}],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-order",
            "kind": "ordering",
            "stem": "<p>Order them</p>",
            "options": [{"id": "A", "text": "one"}, {"id": "B", "text": "two"}, {"id": "C", "text": "three"}],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-match",
            "kind": "matching",
            "stem": "<p>Match them</p>",
            "pairs": [{"left": "cat", "right": "kitten"}, {"left": "dog", "right": "puppy"}],
            "distractors": ["calf"],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-gap",
            "kind": "inline_choice",
            "stem": "<p>Fill {{g1}} in</p>",
            "gaps": [
                {
                    "id": "g1",
                    "options": [
                        {"id": "A", "text": "this", "correct": True, "feedback": "CANARY-GAPFB-2a8d"},
                        {"id": "B", "text": "that"},
                    ],
                }
            ],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-tf",
            "kind": "true_false",
            "stem": "<p>True?</p>",
            "answer": True,
            "rationale": rationale,
            "metadata": meta,
        },
    ]


class Recorder:
    """Every byte a client received: status line, headers and body of each response, redirects included."""

    def __init__(self) -> None:
        self.received: list[str] = []

    def hook(self, response: Response) -> None:
        response.read()
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.received.append(f"{response.status_code} {response.request.url}\n{headers}\n\n{response.text}")

    def attach(self, client: TestClient) -> TestClient:
        client.event_hooks = {"request": [], "response": [self.hook]}
        return client

    def leaks(self) -> list[tuple[str, str]]:
        return [(m, text.split("\n", 1)[0]) for text in self.received for m in MARKERS if m in text]


@pytest.fixture
def canary_exam(app_client: TestClient, make_user: Callable) -> dict[str, Any]:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "cara": make_user("cara@example.org", "candidate"),
        "carl": make_user("carl@example.org", "candidate"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items() if name in ("admin", "author")}
    items = canary_items()
    item_ids = approved_bank(app_client, {"users": users, "headers": headers}, items)
    body = blueprint(
        code="CANARY-1",
        sections=[{"title": "All", "draw": [{"domain": "CAN", "count": len(items)}]}],
        cut_score={"type": "percent", "value": 50},
        result_release="manual",
    )
    candidates = [{"user_id": users["cara"].id}, {"user_id": users["carl"].id}]
    exam_id, sitting_id = open_sitting(app_client, headers["admin"], body, candidates)
    return {"headers": headers, "item_ids": item_ids, "exam_id": exam_id, "sitting_id": sitting_id}


def test_the_author_view_holds_every_marker(app_client: TestClient, canary_exam: dict[str, Any]) -> None:
    """The scan looks at real data: the author's own item versions (GET /api/v1/items/{id}/versions/1) carry
    every marker the candidate must not see."""
    author_views = "".join(
        app_client.get(f"/api/v1/items/{item_id}/versions/1", headers=canary_exam["headers"]["author"]).text
        for item_id in canary_exam["item_ids"]
    )
    assert [m for m in MARKERS if m not in author_views] == []


def sit_through_the_api(client: TestClient, exam: dict[str, Any], recorder: Recorder) -> str:
    cara = bearer(client, "cara@example.org")
    started = client.post(f"/api/v1/sittings/{exam['sitting_id']}/attempts", headers=cara)
    assert started.status_code == 201, started.text
    attempt_id = started.json()["attempt_id"]
    base = f"/api/v1/attempts/{attempt_id}"
    slots = [s["slot"] for section in started.json()["sections"] for s in section["slots"]]
    assert len(slots) == len(canary_items())
    for seq, slot in enumerate(slots, start=1):
        assert client.get(f"{base}/items/{slot}", headers=cara).status_code == 200
        assert (
            client.put(f"{base}/responses/{slot}", json={"response": "B", "seq": seq}, headers=cara).status_code == 200
        )
        assert client.put(f"{base}/flags/{slot}", json={"flagged": True}, headers=cara).status_code == 200
    client.post(f"{base}/events", headers=cara, json={"type": "focus_lost"})
    client.get(base, headers=cara)
    client.get(f"{base}/result", headers=cara)  # still open: refused, and the refusal is scanned too
    assert client.post(f"{base}/submit", headers=cara).status_code == 200
    for slot in slots:
        client.get(f"{base}/items/{slot}", headers=cara)
    client.get(base, headers=cara)
    assert client.get(f"{base}/result", headers=cara).status_code == 200
    return attempt_id


def sit_through_the_pages(client: TestClient, exam: dict[str, Any]) -> str:
    log_in(client, "carl@example.org", TEST_PASSWORD)
    home = client.get("/candidate")
    started = client.post(
        f"/candidate/sittings/{exam['sitting_id']}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=True,
    )
    attempt_url = re.search(r"/candidate/attempts/[^/\"]+", str(started.url))
    assert attempt_url, started.url
    base = attempt_url.group(0)
    client.get("/static/app/exam.js")
    for slot in range(1, len(canary_items()) + 1):
        page = client.get(f"{base}/items/{slot}")
        assert page.status_code == 200, page.text
        client.get(f"{base}/items/{slot}", headers={"HX-Request": "true"})
        names = sorted(set(re.findall(r'name="(r\.[A-Za-z0-9_.]+)"', page.text)))
        answer: dict[str, str | list[str]] = dict.fromkeys(names, "B")
        client.post(
            f"{base}/items/{slot}/save",
            data=answer,
            headers={"X-CSRF-Token": csrf_from(page), "X-Seq": str(slot), "X-Client-Id": "tab-1"},
        )
        client.post(
            f"{base}/items/{slot}",
            data={**answer, "csrf_token": csrf_from(page), "action": "flag", "seq": str(100 + slot)},
            follow_redirects=True,
        )
    client.post(f"{base}/events", data={"type": "focus_lost"}, headers={"X-CSRF-Token": csrf_from(page)})
    review = client.get(f"{base}/review")
    submitted = client.post(
        f"{base}/submit", data={"csrf_token": csrf_from(review), "confirm": "yes"}, follow_redirects=True
    )
    assert "Your exam was submitted" in submitted.text
    return base


def after_submission(client: TestClient, base: str) -> None:
    for path in ("/candidate", base, f"{base}/done", f"{base}/review", f"{base}/items/1", "/candidate/certificates"):
        client.get(path)


def test_no_marker_reaches_the_candidate_before_or_after_release(
    app_client: TestClient, canary_exam: dict[str, Any]
) -> None:
    api_seen, pages_seen = Recorder(), Recorder()
    api = api_seen.attach(TestClient(app_client.app))
    pages = pages_seen.attach(TestClient(app_client.app))
    attempt_id = sit_through_the_api(api, canary_exam, api_seen)
    base = sit_through_the_pages(pages, canary_exam)
    after_submission(pages, base)
    withheld = api.get(f"/api/v1/attempts/{attempt_id}/result", headers=bearer(api, "cara@example.org"))
    assert "released" not in withheld.json() or not withheld.json().get("released_at")
    assert api_seen.leaks() == [] and pages_seen.leaks() == []

    admin = canary_exam["headers"]["admin"]
    released = app_client.post(f"/api/v1/exams/{canary_exam['exam_id']}/release", json={"version": 1}, headers=admin)
    assert released.status_code == 200 and released.json()["released"] == 2, released.text
    result = api.get(f"/api/v1/attempts/{attempt_id}/result", headers=bearer(api, "cara@example.org"))
    assert result.status_code == 200 and "percent" in result.text, result.text
    after_submission(pages, base)
    assert api_seen.leaks() == [] and pages_seen.leaks() == []
    assert len(pages_seen.received) > 30 and any("exam.js" in text.split("\n", 1)[0] for text in pages_seen.received)
