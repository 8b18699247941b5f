"""What the authorization and booking tests share: a published exam in a scheme, authorizations to test inserted as
the applications slice would issue them, and bookable sittings scheduled through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session
from starlette.testclient import TestClient

from examengine.context import Services
from examengine.programs.models import (
    AccommodationRequest,
    AccommodationStatus,
    Authorization,
    Scheme,
    SchemeExam,
    SchemeKind,
)
from tests.api.test_exams_api import approved_bank, bearer, blueprint, native_items

RETAKES = {"max_attempts": 5, "wait_days_after_fail": 0, "allow_after_pass": True}


def now() -> datetime:
    return datetime.now(UTC)


def program(
    client: TestClient, make_user: Callable[..., Any], services: Services, candidates: int = 2
) -> dict[str, Any]:
    """An admin, an author, `candidates` candidates (cand0, cand1, ...), a published exam in scheme SAFE and a
    published exam in no scheme."""
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        **{f"cand{n}": make_user(f"cand{n}@example.org", "candidate", name=f"Cand {n}") for n in range(candidates)},
    }
    headers = {name: bearer(client, user.email) for name, user in users.items()}
    people = {"users": users, "headers": headers}
    approved_bank(client, people, native_items("D1", 4))
    exams = {}
    for code in ("SAFE-101", "FREE-101"):
        body = blueprint(
            code=code,
            sections=[{"title": "Part A", "draw": [{"domain": "D1", "count": 2}]}],
            time_limit_minutes=30,
            retake_policy=RETAKES,
        )
        exam_id = client.post("/api/v1/exams", json=body, headers=headers["admin"]).json()["exam_id"]
        assert client.post(f"/api/v1/exams/{exam_id}/publish", headers=headers["admin"]).status_code == 200
        exams[code] = exam_id

    def add(*, session: Session) -> str:
        scheme = Scheme(code="SAFE", title="Safety Professional", kind=SchemeKind.CERTIFICATION, created_at=now())
        session.add(scheme)
        session.flush()
        session.add(SchemeExam(exam_id=exams["SAFE-101"], scheme_id=scheme.id))
        return scheme.id

    scheme_id = services.db.call(add)
    return {**people, "exam_id": exams["SAFE-101"], "free_exam_id": exams["FREE-101"], "scheme_id": scheme_id}


def authorize(
    services: Services,
    p: dict[str, Any],
    who: str,
    *,
    eligible_from: datetime | None = None,
    eligible_until: datetime | None = None,
    attempts: int = 1,
    issued_at: datetime | None = None,
    revoked: bool = False,
) -> str:
    """An authorization to test for `who` in the scheme, as an approval issues it (default: from a minute ago for
    30 days)."""
    start = eligible_from or now() - timedelta(minutes=1)

    def add(*, session: Session) -> str:
        held = Authorization(
            scheme_id=p["scheme_id"],
            user_id=p["users"][who].id,
            eligible_from=start,
            eligible_until=eligible_until or start + timedelta(days=30),
            attempts_allowed=attempts,
            issued_at=issued_at or start,
            revoked_at=now() if revoked else None,
        )
        session.add(held)
        session.flush()
        return held.id

    return services.db.call(add)


def accommodate(services: Services, p: dict[str, Any], who: str, approved: dict[str, Any]) -> None:
    def add(*, session: Session) -> None:
        session.add(
            AccommodationRequest(
                scheme_id=p["scheme_id"],
                user_id=p["users"][who].id,
                requested=approved,
                approved=approved,
                statement="dyslexia",
                status=AccommodationStatus.APPROVED,
                created_at=now(),
                decided_at=now(),
            )
        )

    services.db.call(add)


def bookable_sitting(
    client: TestClient,
    p: dict[str, Any],
    *,
    opens_in: timedelta = timedelta(hours=1),
    hours: float = 2,
    capacity: int | None = 10,
    exam: str = "exam_id",
    at: datetime | None = None,
    **terms: Any,
) -> str:
    """A bookable sitting of the scheme's exam opening `opens_in` from now; `terms` are booking_closes_at,
    cancel_closes_at (datetimes) or bookable. `at`: the opening itself."""
    opens = at or now() + opens_in
    body: dict[str, Any] = {
        "exam_id": p[exam],
        "opens_at": opens.isoformat(),
        "closes_at": (opens + timedelta(hours=hours)).isoformat(),
        "capacity": capacity,
        "bookable": True,
        **{k: v.isoformat() if isinstance(v, datetime) else v for k, v in terms.items()},
    }
    created = client.post("/api/v1/sittings", headers=p["headers"]["admin"], json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["sitting_id"])


def book(client: TestClient, p: dict[str, Any], who: str, authorization_id: str, sitting_id: str) -> Any:
    body = {"authorization_id": authorization_id, "sitting_id": sitting_id}
    return client.post("/api/v1/bookings", headers=p["headers"][who], json=body)


def mine(client: TestClient, p: dict[str, Any], who: str) -> dict[str, dict[str, Any]]:
    answer = client.get("/api/v1/authorizations?mine=true", headers=p["headers"][who])
    assert answer.status_code == 200, answer.text
    return {item["authorization_id"]: item for item in answer.json()["items"]}
