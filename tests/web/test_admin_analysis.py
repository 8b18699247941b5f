"""Admin analysis pages: an exam's analysis with charts, filters and downloads, saving statistics to the bank (shown
on the author's item page), and the analysis of an uploaded response file."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.context import Services
from tests.analysis.seeding import build_program, fixed_exam, loft_exam, take_fixed
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import Program
from tests.web.browsing import log_in, post_form


@pytest.fixture
def program(services: Services, make_user: Callable[..., UserView]) -> Program:
    return build_program(services, make_user)


@pytest.fixture
def admin(app_client: TestClient, program: Program) -> TestClient:
    """Signed in as the program's admin (the program creates the account)."""
    client = TestClient(app_client.app)
    log_in(client, "admin@example.org", TEST_PASSWORD)
    return client


def test_the_analysis_page_shows_the_summary_charts_and_flags(admin: TestClient, program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    assert f'href="/admin/exams/{exam_id}/analysis"' in admin.get(f"/admin/exams/{exam_id}").text
    page = admin.get(f"/admin/exams/{exam_id}/analysis")
    assert page.status_code == 200
    text = page.text
    assert "<dt>KR-20</dt><dd>0.462</dd>" in text
    assert 'role="img" aria-label="Score distribution of 5 attempts"' in text
    assert 'aria-label="Item difficulty and discrimination"' in text
    assert "Option curves for item" in text
    assert "Nobody chose option C: it distracts no one." in text
    assert "Cut 2.1" in text
    chosen = admin.get(f"/admin/exams/{exam_id}/analysis", params={"item": program.items["s2"]}).text
    assert "Option curves for item ITM-000002" in chosen


def test_downloads_follow_the_filters(admin: TestClient, program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    exported = admin.get(f"/admin/exams/{exam_id}/analysis", params={"format": "csv", "missing": "exclude"})
    assert (
        exported.headers["content-type"].startswith("text/csv")
        and "attachment" in exported.headers["content-disposition"]
    )
    assert exported.text.splitlines()[0].startswith("item_id,code,version")
    whole = admin.get(f"/admin/exams/{exam_id}/analysis", params={"format": "json", "sitting_id": sitting_id})
    assert json.loads(whole.text)["filters"]["sitting_id"] == sitting_id
    assert json.loads(whole.text)["rules"]["missing"] == "wrong"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "yesterday"}, "give a date as YYYY-MM-DD"),
        ({"since": "2026-02-02", "until": "2026-02-01"}, "The date range is empty"),
        ({"version": "x"}, "give a version number"),
        ({"missing": "maybe"}, "choose wrong or exclude"),
    ],
)
def test_bad_filters_show_the_reason(admin: TestClient, program: Program, params: dict[str, str], message: str) -> None:
    exam_id, _ = fixed_exam(program)
    page = admin.get(f"/admin/exams/{exam_id}/analysis", params=params)
    assert page.status_code == 422 and message in page.text


def test_a_sitting_of_another_exam_is_refused_and_an_unknown_exam_is_404(admin: TestClient, program: Program) -> None:
    exam_id, _ = fixed_exam(program)
    _, other_sitting = fixed_exam(program)
    page = admin.get(f"/admin/exams/{exam_id}/analysis", params={"sitting_id": other_sitting})
    assert page.status_code == 422 and "another exam" in page.text
    assert admin.get("/admin/exams/" + "0" * 32 + "/analysis").status_code == 404


def test_saving_statistics_shows_them_on_the_author_item_page(admin: TestClient, program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    saved = post_form(admin, f"/admin/exams/{exam_id}/analysis/save", {}, from_page=f"/admin/exams/{exam_id}/analysis")
    assert saved.status_code == 200 and "Saved the statistics of 3 item version(s)" in saved.text
    item_page = admin.get(f"/author/items/{program.items['s1']}").text
    assert "p = 0.60, discrimination (item-rest) 0.33 (n = 5, computed " in item_page


RESPONSES = "q1,q2,q3\nA,B,A\nA,A,C\nB,B,A\nA,B,B\nC,B,A\n"


def _upload(client: TestClient, files: dict[str, tuple[str, bytes, str]], **fields: str) -> object:
    page = client.get("/admin/analysis/upload")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/admin/analysis/upload", data={"csrf_token": token, **fields}, files=files)


def test_an_uploaded_response_file_is_analysed(admin: TestClient, program: Program) -> None:
    files = {
        "responses": ("answers.csv", RESPONSES.encode(), "text/csv"),
        "key": ("key.csv", b"A,B,A\n", "text/csv"),
    }
    page = _upload(admin, files, cut="2")
    assert page.status_code == 200  # type: ignore[attr-defined]
    text = page.text  # type: ignore[attr-defined]
    assert "Results for answers.csv" in text and "<dt>Examinees</dt><dd>5</dd>" in text
    assert 'aria-label="Score distribution"' in text and "Cut 2" in text
    assert "Option curves for item q1" in text


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Choose a file to upload."),
        ({"responses": ("a.csv", b"\xff\xfe\x00", "text/csv")}, "is not UTF-8 text"),
        (
            {"responses": ("a.csv", b"q1,q2\nA,B\nA\n", "text/csv")},
            "line 3: this row has 1 cells but there are 2 items",
        ),
        ({"responses": ("a.csv", b"q1,q2\nA,B\n", "text/csv")}, "without a key every answer must be a score"),
        (
            {"responses": ("a.csv", b"q1,q2\nA,B\n", "text/csv"), "key": ("k.csv", b"A\n", "text/csv")},
            "the key has 1 entries but the responses have 2 items",
        ),
    ],
)
def test_bad_uploads_get_a_clear_error(
    admin: TestClient, program: Program, files: dict[str, tuple[str, bytes, str]], message: str
) -> None:
    page = _upload(admin, files)
    assert page.status_code == 422, page.text  # type: ignore[attr-defined]
    assert message in page.text  # type: ignore[attr-defined]


def test_an_upload_over_the_limit_is_refused_unread(admin: TestClient, program: Program) -> None:
    too_big = b"0\n" * (5 * 1024 * 1024 // 2 + 1)
    page = _upload(admin, {"responses": ("big.csv", too_big, "text/csv")})
    assert page.status_code == 413 and "larger than 5 MiB" in page.text  # type: ignore[attr-defined]


def test_a_loft_exam_states_why_reliability_is_per_form(admin: TestClient, program: Program) -> None:
    for _ in range(5):  # five attempts drawing 2 of 3 items may all draw the same form (about 1 in 80): draw again
        exam_id, sitting_id = loft_exam(program, count=2)
        take_fixed(program, sitting_id)
        page = admin.get(f"/admin/exams/{exam_id}/analysis")
        assert page.status_code == 200
        if "Every attempt had the same items" not in page.text:
            break
    assert "different forms, so one KR-20 or alpha over all attempts is not defined" in page.text
    assert "<dt>KR-20</dt><dd>not computed</dd>" in page.text
