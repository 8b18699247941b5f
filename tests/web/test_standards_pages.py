"""Standard setting pages: the admin runs an Angoff study, a judge rates at /judge, outsiders are turned away."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.context import Services
from tests.analysis.seeding import build_program, fixed_exam, take_fixed
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import Program
from tests.web.browsing import log_in, post_form


@pytest.fixture
def program(services: Services, make_user: Callable[..., UserView]) -> Program:
    return build_program(services, make_user)


def signed_in(app_client: TestClient, email: str) -> TestClient:
    client = TestClient(app_client.app)
    log_in(client, email, TEST_PASSWORD)
    return client


def test_an_angoff_round_from_creation_to_the_recommended_cut(app_client: TestClient, program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    admin = signed_in(app_client, "admin@example.org")
    standards_page = f"/admin/exams/{exam_id}/standards"
    assert f'href="{standards_page}"' in admin.get(f"/admin/exams/{exam_id}").text
    untitled = post_form(
        admin, standards_page, {"version": "1", "method": "angoff", "title": " "}, from_page=standards_page
    )
    assert untitled.status_code == 422 and "title" in untitled.text
    created = post_form(
        admin, standards_page, {"version": "1", "method": "angoff", "title": "Panel"}, from_page=standards_page
    )
    assert created.status_code == 303
    study_url = created.headers["location"]
    study_id = study_url.rsplit("/", 1)[1]
    no_judges = post_form(admin, f"{study_url}/rounds", {"action": "open"}, from_page=study_url)
    assert no_judges.status_code == 409 and "at least one judge" in no_judges.text
    unknown = post_form(admin, f"{study_url}/judges", {"email": "ghost@example.org"}, from_page=study_url)
    assert unknown.status_code == 422 and "No active account" in unknown.text
    assert post_form(admin, f"{study_url}/judges", {"email": "c1@example.org"}, from_page=study_url).status_code == 303
    assert post_form(admin, f"{study_url}/rounds", {"action": "open"}, from_page=study_url).status_code == 303

    judge = signed_in(app_client, "c1@example.org")
    assert f"/judge/studies/{study_id}" in judge.get("/judge").text
    page = judge.get(f"/judge/studies/{study_id}").text
    fields = re.findall(r'name="(rating_[0-9a-f]+)"', page)
    assert len(fields) == 3
    bad = post_form(judge, f"/judge/studies/{study_id}", {fields[0]: "140"}, from_page=f"/judge/studies/{study_id}")
    assert bad.status_code == 422 and "from 0 to 100" in bad.text
    ratings = dict(zip(fields, ("60", "50%", "40"), strict=True))
    saved = post_form(judge, f"/judge/studies/{study_id}", ratings, from_page=f"/judge/studies/{study_id}")
    assert saved.status_code == 200 and "Saved 3 rating(s)." in saved.text

    outsider = signed_in(app_client, "c2@example.org")
    assert outsider.get(f"/judge/studies/{study_id}").status_code == 404
    assert "not a judge of any study" in outsider.get("/judge").text

    assert post_form(admin, f"{study_url}/rounds", {"action": "close"}, from_page=study_url).status_code == 303
    detail = admin.get(study_url).text
    assert "Recommended raw cut: 1.50" in detail and "50.0%" in detail
    feedback = judge.get(f"/judge/studies/{study_id}").text
    assert "The group's cut after round 1: 1.50 of 3 items." in feedback


def test_a_hofstee_study_shows_its_chart(app_client: TestClient, program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    admin = signed_in(app_client, "admin@example.org")
    standards_page = f"/admin/exams/{exam_id}/standards"
    study_url = post_form(
        admin, standards_page, {"version": "1", "method": "hofstee", "title": "Hofstee"}, from_page=standards_page
    ).headers["location"]
    post_form(admin, f"{study_url}/judges", {"email": "author@example.org"}, from_page=study_url)
    post_form(admin, f"{study_url}/rounds", {"action": "open"}, from_page=study_url)
    judge = signed_in(app_client, "author@example.org")
    judge_url = "/judge/studies/" + study_url.rsplit("/", 1)[1]
    answers = {"min_cut": "40", "max_cut": "80", "min_fail": "20", "max_fail": "80"}
    assert "Saved your answers." in post_form(judge, judge_url, answers, from_page=judge_url).text
    post_form(admin, f"{study_url}/rounds", {"action": "close"}, from_page=study_url)
    detail = admin.get(study_url).text
    assert "Hofstee cut: 53.3%" in detail and 'aria-label="Hofstee standard setting"' in detail
