"""Official score reports (API.md "Score reports, incidents, appeals"): the fields, the blueprint's domain names,
each domain's performance against the passing standard at every boundary, too few items, what passing and
failing candidates get, a new version after a rescore, who may read one, and nothing about accommodations or
proctor notes on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from examengine.accounts.credentials import Principal
from examengine.accounts.models import CredentialKind, Role
from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.delivery import attempts
from examengine.exams.definition import ExamDefinition
from examengine.exams.service import parse_definition
from examengine.proctoring import notes
from examengine.programs import score_reports
from examengine.programs.domain_performance import cut_percent, performance, standard_error
from examengine.programs.models import AccommodationRequest, AccommodationStatus
from examengine.settings import Settings
from tests.conftest import TEST_ARGON2, TEST_PASSWORD
from tests.programs.report_setup import build_program, cand, in_scheme, token
from tests.scoring.conftest import PERFECT, Program
from tests.web.browsing import log_in

NAMED = [{"code": "D1", "name": "Hazard identification"}, {"code": "D2", "name": "Safe handling"}]
# D1: q1 (1 point) and q2 (2 points); D2: q3 (1 point) and gaps (2 points); 70 % cut, scale 200-800 cut 500
D1_NEAR_D2_BELOW = {"q1": "A", "q2": ["A"], "q3": 42, "gaps": {"RESPONSE_g1": "Y", "RESPONSE_g2": "X"}}
D1_ABOVE_D2_BELOW = {"q1": "A", "q2": ["A", "C"], "q3": 7, "gaps": {"RESPONSE_g1": "Y", "RESPONSE_g2": "X"}}
ACCOMMODATION = "Large print and a separate room"
NOTE = "Candidate looked at the neighbour's screen twice"


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Settings:
    """Two items are enough to report a domain (the default is five; the small bank has two per domain)."""
    return replace(Settings(), database_url=migrated_url, argon2=TEST_ARGON2, scheduler="off", score_report_min_items=2)


@pytest.fixture
def program(services: Services, make_user: Callable[..., UserView]) -> Program:
    return build_program(services, make_user)


def report(client: TestClient, who: str, attempt_id: str) -> Any:
    return client.get(f"/api/v1/attempts/{attempt_id}/score-report", headers=token(client, who))


def definition(**changes: Any) -> ExamDefinition:
    body: dict[str, Any] = {
        "code": "CUT-1",
        "title": "Cut",
        "time_limit_minutes": 10,
        "assembly": "fixed",
        "sections": [{"title": "A", "items": [{"item_id": "a1", "version": 1}]}],
        **changes,
    }
    return parse_definition(body)


# -- the rule, at every boundary (pure: no database) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "items", "expected"),
    [
        (100.0, 10, "at_or_above"),
        (70.0, 10, "at_or_above"),  # exactly at the cut is at
        (69.99, 10, "near"),
        (70 - standard_error(70, 10), 10, "near"),  # exactly one standard error below is near
        (55.51, 10, "near"),  # se(70 %, 10 items) = 14.49: the band ends at 55.5086
        (55.50, 10, "below"),
        (0.0, 10, "below"),
        (69.99, 4, "insufficient_items"),  # under the minimum of 5
        (20.0, 5, "below"),  # at the minimum: judged
        (None, 5, "insufficient_items"),  # a domain with no points to score
    ],
)
def test_the_performance_of_a_domain_at_each_boundary(percent: float | None, items: int, expected: str) -> None:
    assert performance(percent=percent, items=items, cut=70.0, minimum_items=5).value == expected


def test_the_standard_error_band_and_the_cut_in_percent_on_each_kind_of_cut() -> None:
    assert round(standard_error(70, 10), 2) == 14.49 and round(standard_error(70, 2), 2) == 32.40
    assert cut_percent(definition(cut_score={"type": "percent", "value": 70}), 6) == 70
    assert cut_percent(definition(cut_score={"type": "raw", "value": 3}), 6) == 50
    scaled = definition(cut_score={"type": "scaled", "value": 650}, scale={"min": 200, "max": 800, "cut": 500})
    assert cut_percent(scaled, 6) == 75
    assert cut_percent(definition(), 6) is None


# -- the report ---------------------------------------------------------------------------------------------------


def test_a_failing_candidate_gets_the_fields_and_the_domains_by_their_names(
    app_client: TestClient, program: Program
) -> None:
    exam_id, sitting_id = program.exam(essay=False, domains=NAMED)
    attempt_id = program.take(sitting_id, program.candidates[0], D1_NEAR_D2_BELOW)
    found = report(app_client, cand(0), attempt_id)
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["version"] == 1 and len(body["report_id"]) == 32
    assert body["exam"] == {"exam_id": exam_id, "code": "SCORE-1", "title": "Scoring"}
    assert body["candidate_name"] == "Candidate 0" and body["taken_at"]
    # 3 of 6 points, raw cut 4.2: 200 + 300 * 3 / 4.2 = 414.3
    assert body["passed"] is False and body["scaled_score"] == 414 and body["passing_score"] == 500
    assert body["passing_on"] == "scaled" and body["scale"] == {"min": 200, "max": 800}
    # se(70 %, 2 items) = 32.4: D1 66.7 % is near, D2 33.3 % below
    assert body["domains"] == [
        {"name": "Hazard identification", "items": 2, "performance": "near"},
        {"name": "Safe handling", "items": 2, "performance": "below"},
    ]
    assert "D1" not in found.text and "D2" not in found.text
    other = program.take(sitting_id, program.candidates[1], D1_ABOVE_D2_BELOW)
    assert [d["performance"] for d in report(app_client, cand(1), other).json()["domains"]] == [
        "at_or_above",
        "below",
    ]
    again = report(app_client, cand(0), attempt_id).json()
    assert (again["report_id"], again["version"]) == (body["report_id"], 1)  # reading again issues nothing


def test_under_the_minimum_a_domain_has_insufficient_items(program: Program) -> None:
    _, sitting_id = program.exam(essay=False, domains=NAMED)
    attempt_id = program.take(sitting_id, program.candidates[0], D1_NEAR_D2_BELOW)
    now = datetime.now(UTC)
    user = program.candidates[0]
    roles = frozenset({Role.CANDIDATE})
    who = Principal(user.id, user.email, user.name, roles, CredentialKind.API, "", "", now, now)
    issued = program.call(
        score_reports.score_report,
        attempt_id=attempt_id,
        who=who,
        minimum_items=3,
        now=datetime.now(UTC),
    )
    assert [(d["name"], d["performance"]) for d in issued.body["domains"]] == [
        ("Hazard identification", "insufficient_items"),
        ("Safe handling", "insufficient_items"),
    ]
    assert issued.body["minimum_items"] == 3


def test_a_passing_candidate_gets_the_decision_and_scores_but_no_domain_diagnostics(
    app_client: TestClient, program: Program
) -> None:
    _, sitting_id = program.exam(essay=False, domains=NAMED)
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    body = report(app_client, cand(0), attempt_id).json()
    assert body["passed"] is True and body["scaled_score"] == 800 and body["domains"] == []


def test_without_a_scale_the_passing_score_is_in_percent_and_without_a_cut_there_is_no_report(
    app_client: TestClient, program: Program
) -> None:
    _, percent_exam = program.exam(essay=False, scale=None)
    attempt_id = program.take(percent_exam, program.candidates[0], D1_NEAR_D2_BELOW)
    body = report(app_client, cand(0), attempt_id).json()
    assert body["scaled_score"] is None and body["percent"] == 50 and body["passing_score"] == 70
    assert body["passing_on"] == "percent"
    _, no_cut = program.exam(essay=False, scale=None, cut_score=None)
    refused = report(app_client, cand(0), program.take(no_cut, program.candidates[0], PERFECT))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_passing_standard"


def test_a_rescore_issues_the_next_version_under_the_same_id(app_client: TestClient, program: Program) -> None:
    exam_id, sitting_id = program.exam(essay=False, domains=NAMED)
    attempt_id = program.take(sitting_id, program.candidates[0], D1_NEAR_D2_BELOW)
    first = report(app_client, cand(0), attempt_id).json()
    applied = app_client.post(
        f"/api/v1/exams/{exam_id}/rescore",
        json={"version": 1, "item_id": program.items["gaps"], "decision": "credit_all", "reason": "key", "apply": True},
        headers=token(app_client, "admin@example.org"),
    )
    assert applied.status_code == 200, applied.text
    stored = program.call(score_reports.versions, attempt_id=attempt_id)
    assert [r.version for r in stored] == [1, 2]  # issued by the rescore, before anyone reads it
    second = report(app_client, cand(0), attempt_id).json()
    assert second["report_id"] == first["report_id"] and second["version"] == 2
    assert second["passed"] is True and second["domains"] == []  # 5 of 6 points now
    assert stored[0].body["passed"] is False and stored[0].body["domains"] == first["domains"]  # kept as issued


def test_who_may_read_a_report_and_when(app_client: TestClient, program: Program, make_user: Any) -> None:
    make_user("proctor@example.org", "proctor")
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    assert report(app_client, cand(0), attempt_id).status_code == 200
    assert report(app_client, "admin@example.org", attempt_id).status_code == 200
    other = report(app_client, cand(1), attempt_id)
    assert other.status_code == 404 and other.json()["error"]["code"] == "attempt_not_found"
    assert report(app_client, "proctor@example.org", attempt_id).status_code == 403
    assert report(app_client, cand(0), "0" * 32).status_code == 404
    _, manual = program.exam(essay=False, result_release="manual")
    unreleased = program.take(manual, program.candidates[1], PERFECT)
    for who in (cand(1), "admin@example.org"):
        held = report(app_client, who, unreleased)
        assert held.status_code == 409 and held.json()["error"]["code"] == "result_not_released"
        assert held.json()["error"]["details"] == {"withheld": "not_released"}


def test_accommodations_and_proctor_notes_never_appear_on_the_report(app_client: TestClient, program: Program) -> None:
    exam_id, sitting_id = program.exam(essay=False, domains=NAMED)
    scheme_id = in_scheme(program, exam_id)
    candidate = program.candidates[0]

    def accommodate(*, session: Session) -> None:
        now = datetime.now(UTC)
        granted = {"extra_minutes": 30, "other": ACCOMMODATION}
        session.add(
            AccommodationRequest(
                scheme_id=scheme_id,
                user_id=candidate.id,
                requested=granted,
                approved=granted,
                statement="dyslexia",
                status=AccommodationStatus.APPROVED,
                created_at=now,
                decided_at=now,
            )
        )

    program.call(accommodate)
    attempt_id = program.begin(sitting_id, candidate, D1_NEAR_D2_BELOW)
    for category in (None, "conduct"):
        program.call(notes.add_note, attempt_id=attempt_id, actor_id=program.admin.id, text=NOTE, category=category)
    program.call(attempts.submit, attempt_id=attempt_id, user_id=candidate.id)
    program.score(attempt_id)
    api = report(app_client, cand(0), attempt_id)
    client = TestClient(app_client.app)
    assert log_in(client, cand(0), TEST_PASSWORD).status_code == 303
    page = client.get(f"/candidate/attempts/{attempt_id}/report")
    assert api.status_code == 200 and page.status_code == 200
    assert "Hazard identification" in page.text and "Hazard identification" in api.text
    for shown in (api.text, page.text):
        for secret in (ACCOMMODATION, NOTE, "dyslexia", "extra_minutes", "conduct", "30 minutes"):
            assert secret not in shown


def test_the_printable_page_shows_the_same_figures_and_an_admin_can_open_it(
    app_client: TestClient, program: Program
) -> None:
    _, sitting_id = program.exam(essay=False, domains=NAMED)
    attempt_id = program.take(sitting_id, program.candidates[0], D1_NEAR_D2_BELOW)
    body = report(app_client, cand(0), attempt_id).json()
    admin = TestClient(app_client.app)
    assert log_in(admin, "admin@example.org", TEST_PASSWORD).status_code == 303
    page = admin.get(f"/candidate/attempts/{attempt_id}/report")
    assert page.status_code == 200
    assert body["report_id"] in page.text and "version 1" in page.text
    assert "Scaled score <strong>414</strong>" in page.text and "passing score 500" in page.text
    assert "Near the passing standard" in page.text and "Below the passing standard" in page.text
    assert "Candidate 0" in page.text
    stranger = TestClient(app_client.app)
    assert log_in(stranger, cand(1), TEST_PASSWORD).status_code == 303
    assert stranger.get(f"/candidate/attempts/{attempt_id}/report").status_code == 404
