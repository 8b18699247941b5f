"""GET /api/v1/exams/{exam_id}/item-analysis and its CSV: the fields of API.md, filters, refusals."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.context import Services
from tests.analysis.seeding import build_program, fixed_exam, take_fixed
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import Program


@pytest.fixture
def program(services: Services, make_user: Callable[..., UserView]) -> Program:
    return build_program(services, make_user)


def bearer(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD})
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_the_contract_fields_and_values(app_client: TestClient, program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    admin = bearer(app_client, "admin@example.org")
    response = app_client.get(f"/api/v1/exams/{exam_id}/item-analysis", headers=admin)
    assert response.status_code == 200
    body = response.json()
    assert {"n", "mean", "sd", "kr20", "sem"} <= set(body["test"])
    assert body["test"]["n"] == 5 and body["test"]["kr20"] == pytest.approx(6 / 13)
    assert body["test"]["sem"] == pytest.approx(math.sqrt(0.7))
    first = next(item for item in body["items"] if item["item_id"] == program.items["s1"])
    contract = {"item_id", "version", "n", "p_value", "point_biserial", "corrected_point_biserial", "options", "flags"}
    assert contract <= set(first)
    assert (first["version"], first["n"], first["p_value"]) == (1, 5, pytest.approx(0.6))
    assert first["options"] == pytest.approx({"A": 0.6, "B": 0.2, "C": 0.2})
    third = next(item for item in body["items"] if item["item_id"] == program.items["s3"])
    assert [flag["code"] for flag in third["flags"]] == ["low_discrimination", "distractor_unused"]
    assert third["flags"][1]["option"] == "C"
    assert body["rules"]["missing"] == "wrong" and "wrong" in body["rules"]["missing_statement"]
    excluded = app_client.get(f"/api/v1/exams/{exam_id}/item-analysis?missing=exclude", headers=admin).json()
    assert next(i for i in excluded["items"] if i["item_id"] == program.items["s3"])["n"] == 4


def test_filters_and_csv(app_client: TestClient, program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    admin = bearer(app_client, "admin@example.org")
    other = program.sitting(exam_id)
    none = app_client.get(f"/api/v1/exams/{exam_id}/item-analysis?sitting_id={other}&version=1", headers=admin)
    assert none.status_code == 200 and none.json()["test"]["n"] == 0 and none.json()["items"] == []
    future = app_client.get(
        f"/api/v1/exams/{exam_id}/item-analysis", params={"since": "2999-01-01T00:00:00Z"}, headers=admin
    )
    assert future.json()["test"]["n"] == 0
    exported = app_client.get(f"/api/v1/exams/{exam_id}/item-analysis.csv", headers=admin)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 3
    s1 = next(row for row in rows if row["item_id"] == program.items["s1"])
    assert (s1["n"], s1["p_value"], s1["options"]) == ("5", "0.6000", "A=0.6000 B=0.2000 C=0.2000")


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("version=7", 404, "exam_version_not_found"),
        ("sitting_id=0123abcd", 404, "sitting_not_found"),
        ("since=2026-01-01", 422, "invalid_query"),  # not a date-time with its offset
        ("since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", 422, "empty_date_range"),
        ("missing=maybe", 422, "invalid_query"),
    ],
)
def test_bad_queries_are_refused_with_a_reason(
    app_client: TestClient, program: Program, query: str, status: int, code: str
) -> None:
    exam_id, _ = fixed_exam(program)
    response = app_client.get(
        f"/api/v1/exams/{exam_id}/item-analysis?{query}", headers=bearer(app_client, "admin@example.org")
    )
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_only_admins_and_unknown_exams(app_client: TestClient, program: Program) -> None:
    exam_id, _ = fixed_exam(program)
    author = bearer(app_client, "author@example.org")
    assert app_client.get(f"/api/v1/exams/{exam_id}/item-analysis", headers=author).status_code == 403
    assert app_client.get(f"/api/v1/exams/{exam_id}/item-analysis").status_code == 401
    unknown = app_client.get(
        "/api/v1/exams/" + "0" * 32 + "/item-analysis", headers=bearer(app_client, "admin@example.org")
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "exam_not_found"
