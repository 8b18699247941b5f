"""The marking, rescoring and retake-exception API: a double-marked essay end to end, nothing about the
candidate in what a marker gets, preview then apply, exceptions recorded, and the candidate sees nothing early."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from tests.api.test_exams_api import bearer
from tests.scoring.conftest import PERFECT, Program

DOUBLE = {"double": True, "max_difference": 1, "resolution": "third_marker", "round_to": 0.5}


def test_double_marking_through_the_api(
    app_client: TestClient, program: Program, make_user: Callable[..., UserView]
) -> None:
    for n in (1, 2):
        make_user(f"m{n}@example.org", "marker")
    first, second = bearer(app_client, "m1@example.org"), bearer(app_client, "m2@example.org")
    candidate = program.candidates[0]
    exam_id, sitting_id = program.exam(marking=DOUBLE)
    attempt_id = program.take(sitting_id, candidate, {**PERFECT, "essay": "Evacuate first."})
    own = bearer(app_client, candidate.email)
    assert app_client.get(f"/api/v1/attempts/{attempt_id}/result", headers=own).json()["status"] == "received"

    [group] = app_client.get("/api/v1/marking/queue", headers=first).json()["items"]
    assert (group["exam_id"], group["waiting"], group["available"], group["stages"]) == (
        exam_id,
        1,
        1,
        {"first mark": 1},
    )
    task = app_client.post("/api/v1/marking/claims", json={"exam_id": exam_id}, headers=first)
    assert task.status_code == 201
    body = task.json()
    assert (body["response"], body["max_score"], body["stage"]) == ({"RESPONSE": "Evacuate first."}, 4.0, 1)
    text = json.dumps(body)
    for secret in (attempt_id, candidate.id, candidate.email, candidate.name, sitting_id):
        assert secret not in text
    marks = f"/api/v1/marking/scripts/{body['script_id']}/items/{body['slot']}/marks"
    marked = app_client.post(marks, json={"stage": 1, "score": 2}, headers=first)
    assert marked.json() == {
        "script_id": body["script_id"],
        "slot": body["slot"],
        "stage": 1,
        "final_score": None,
        "result_status": "pending_marking",
    }
    assert app_client.post(marks, json={"stage": 2, "score": 2}, headers=first).json()["error"]["code"] == (
        "already_marked_by_you"
    )
    assert app_client.post("/api/v1/marking/claims", json={}, headers=first).status_code == 404
    shown = app_client.get(f"/api/v1/marking/scripts/{body['script_id']}/items/{body['slot']}", headers=second)
    assert (shown.status_code, shown.json()["stage"], shown.json()["earlier_marks"]) == (200, 2, [])
    too_high = app_client.post(marks, json={"stage": 2, "score": 5}, headers=second)
    assert (too_high.status_code, too_high.json()["error"]["code"]) == (422, "invalid_mark")
    done = app_client.post(marks, json={"stage": 2, "score": 3, "comment": "clear"}, headers=second)
    assert (done.json()["final_score"], done.json()["result_status"]) == (2.5, "scored")
    released = app_client.get(f"/api/v1/attempts/{attempt_id}/result", headers=own).json()
    assert (released["status"], released["raw_score"], released["percent"]) == ("released", 8.5, 85.0)
    assert app_client.post(marks, json={"stage": 2, "score": 3}, headers=second).status_code == 409


def test_rescore_preview_apply_and_retake_exceptions(app_client: TestClient, program: Program) -> None:
    admin = bearer(app_client, "admin@example.org")
    exam_id, sitting_id = program.exam(essay=False)
    failed = program.take(sitting_id, program.candidates[0], {**PERFECT, "q1": "B", "q3": 41})
    body = {"version": 1, "item_id": program.items["q1"], "decision": "drop", "reason": "ambiguous stem"}
    preview = app_client.post(f"/api/v1/exams/{exam_id}/rescore", json=body, headers=admin).json()
    assert (preview["applied"], preview["decision_id"], preview["pass_fail_changes"]) == (False, None, [failed])
    [change] = preview["changes"]
    assert (change["before"]["raw_score"], change["before"]["max_score"], change["before"]["passed"]) == (4, 6, False)
    assert (change["after"]["raw_score"], change["after"]["max_score"], change["after"]["percent"]) == (4, 5, 80)
    applied = app_client.post(f"/api/v1/exams/{exam_id}/rescore", json={**body, "apply": True}, headers=admin).json()
    assert applied["applied"] and applied["decision_id"] and applied["changes"] == preview["changes"]
    again = app_client.post(f"/api/v1/exams/{exam_id}/rescore", json=body, headers=admin).json()
    assert again["changes"] == []
    wrong = app_client.post(f"/api/v1/exams/{exam_id}/rescore", json={**body, "item_id": "f" * 32}, headers=admin)
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (422, "item_not_on_exam")

    path = f"/api/v1/exams/{exam_id}/retake-exceptions"
    exception = {"user_id": program.candidates[0].id, "kind": "extra_attempt", "reason": "ill on the day"}
    granted = app_client.post(path, json=exception, headers=admin)
    assert granted.status_code == 201
    assert {k: granted.json()[k] for k in ("user_id", "exam_id", "kind", "reason", "granted_by")} == {
        **exception,
        "exam_id": exam_id,
        "granted_by": program.admin.id,
    }
    unknown = app_client.post(path, json={**exception, "user_id": "e" * 32}, headers=admin)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "candidate_not_found")
