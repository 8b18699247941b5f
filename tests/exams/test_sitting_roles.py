"""A sitting never takes the same person as proctor and candidate, whichever way it is scheduled: the API, the
admin page, a candidate list from CSV. The refusal names the person and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session
from starlette.testclient import TestClient

from examengine.context import Services
from examengine.exams.models import Sitting
from tests.api.test_delivery_api import sitting  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in


def _sittings(services: Services) -> int:
    def count(*, session: Session) -> int:
        return int(session.scalar(select(func.count()).select_from(Sitting)) or 0)

    return services.db.call(count, write=False)


def test_the_api_refuses_a_proctor_who_is_also_a_candidate(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
    make_user: Any,
    services: Services,
) -> None:
    pat = make_user("pat@example.org", "proctor", "candidate", name="Pat Both")
    before = _sittings(services)
    now = datetime.now(UTC)
    for proctors in ([pat.id], [sitting["users"]["proctor"].id, pat.id]):
        created = app_client.post(
            "/api/v1/sittings",
            headers=sitting["headers"]["admin"],
            json={
                "exam_id": sitting["exam_id"],
                "opens_at": now.isoformat(),
                "closes_at": (now + timedelta(hours=1)).isoformat(),
                "proctor_ids": proctors,
                "candidates": [{"user_id": sitting["users"]["cara"].id}, {"user_id": pat.id}],
            },
        )
        assert created.status_code == 422, created.text
        error = created.json()["error"]
        assert error["code"] == "proctor_is_candidate"
        assert "Pat Both (pat@example.org)" in error["message"] and "cara@" not in error["message"]
    assert _sittings(services) == before


def test_the_admin_page_refuses_a_csv_enrolling_a_proctor_of_the_sitting(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
    make_user: Any,
    services: Services,
) -> None:
    pat = make_user("pat@example.org", "proctor", "candidate", name="Pat Both")
    client = TestClient(app_client.app)
    log_in(client, "admin@example.org", TEST_PASSWORD)
    sitting_url = f"/admin/exams/{sitting['exam_id']}/sittings"
    form = {
        "csrf_token": csrf_from(client.get(sitting_url + "/new")),
        "title": "Morning",
        "opens_at": "2030-01-01T09:00",
        "closes_at": "2030-01-01T12:00",
        "location": "Room 1",
        "proctor_ids": pat.id,
    }
    before = _sittings(services)
    rows = b"email\ncara@example.org\nPAT@example.org\n"
    refused = client.post(sitting_url, data=form, files={"candidates": ("c.csv", rows, "text/csv")})
    assert refused.status_code == 422 and "Pat Both (pat@example.org)" in refused.text
    assert _sittings(services) == before
