"""The candidate's result page and GET /api/v1/attempts/{id}/result agree: one service, the blueprint's domain names,
the scale explained, and before release only what happens next."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from examengine.delivery import attempts
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import PERFECT, Program
from tests.web.browsing import log_in

NAMED = [{"code": "D1", "name": "Hazard identification"}, {"code": "D2", "name": "Safe handling"}]


def signed_in(app_client: TestClient, who: int) -> TestClient:
    client = TestClient(app_client.app)
    assert log_in(client, f"cand{who}@example.org", TEST_PASSWORD).status_code == 303
    return client


def api_result(client: TestClient, who: int, attempt_id: str) -> dict[str, Any]:
    token = client.post("/api/v1/auth/token", json={"email": f"cand{who}@example.org", "password": TEST_PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    found: dict[str, Any] = client.get(f"/api/v1/attempts/{attempt_id}/result", headers=headers).json()
    return found


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_released_result_names_the_blueprint_domains_and_explains_the_scale(
    app_client: TestClient, program: Program
) -> None:
    _, sitting_id = program.exam(essay=False, domains=NAMED)
    attempt_id = program.take(sitting_id, program.candidates[0], {"q1": "A", "q2": ["A", "C"], "q3": 42})
    client = signed_in(app_client, 0)
    page = client.get(f"/candidate/attempts/{attempt_id}/done")
    shown = text_of(page.text)
    assert "<title>Your result · examengine</title>" in page.text and "<h1>Your result</h1>" in page.text
    assert "submitted" not in re.sub(r"<[^>]+>", "", page.text.split("<main", 1)[1]).lower()
    api = api_result(app_client, 0, attempt_id)
    assert api["status"] == "released" and api["scale"] == {
        "min": 200.0,
        "max": 800.0,
        "passing_score": 500.0,
        "passing_on": "scaled",
    }
    # 4 of 6 points with a 70 % cut (4.2 raw): 200 + 300 * 4 / 4.2 = 485.7
    assert f"Scaled score {api['scaled_score']} on a scale of 200\N{EN DASH}800; passing score 500." in shown
    assert api["scaled_score"] == 486 and "Not passed" in shown
    assert [(d["name"], d["code"]) for d in api["domains"]] == [(d["name"], d["code"]) for d in NAMED]
    assert "Hazard identification 3 of 3 100%" in shown and "Safe handling 1 of 3 33.33%" in shown
    assert ">D1<" not in page.text and ">D2<" not in page.text


def test_without_a_scale_the_passing_score_is_in_percent_or_points(app_client: TestClient, program: Program) -> None:
    _, percent_exam = program.exam(essay=False, scale=None)
    _, raw_exam = program.exam(essay=False, scale=None, cut_score={"type": "raw", "value": 4})
    client = signed_in(app_client, 0)
    for sitting_id, sentence in (
        (percent_exam, "Score 6 of 6 points (100%); passing score 70%."),
        (raw_exam, "Score 6 of 6 points (100%); passing score 4 points."),
    ):
        attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
        assert sentence in text_of(client.get(f"/candidate/attempts/{attempt_id}/done").text)


def test_before_release_the_page_says_what_happens_next_and_shows_no_score(
    app_client: TestClient, program: Program
) -> None:
    _, manual = program.exam(essay=False, result_release="manual")
    _, marked = program.exam()
    _, held = program.exam(essay=False)
    cases = [
        (program.take(manual, program.candidates[0], PERFECT), "published", "Your exam was submitted"),
        (program.take(marked, program.candidates[1], PERFECT), "marked by a person", "Your exam was submitted"),
    ]
    terminated = program.begin(held, program.candidates[2], PERFECT)
    program.call(attempts.terminate, attempt_id=terminated, actor_id=program.admin.id, reason="phone")
    program.score_despite_termination(terminated)
    cases.append((terminated, "held until an administrator decides", "Your exam was ended by the proctor"))
    for who, (attempt_id, next_step, heading) in enumerate(cases):
        client = signed_in(app_client, who)
        page = client.get(f"/candidate/attempts/{attempt_id}/done")
        api = api_result(app_client, who, attempt_id)
        assert api["status"] == "received" and next_step in api["message"]
        assert f"<h1>{heading}</h1>" in page.text and "What happens next" in page.text
        assert next_step in page.text and "Score report" not in page.text and "Scaled score" not in page.text
