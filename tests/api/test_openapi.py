"""The OpenAPI 3.1 document is generated from the code, and the API keeps to it under generated input.

Schemathesis sends generated requests (valid and invalid) to every documented operation and checks that no
response is a 500 and that every response matches the documented status codes and bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from examengine.api.meta import healthz
from examengine.api.spec import OpenApi
from examengine.app import create_app
from examengine.settings import Settings
from tests.conftest import TEST_PASSWORD


def test_the_document_is_openapi_3_1_and_lists_the_api(app_client: TestClient) -> None:
    document = app_client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert {"/api/v1/auth/token", "/api/v1/users", "/healthz"} <= set(paths)
    assert not any(path.startswith("/admin") or path == "/login" for path in paths), "pages are not API"
    create = paths["/api/v1/users"]["post"]
    assert create["security"] == [{"bearer": []}]
    assert {"201", "401", "403", "409", "422"} <= set(create["responses"])
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


@pytest.fixture
def admin_token(app_client: TestClient, make_user: Callable[..., Any]) -> str:
    make_user("ada@example.org", "admin")
    response = app_client.post("/api/v1/auth/token", json={"email": "ada@example.org", "password": TEST_PASSWORD})
    return str(response.json()["token"])


EXCLUDED = {("DELETE", "/api/v1/auth/token")}  # it would revoke the token the run uses; tested directly
# Rules JSON Schema cannot state, each tested directly: a file's bytes (an upload may hold no valid item), and a
# blueprint's consistency (a section needs items, a draw names a pool, a cut within its scale), a sitting's
# window (closes after it opens).
CONTENT_CHECKED_ELSEWHERE = {
    ("POST", "/api/v1/items/import"),
    ("POST", "/api/v1/exams"),
    ("POST", "/api/v1/exams/{exam_id}/versions"),
    ("POST", "/api/v1/sittings"),
    # an item's kind rules (a choice needs options, one of them correct), tested in tests/api/test_create_item_api.py
    ("POST", "/api/v1/items"),
    # an item analysis's date range (since before until), tested in tests/api/test_analysis_api.py
    ("GET", "/api/v1/exams/{exam_id}/item-analysis"),
    ("GET", "/api/v1/exams/{exam_id}/item-analysis.csv"),
    # the accent's contrast, a real time zone, an image's bytes: tests/organisation/test_doors.py
    ("PUT", "/api/v1/organisation"),
    ("PUT", "/api/v1/organisation/{kind}"),
    # programs: schemes: a kind's rules (a certification needs a cycle, attendance has no exams), existing exams,
    # ISO 8601 durations: tests/programs/test_schemes.py
    ("POST", "/api/v1/schemes"),
    # programs: a list's cursor is one the list gave, so a made-up one is rightly 422 (tests/programs/test_*.py)
    ("GET", "/api/v1/authorizations"),
    # programs: accommodations (the same rule)
    ("GET", "/api/v1/accommodation-requests"),
    ("GET", "/api/v1/applications"),
    # programs: reports: an empty or missing reason answers the contract's own 422 reason_required (the document
    # cannot require it without pydantic answering invalid_body first): tests/programs/test_incident_decisions.py
    ("POST", "/api/v1/attempts/{attempt_id}/incident-decision"),
    # programs: attendance names users who must exist (422 unknown_users: valid JSON, invalid content), which a
    # generated id is not; reached whenever a generated scheme code matches one an earlier generated POST created:
    # tests/programs/test_credentials_api.py
    ("POST", "/api/v1/schemes/{code}/attendance"),
}


def run_generated_cases(operation: Any, headers: dict[str, str], excluded: list[Any]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def keeps_to_document(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    keeps_to_document()


def test_the_api_keeps_to_its_document(app_client: TestClient, admin_token: str) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app_client.app)
    headers = {"Authorization": f"Bearer {admin_token}"}
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid operation raises here, failing the test
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue

        key = (operation.method.upper(), operation.path)
        excluded = [positive_data_acceptance] if key in CONTENT_CHECKED_ELSEWHERE else []

        run_generated_cases(operation, headers, excluded)
        checked.append(f"{operation.method.upper()} {operation.path}")
    documented = app_client.get("/api/openapi.json").json()["paths"]
    operations = sum(len(methods) for methods in documented.values())
    assert len(checked) == operations - len(EXCLUDED) >= 4, checked


def test_each_app_documents_its_own_routes_on_a_spec_of_its_own(settings: Settings) -> None:
    first, second = create_app(settings), create_app(settings)
    assert first.state.openapi.document == second.state.openapi.document
    assert first.state.openapi.document is not second.state.openapi.document
    alone = OpenApi([Route("/only", healthz, methods=["GET"]), Route("/page", health_page)]).document
    assert list(alone["paths"]) == ["/only"] and alone["paths"]["/only"]["get"]["tags"] == ["meta"]
    assert "/healthz" in first.state.openapi.document["paths"]


async def health_page(request: Request) -> Response:
    return Response("not an API operation")
