"""The JSON API for certificates: public verification by code and revocation by an admin."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from examengine.app import create_app
from examengine.certificates.codes import grouped
from examengine.certificates.models import Certificate
from examengine.settings import Settings, ThrottleLimits
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import Program


def bearer(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_verification_needs_no_credentials_and_answers_the_public_facts(
    app_client: TestClient, program: Program, certified: tuple[str, Certificate]
) -> None:
    certificate = certified[1]
    code = grouped(certificate.code)
    for typed in (code, certificate.code.lower()):
        response = app_client.get(f"/api/v1/certificates/{typed}")
        assert response.status_code == 200
        assert response.json() == {
            "code": code,
            "status": "valid",
            "holder_name": "Candidate 0",
            "credential": "Scoring",
            "exam_code": "SCORE-1",
            "issued_at": certificate.issued_at.isoformat().replace("+00:00", "Z"),
            "expires_at": None,
            "revoked_at": None,
            "revocation_reason": None,
            "verify_url": f"http://testserver/verify/{code}",
        }
    unknown = app_client.get("/api/v1/certificates/0000-0000-0000-0000")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "certificate_not_found"
    assert app_client.get("/api/v1/certificates/not-a-code").json() == unknown.json()


def test_an_admin_revokes_with_a_reason_and_verification_shows_it(
    app_client: TestClient, program: Program, certified: tuple[str, Certificate]
) -> None:
    code = grouped(certified[1].code)
    path = f"/api/v1/certificates/{code}/revoke"
    reason = {"reason": "Exam content was leaked to the candidate."}
    assert app_client.post(path, json=reason).status_code == 401
    assert app_client.post(path, json=reason, headers=bearer(app_client, "cand0@example.org")).status_code == 403
    admin = bearer(app_client, "admin@example.org")
    for body, status in (({"reason": "  "}, 422), ({}, 422), ({"reason": "x", "extra": 1}, 422)):
        assert app_client.post(path, json=body, headers=admin).status_code == status
    assert app_client.post(path, content=b"{", headers={**admin, "Content-Type": "application/json"}).status_code == 400
    assert app_client.get(f"/api/v1/certificates/{code}").json()["status"] == "valid"
    revoked = app_client.post(path, json=reason, headers=admin)
    assert revoked.status_code == 200
    body = revoked.json()
    assert (body["status"], body["revocation_reason"]) == ("revoked", reason["reason"]) and body["revoked_at"]
    again = app_client.post(path, json={"reason": "Again."}, headers=admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "certificate_revoked"
    assert app_client.get(f"/api/v1/certificates/{code}").json() == body
    missing = app_client.post("/api/v1/certificates/0000-0000-0000-0000/revoke", json=reason, headers=admin)
    assert missing.status_code == 404


@pytest.fixture
def strict_client(settings: Settings, app_client: TestClient) -> Iterator[TestClient]:
    limited = replace(settings, throttle=ThrottleLimits(window_seconds=900, per_address=2))
    with TestClient(create_app(limited), base_url="http://testserver") as client:
        yield client


def test_unknown_codes_are_limited_per_address(
    strict_client: TestClient, program: Program, certified: tuple[str, Certificate]
) -> None:
    code = grouped(certified[1].code)
    assert strict_client.get(f"/api/v1/certificates/{code}").status_code == 200
    for _ in range(2):
        assert strict_client.get("/api/v1/certificates/0000-0000-0000-0000").status_code == 404
    throttled = strict_client.get(f"/api/v1/certificates/{code}")
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert throttled.json()["error"]["code"] == "too_many_attempts"
    page = strict_client.get(f"/verify/{code}")  # the page and the API share the budget
    assert page.status_code == 429 and "Too many unknown certificate codes" in page.text


def test_the_document_lists_both_operations(app_client: TestClient) -> None:
    paths = app_client.get("/api/openapi.json").json()["paths"]
    verify = paths["/api/v1/certificates/{code}"]["get"]
    assert verify.get("security") in (None, []) and {"200", "404", "429"} <= set(verify["responses"])
    revoke = paths["/api/v1/certificates/{code}/revoke"]["post"]
    assert revoke["security"] == [{"bearer": []}] and {"200", "403", "404", "409", "422"} <= set(revoke["responses"])
