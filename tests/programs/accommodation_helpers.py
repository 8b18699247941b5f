"""What the accommodation tests share: a scheme inserted directly (the schemes API is another slice), the delivery
tests' sitting with its exam in that scheme and eligibility reviewers, and the API calls of a request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.programs.models import Authorization, Scheme, SchemeExam, SchemeKind
from tests.api.test_delivery_api import sitting  # noqa: F401 - the fixture
from tests.api.test_exams_api import bearer
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in

PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
STATEMENT = "STATEMENT-CANARY: a diagnosis the proctor must never read"
OTHER = "OTHER-CANARY: a reader"
URL = "/api/v1/accommodation-requests"
People = dict[str, Any]


def add_scheme(
    services: Services, exam_ids: list[str], code: str = "SAFE", *, kind: SchemeKind = SchemeKind.CERTIFICATION
) -> str:
    """A scheme inserted directly (the schemes API is another slice), holding the exams."""

    def insert(*, session: Session) -> str:
        scheme = Scheme(
            code=code, title=f"{code} program", kind=kind, appeal_period="P30D", created_at=datetime.now(UTC)
        )
        session.add(scheme)
        session.flush()
        session.add_all(SchemeExam(exam_id=exam_id, scheme_id=scheme.id) for exam_id in exam_ids)
        return scheme.id

    return services.db.call(insert)


def ask(client: TestClient, headers: dict[str, str], scheme: str = "SAFE", **requested: Any) -> Any:
    body = {"scheme": scheme, "requested": requested or {"time_multiplier": 1.5}, "statement": STATEMENT}
    return client.post(URL, headers=headers, json=body)


def asked(client: TestClient, headers: dict[str, str], **requested: Any) -> str:
    response = ask(client, headers, **requested)
    assert response.status_code == 201, response.text
    return str(response.json()["request_id"])


def upload(client: TestClient, headers: dict[str, str], request_id: str, data: bytes = PDF, name: str = "a.pdf") -> Any:
    return client.post(f"{URL}/{request_id}/evidence", headers=headers, files={"file": (name, data, "application/pdf")})


def decide(client: TestClient, headers: dict[str, str], request_id: str, **body: Any) -> Any:
    return client.post(f"{URL}/{request_id}/decision", headers=headers, json=body)


@pytest.fixture(name="people")
def people_fixture(
    app_client: TestClient,
    sitting: People,  # noqa: F811
    make_user: Callable[..., Any],
    services: Services,
) -> People:
    """The delivery tests' sitting, its exam in scheme SAFE, an eligibility reviewer and one who is also a candidate."""
    users = sitting["users"]
    users["rita"] = make_user("rita@example.org", "eligibility_reviewer")
    users["both"] = make_user("both@example.org", "candidate", "eligibility_reviewer")
    for name in ("rita", "both"):
        sitting["headers"][name] = bearer(app_client, users[name].email)
    add_scheme(services, [sitting["exam_id"]])
    return sitting


def signed_in(app_client: TestClient, name: str) -> TestClient:
    client = TestClient(app_client.app)
    assert log_in(client, f"{name}@example.org", TEST_PASSWORD).status_code == 303
    return client


def audit(services: Services, kind: AuditKind) -> list[AuditRecord]:
    def read(*, session: Session) -> list[AuditRecord]:
        return list(session.scalars(select(AuditRecord).where(col(AuditRecord.kind) == kind)))

    return services.db.call(read, write=False)


def authorize(services: Services, user_id: str, code: str = "SAFE") -> None:
    """An authorization to test in the scheme, open now (inserted directly: starts of a scheme's exam need one)."""

    def insert(*, session: Session) -> None:
        scheme = session.scalars(select(Scheme).where(col(Scheme.code) == code)).one()
        now = datetime.now(UTC)
        session.add(
            Authorization(
                scheme_id=scheme.id,
                user_id=user_id,
                eligible_from=now - timedelta(hours=1),
                eligible_until=now + timedelta(days=1),
                attempts_allowed=1,
                issued_at=now,
            )
        )

    services.db.call(insert)
