"""Anonymous refusals cannot flood the audit trail: per address and window the first few are recorded one by one,
the rest counted, and one summary record states the count when the window is over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.audit import refusals
from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.clock import utcnow
from examengine.context import Services
from tests.audit.conftest import check
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in


def records(services: Services, kind: AuditKind) -> list[AuditRecord]:
    def read(*, session: Session) -> list[AuditRecord]:
        return list(session.scalars(select(AuditRecord).where(col(AuditRecord.kind) == kind.value)))

    return services.db.call(read, write=False)


def total(services: Services) -> int:
    def read(*, session: Session) -> int:
        return int(session.scalar(select(func.count()).select_from(AuditRecord)) or 0)

    return services.db.call(read, write=False)


def test_300_tokenless_posts_to_login_write_a_bounded_number_of_records(
    app_client: TestClient, services: Services
) -> None:
    before = total(services)
    for _ in range(300):
        refused = app_client.post("/login", data={"email": "x@example.org", "password": "p"}, follow_redirects=False)
        assert refused.status_code == 403
    denied = records(services, AuditKind.ACCESS_DENIED)
    assert len(denied) == refusals.RECORDED_PER_WINDOW
    assert total(services) - before == refusals.RECORDED_PER_WINDOW
    assert {r.detail["address"] for r in denied} == {"testclient"}

    assert services.db.call(refusals.summarize_closed_windows) == 0  # the window is still open
    later = utcnow() + timedelta(seconds=refusals.WINDOW_SECONDS)
    assert services.db.call(refusals.summarize_closed_windows, now=later) == 1
    [summary] = records(services, AuditKind.REFUSALS_SUMMARIZED)
    assert summary.subject == "address:testclient"
    assert summary.detail["refusals"] == 300
    assert summary.detail["not_recorded_individually"] == 300 - refusals.RECORDED_PER_WINDOW
    assert services.db.call(refusals.summarize_closed_windows, now=later) == 0  # once per address and window
    assert check(services).ok


def test_failed_logins_of_unknown_accounts_count_against_the_address(services: Services) -> None:
    now = utcnow()
    for n in range(60):
        services.db.call(
            refusals.record_anonymous_refusal,
            kind=AuditKind.LOGIN_FAILED,
            subject=f"email:nobody{n}@example.org",
            address="198.51.100.7",
            detail={"email": f"nobody{n}@example.org"},
            at=now,
        )
    assert len(records(services, AuditKind.LOGIN_FAILED)) == refusals.RECORDED_PER_WINDOW
    # The address's next refusal, in a later window, writes the summary of the one before.
    services.db.call(
        refusals.record_anonymous_refusal,
        kind=AuditKind.LOGIN_FAILED,
        subject="email:again@example.org",
        address="198.51.100.7",
        detail={},
        at=now + timedelta(seconds=refusals.WINDOW_SECONDS),
    )
    [summary] = records(services, AuditKind.REFUSALS_SUMMARIZED)
    assert summary.detail["refusals"] == 60 and summary.detail["address"] == "198.51.100.7"
    assert len(records(services, AuditKind.LOGIN_FAILED)) == refusals.RECORDED_PER_WINDOW + 1


def test_refusals_of_signed_in_people_are_each_recorded(
    app_client: TestClient, make_user: Callable[..., UserView], services: Services
) -> None:
    make_user("cand@example.org", "candidate")
    assert log_in(app_client, "cand@example.org", TEST_PASSWORD).status_code == 303
    for _ in range(refusals.RECORDED_PER_WINDOW + 5):
        assert app_client.get("/admin/users").status_code == 403
    assert len(records(services, AuditKind.ACCESS_DENIED)) == refusals.RECORDED_PER_WINDOW + 5
