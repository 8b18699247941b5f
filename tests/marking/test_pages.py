"""The marking pages (blind, escaped, bounded, stale marks refused), the admin results page with its filters,
release and retake exceptions, and the rescoring preview and confirmation pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.scoring.models import AttemptResult
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import PERFECT, Program
from tests.web.browsing import csrf_from, log_in, post_form

ESSAY = "<script>alert('x')</script> Fire doors & exits"
SCRIPT_PATH = re.compile(r"/marking/scripts/(S-[0-9A-F]{12})/items/(\d+)")


def _signed_in(app_client: TestClient, email: str) -> TestClient:
    client = TestClient(app_client.app)
    assert log_in(client, email, TEST_PASSWORD).status_code == 303
    return client


def test_a_marker_marks_blind_and_the_result_completes(
    app_client: TestClient, program: Program, make_user: Callable[..., UserView]
) -> None:
    make_user("marker@example.org", "marker", name="Mia Marker")
    make_user("marker2@example.org", "marker")
    _, sitting_id = program.exam()
    candidate = program.candidates[0]
    attempt_id = program.take(sitting_id, candidate, {**PERFECT, "essay": ESSAY})
    marker = _signed_in(app_client, "marker@example.org")
    queue = marker.get("/marking")
    assert queue.status_code == 200 and "SCORE-1" in queue.text and "Next script" in queue.text
    taken = post_form(marker, "/marking/next", {"exam_id": "", "item_id": ""}, from_page="/marking")
    assert taken.status_code == 303
    found = SCRIPT_PATH.fullmatch(taken.headers["location"])
    assert found is not None
    page = marker.get(taken.headers["location"])
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Fire doors &amp; exits" in page.text
    assert "<script>alert" not in page.text
    for secret in (candidate.name, candidate.email, candidate.id, attempt_id, sitting_id):
        assert secret not in page.text, secret
    assert 'max="4.0"' in page.text and "Mark (0 to 4)" in page.text

    path = taken.headers["location"]
    too_high = marker.post(path, data={"csrf_token": csrf_from(page), "stage": "1", "score": "4.5", "comment": "x"})
    assert too_high.status_code == 422 and "between 0 and 4" in too_high.text and "x</textarea>" in too_high.text
    not_number = marker.post(path, data={"csrf_token": csrf_from(page), "stage": "1", "score": "lots"})
    assert not_number.status_code == 422 and "as a number" in not_number.text
    done = marker.post(
        path, data={"csrf_token": csrf_from(page), "stage": "1", "score": "3", "comment": "ok"}, follow_redirects=False
    )
    assert (done.status_code, done.headers["location"]) == (303, "/marking?notice=final")
    assert "final score" in marker.get("/marking?notice=final").text
    result = program.score(attempt_id)
    assert (result.raw_score, result.percent, result.passed) == (9.0, 90.0, True)

    other = _signed_in(app_client, "marker2@example.org")
    stale = other.post(path, data={"csrf_token": csrf_from(other.get("/marking")), "stage": "1", "score": "1"})
    assert stale.status_code == 409 and "not recorded" in stale.text
    assert other.get(path).status_code == 404


def test_the_results_page_filters_releases_and_grants_exceptions(app_client: TestClient, program: Program) -> None:
    exam_id, sitting_id = program.exam(result_release="manual")
    passed = program.take(sitting_id, program.candidates[0], PERFECT)  # the essay waits for marking
    failed = program.take(sitting_id, program.candidates[1], {})
    admin = _signed_in(app_client, "admin@example.org")
    page = admin.get(f"/admin/exams/{exam_id}/results")
    assert page.status_code == 200
    assert f"/admin/exams/{exam_id}/results.csv" in page.text and "Release results" in page.text
    assert passed[:8] in page.text and failed[:8] in page.text
    pending = admin.get(f"/admin/exams/{exam_id}/results?status=pending_marking").text
    assert passed[:8] in pending and failed[:8] not in pending
    failing = admin.get(f"/admin/exams/{exam_id}/results?outcome=failed&sitting={sitting_id}").text
    assert failed[:8] in failing and passed[:8] not in failing
    assert "No results match" in admin.get(f"/admin/exams/{exam_id}/results?outcome=passed").text
    junk = admin.get(f"/admin/exams/{exam_id}/results?sitting=not-an-id&status=nope&outcome=maybe")
    assert junk.status_code == 200 and passed[:8] in junk.text and failed[:8] in junk.text  # unknown filters ignored
    assert admin.get(f"/admin/exams/{'0' * 32}/results").status_code == 404

    results_path = f"/admin/exams/{exam_id}/results"
    released = post_form(admin, f"{results_path}/release", {"sitting_id": sitting_id}, from_page=results_path)
    assert (released.status_code, released.headers["location"]) == (303, f"{results_path}?notice=released")
    assert program.call(_released_at, attempt_id=failed) is not None

    granted = post_form(
        admin,
        f"/admin/exams/{exam_id}/retake-exceptions",
        {"user_id": program.candidates[1].id, "kind": "waive_wait", "reason": "power cut in the room"},
        from_page=results_path,
    )
    assert granted.status_code == 303
    assert "waive wait: power cut in the room" in admin.get(results_path).text
    refused = post_form(
        admin,
        f"/admin/exams/{exam_id}/retake-exceptions",
        {"user_id": program.candidates[1].id, "kind": "forever", "reason": "x"},
        from_page=results_path,
    )
    assert refused.status_code == 422


def test_rescoring_is_previewed_then_applied_with_the_changed_candidates(
    app_client: TestClient, program: Program
) -> None:
    exam_id, sitting_id = program.exam(essay=False)
    program.take(sitting_id, program.candidates[0], PERFECT)
    program.take(sitting_id, program.candidates[1], {**PERFECT, "q1": "B", "q3": 41})  # 4/6: fails
    admin = _signed_in(app_client, "admin@example.org")
    form_path = f"/admin/exams/{exam_id}/rescore"
    form = admin.get(form_path)
    assert form.status_code == 200 and "Preview rescoring" in form.text
    choice = {"version": "1", "item_id": program.items["q1"], "kind": "credit_all", "item_version": ""}
    preview = post_form(admin, f"{form_path}/preview", {**choice, "reason": "two keys"}, from_page=form_path)
    assert preview.status_code == 200 and "What would change" in preview.text
    assert "Candidate 1 (cand1@example.org): fail → pass" in preview.text
    assert "Apply rescoring" in preview.text
    assert program.call(_raw) == [4.0, 6.0]  # nothing written by the preview
    applied = post_form(admin, form_path, {**choice, "reason": "two keys"}, from_page=form_path)
    assert applied.status_code == 200 and "Rescoring applied" in applied.text
    assert "1 of 2 results changed" in applied.text and "fail → pass" in applied.text
    assert program.call(_raw) == [5.0, 6.0]
    no_reason = post_form(admin, f"{form_path}/preview", {**choice, "reason": " "}, from_page=form_path)
    assert no_reason.status_code == 422 and "reason" in no_reason.text


def _released_at(*, session: Session, attempt_id: str) -> datetime | None:
    found = session.get(AttemptResult, attempt_id)
    assert found is not None
    return found.released_at


def _raw(*, session: Session) -> list[float]:
    return sorted(row.raw_score for row in session.scalars(select(AttemptResult)))
