"""Events a candidate's browser reports, through both doors: only the kinds a client may report (never one the
server detects, such as a second device), nothing once the attempt has finished, and offline time never more than
the quiet the server itself saw."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.context import Services
from examengine.delivery import answers, credit
from examengine.delivery.events import CLIENT_EVENTS, SERVER_EVENTS, AttemptEventType
from examengine.delivery.models import Attempt, AttemptEvent
from tests.api.test_delivery_api import sitting, start  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

SERVER_KINDS = sorted(SERVER_EVENTS)


def _events(services: Services, attempt_id: str) -> int:
    def count(*, session: Session) -> int:
        return int(session.scalar(select(func.count()).where(col(AttemptEvent.attempt_id) == attempt_id)) or 0)

    return services.db.call(count, write=False)


class CandidateDoors:
    def __init__(self, app_client: TestClient, sitting: dict[str, Any]) -> None:  # noqa: F811
        self.app_client, self.sitting = app_client, sitting
        self.page = TestClient(app_client.app)
        log_in(self.page, "cara@example.org", TEST_PASSWORD)
        home = self.page.get("/candidate")
        started = self.page.post(
            f"/candidate/sittings/{sitting['sitting_id']}/start",
            data={"csrf_token": csrf_from(home), "agree": "yes"},
            follow_redirects=False,
        )
        self.attempt_url = started.headers["location"]
        self.attempt_id = self.attempt_url.rstrip("/").rsplit("/", 1)[-1]
        self.csrf = csrf_from(self.page.get(self.attempt_url + "/items/1"))

    def report(self, door: str, body: dict[str, Any]) -> Any:
        """The API takes the offline seconds in `detail`, the page's script sends them beside the type."""
        if door == "api":
            extra = {k: body.pop(k) for k in list(body) if k not in ("type", "client_time")}
            body = {**body, **({"detail": extra} if extra else {})}
            return self.app_client.post(
                f"/api/v1/attempts/{self.attempt_id}/events", json=body, headers=self.sitting["headers"]["cara"]
            )
        return self.page.post(self.attempt_url + "/events", json=body, headers={"X-CSRF-Token": self.csrf})


@pytest.mark.parametrize("door", ["api", "page"])
def test_a_client_cannot_report_what_the_server_detects(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
    services: Services,
    door: str,
) -> None:
    doors = CandidateDoors(app_client, sitting)
    before = _events(services, doors.attempt_id)
    assert "second_device" in SERVER_KINDS and "time_credited" in SERVER_KINDS and "answer_saved" in SERVER_KINDS
    for kind in SERVER_KINDS:
        refused = doors.report(door, {"type": kind})
        assert refused.status_code == 422, (kind, refused.text)
        assert refused.json()["error"]["code"] == "server_event", kind
    for word in ["made_up", *sorted(set(AttemptEventType) - CLIENT_EVENTS - SERVER_EVENTS)]:  # "started", …
        unknown = doors.report(door, {"type": word})
        assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_event", word
    assert _events(services, doors.attempt_id) == before
    assert doors.report(door, {"type": "focus_lost"}).status_code in (201, 204)
    assert not CLIENT_EVENTS & SERVER_EVENTS


@pytest.mark.parametrize("door", ["api", "page"])
def test_a_finished_attempt_takes_no_more_events(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
    services: Services,
    door: str,
) -> None:
    doors = CandidateDoors(app_client, sitting)
    submitted = app_client.post(f"/api/v1/attempts/{doors.attempt_id}/submit", headers=sitting["headers"]["cara"])
    assert submitted.status_code == 200
    before = _events(services, doors.attempt_id)
    for kind in ("focus_lost", "online", "paste_attempt"):
        refused = doors.report(door, {"type": kind, "offline_seconds": 600})
        assert refused.status_code == 409, (kind, refused.text)
        assert refused.json()["error"]["code"] == "attempt_submitted"
    assert _events(services, doors.attempt_id) == before


@pytest.mark.parametrize("door", ["api", "page"])
def test_reported_offline_time_is_capped_at_what_the_server_saw(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
    services: Services,
    door: str,
) -> None:
    doors = CandidateDoors(app_client, sitting)
    for claimed in (4 * 3600, 10**9, 600):  # the candidate was here a moment ago: no quiet to credit
        body = {"type": "online", "offline_seconds": claimed}
        assert doors.report(door, body).status_code in (201, 204)

    def read(*, session: Session) -> credit.CreditPolicy:
        return credit.policy(session=session, attempt=_stored(session, doors.attempt_id))

    rules = services.db.call(read, write=False)
    assert rules.reported_offline_seconds <= 5 and rules.suggested_minutes <= 1


def test_offline_time_counts_the_servers_quiet_once(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
    services: Services,
) -> None:
    attempt_id = start(app_client, sitting).json()["attempt_id"]

    def started_at(*, session: Session) -> tuple[datetime, str]:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None and attempt.started_at is not None
        return attempt.started_at, attempt.user_id

    began, cara = services.db.call(started_at, write=False)

    def online(claimed: object, after: timedelta) -> dict[str, Any]:
        services.db.call(
            answers.report_event,
            attempt_id=attempt_id,
            user_id=cara,
            kind="online",
            client_time=None,
            detail={"offline_seconds": claimed},
            now=began + after,
        )

        def last(*, session: Session) -> dict[str, Any]:
            event = session.scalars(
                select(AttemptEvent)
                .where(col(AttemptEvent.attempt_id) == attempt_id, col(AttemptEvent.type) == "online")
                .order_by(col(AttemptEvent.id).desc())
            ).first()
            assert event is not None
            return dict(event.detail)

        return services.db.call(last, write=False)

    assert online(300, timedelta(minutes=10))["offline_seconds"] == 300  # ten quiet minutes cover five
    again = online(300, timedelta(minutes=10, seconds=2))  # the same outage reported twice counts once
    assert again["offline_seconds"] <= 2 and again["reported_offline_seconds"] == 300
    capped = online(3600, timedelta(minutes=15))  # an hour claimed, five minutes of quiet seen
    assert 295 <= capped["offline_seconds"] <= 300 and capped["reported_offline_seconds"] == 3600
    assert online("lots", timedelta(minutes=16))["offline_seconds"] == 0

    def read(*, session: Session) -> credit.CreditPolicy:
        return credit.policy(session=session, attempt=_stored(session, attempt_id))

    rules = services.db.call(read, write=False)
    assert 595 <= rules.reported_offline_seconds <= 602
    assert rules.suggested_minutes == 10


def _stored(session: Session, attempt_id: str) -> Attempt:
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None
    return attempt
