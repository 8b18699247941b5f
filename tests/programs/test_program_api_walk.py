"""The credential program through the JSON API alone, as an integration would drive it (API.md "Credential
programs"), across every slice: a scheme over an exam, an application with an attestation, a reviewer's approval, the
authorization it issues, a seat booked in a bookable sitting, the start the authorization allows (and the one it
refuses before), a passing attempt whose release awards the credential, its cycle, the public registry, the Open
Badge and the official score report. Both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from examengine.delivery import answers
from tests.api.test_exams_api import bearer
from tests.conftest import save_answer
from tests.scoring.conftest import PERFECT, Program, program  # noqa: F401 - the fixture
from tests.shown import as_shown

HANDBOOK = {"version": "2026.1", "text": "Policies: be honest."}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _scheme(client: TestClient, admin: dict[str, str], exam_id: str) -> None:
    body = {
        "code": "WALK",
        "title": "Walk Certified Professional",
        "kind": "certification",
        "exam_ids": [exam_id],
        "pathways": [
            {
                "code": "EXP",
                "title": "Experience",
                "requirements": [{"code": "ETHICS", "title": "I follow the code", "evidence": "attestation"}],
            }
        ],
        "authorization_period": "P30D",
        "attempts_per_authorization": 1,
        "cycle": "P3Y",
        "grace_period": "P90D",
        "recertification": {"by_exam": True, "ce_credits": 10},
        "appeal_period": "P30D",
        "handbook": HANDBOOK,
    }
    _ok(client.post("/api/v1/schemes", json=body, headers=admin), 201)


def test_scheme_application_authorization_booking_start_credential_registry(
    program: Program,  # noqa: F811
    app_client: TestClient,
) -> None:
    client, now = app_client, datetime.now(UTC)
    exam_id, _ = program.exam(essay=False)
    holder = program.candidates[0]
    admin, candidate = bearer(client, program.admin.email), bearer(client, holder.email)
    _scheme(client, admin, exam_id)

    sitting = {
        "exam_id": exam_id,
        "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(hours=3)).isoformat(),
        "title": "Bookable",
        "capacity": 2,
        "bookable": True,
        "booking_closes_at": (now + timedelta(hours=1)).isoformat(),
        "cancel_closes_at": (now + timedelta(hours=1)).isoformat(),
    }
    sitting_id = _ok(client.post("/api/v1/sittings", json=sitting, headers=admin), 201)["sitting_id"]
    refused = client.post(f"/api/v1/sittings/{sitting_id}/attempts", headers=candidate)
    assert refused.status_code == 403 and refused.json()["error"]["code"] in {"not_enrolled", "no_authorization"}

    application = _ok(client.post("/api/v1/schemes/WALK/applications", json={"pathway": "EXP"}, headers=candidate), 201)
    application_id = application["application_id"]
    assert application["status"] == "draft"
    evidence = {"requirement": "ETHICS", "attestation": True}
    _ok(client.post(f"/api/v1/applications/{application_id}/evidence", json=evidence, headers=candidate), 201)
    submitted = client.post(
        f"/api/v1/applications/{application_id}/submit", json={"handbook_version": "2026.1"}, headers=candidate
    )
    assert _ok(submitted)["status"] == "submitted"
    decided = client.post(
        f"/api/v1/applications/{application_id}/decision", json={"decision": "approve", "reason": ""}, headers=admin
    )
    authorization_id = _ok(decided)["authorization_id"]

    mine = _ok(client.get("/api/v1/authorizations?mine=true", headers=candidate))["items"]
    assert [(a["authorization_id"], a["status"], a["attempts_used"]) for a in mine] == [(authorization_id, "issued", 0)]
    assert mine[0]["exam_ids"] == [exam_id]
    open_seats = _ok(client.get(f"/api/v1/authorizations/{authorization_id}/sittings", headers=candidate))
    assert [(s["sitting_id"], s["seats_left"]) for s in open_seats] == [(sitting_id, 2)]
    booking = {"authorization_id": authorization_id, "sitting_id": sitting_id}
    assert _ok(client.post("/api/v1/bookings", json=booking, headers=candidate), 201)["status"] == "confirmed"
    assert _ok(client.get("/api/v1/authorizations?mine=true", headers=candidate))["items"][0]["status"] == "booked"

    attempt_id = _ok(client.post(f"/api/v1/sittings/{sitting_id}/attempts", headers=candidate), 201)["attempt_id"]
    slots = program.call(lambda *, session: {s.item_id: s.slot for s in answers.slot_rows(session, attempt_id)})
    for name, value in PERFECT.items():
        slot = slots.get(program.items[name])
        if slot is not None:
            shown = as_shown(program.services.db, attempt_id, slot, value)
            save_answer(program.services.db, attempt_id=attempt_id, user_id=holder.id, slot=slot, response=shown, seq=1)
    _ok(client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=candidate))

    used = _ok(client.get("/api/v1/authorizations?mine=true", headers=candidate))["items"][0]
    assert (used["attempts_used"], used["status"]) == (1, "consumed")
    credentials = _ok(client.get("/api/v1/credentials?mine=true", headers=candidate))["items"]
    assert len(credentials) == 1 and credentials[0]["status"] == "active" and credentials[0]["kind"] == "certification"
    number = credentials[0]["number"]
    assert number.startswith(f"WALK-{now.year}-")
    cycle = _ok(client.get(f"/api/v1/credentials/{number}/cycle", headers=candidate))
    assert (cycle["credits_required"], cycle["credits_earned"], cycle["shortfall"]["total"]) == (10, 0, 10)

    found = _ok(TestClient(client.app).get(f"/api/v1/registry?number={number}"))["items"]
    assert found == [
        {
            "number": number,
            "holder_name": holder.name,
            "scheme": "WALK",
            "kind": "certification",
            "status": "active",
            "granted_at": credentials[0]["granted_at"],
            "valid_until": credentials[0]["valid_until"],
        }
    ]
    badge = _ok(client.get(f"/api/v1/credentials/{number}/ob3", headers=candidate))
    assert badge["credentialSubject"]["achievement"]["achievementType"] == "Certification"
    report = _ok(client.get(f"/api/v1/attempts/{attempt_id}/score-report", headers=candidate))
    assert report["passed"] is True and report["version"] == 1
