"""Every proctor action x every kind of actor, through both doors (the HTML proctor pages and the JSON API).

The rule lives in the services: an admin or a proctor of the attempt's sitting may act, and nobody on their own
attempt, even a proctor or an admin who is also enrolled (a sitting can no longer be created that way, so the
enrolled proctor is written into the tables directly, as older data could hold it)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.context import Services
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.exams.models import Enrollment, Sitting, SittingProctor
from tests.api.test_delivery_api import sitting, start  # noqa: F401 - the fixture
from tests.api.test_exams_api import bearer
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

# (action, API path under the attempt, API body, page form)
ATTEMPT_ACTIONS: tuple[tuple[str, str, dict[str, Any], dict[str, str]], ...] = (
    ("admit", "admit", {}, {"action": "admit"}),
    ("pause", "pause", {"reason": "noise"}, {"action": "pause", "reason": "noise"}),
    ("resume", "resume", {}, {"action": "resume"}),
    ("extend", "extend", {"minutes": 5, "reason": "outage"}, {"action": "extend", "minutes": "5", "reason": "x"}),
    ("credit", "credit", {"minutes": 1, "reason": "outage"}, {"action": "credit", "minutes": "1", "reason": "x"}),
    ("note", "notes", {"text": "seen"}, {"action": "note", "reason": "seen"}),
    ("move_device", "unlock-device", {"reason": "laptop"}, {"action": "move_device", "reason": "laptop"}),
    ("terminate", "terminate", {"reason": "phone"}, {"action": "terminate", "reason": "phone"}),
)
# actor -> whose attempt they act on, and what they must get: "allowed", 404 (not theirs to watch) or 403
ACTORS = {
    "proctor of the sitting": ("proctor", "cara", "allowed"),
    "proctor of another sitting": ("stranger", "cara", 404),
    "admin": ("admin", "cara", "allowed"),
    "the candidate themselves": ("cara", "cara", 403),
    "a proctor of the sitting who is its candidate": ("pat", "pat", 403),
    "an admin who is its candidate": ("ada", "ada", 403),
}


@pytest.fixture
def crowd(app_client: TestClient, sitting: dict[str, Any], make_user: Any, services: Services) -> dict[str, Any]:  # noqa: F811
    """The sitting with an enrolled proctor of it (pat), an enrolled admin (ada), and the stranger proctoring
    another sitting; every candidate has started."""
    pat = make_user("pat@example.org", "proctor", "candidate")
    ada = make_user("ada@example.org", "admin", "candidate")
    sitting_id = sitting["sitting_id"]

    def enrol(*, session: Session) -> None:
        held = session.get(Sitting, sitting_id)
        assert held is not None
        other = Sitting(
            exam_id=held.exam_id,
            exam_version=held.exam_version,
            title="Elsewhere",
            opens_at=held.opens_at,
            closes_at=held.closes_at,
        )
        session.add(other)
        session.flush()
        session.add_all([Enrollment(sitting_id=sitting_id, user_id=u.id) for u in (pat, ada)])
        session.add(SittingProctor(sitting_id=sitting_id, user_id=pat.id))
        session.add(SittingProctor(sitting_id=other.id, user_id=sitting["users"]["stranger"].id))

    services.db.call(enrol)
    headers = {**sitting["headers"], "pat": bearer(app_client, pat.email), "ada": bearer(app_client, ada.email)}
    emails = {**{name: user.email for name, user in sitting["users"].items()}, "pat": pat.email, "ada": ada.email}
    started = {
        who: start(app_client, {**sitting, "headers": headers}, who).json()["attempt_id"]
        for who in ("cara", "pat", "ada")
    }
    return {**sitting, "headers": headers, "emails": emails, "attempts": started}


def _events(services: Services, attempt_id: str) -> int:
    def count(*, session: Session) -> int:
        return int(session.scalar(select(func.count()).where(col(AttemptEvent.attempt_id) == attempt_id)) or 0)

    return services.db.call(count, write=False)


def _status(services: Services, attempt_id: str) -> str:
    def read(*, session: Session) -> str:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return str(attempt.status)

    return services.db.call(read, write=False)


class Doors:
    """The same action through either door, answering the HTTP status."""

    def __init__(self, app_client: TestClient, crowd: dict[str, Any], door: str) -> None:
        self.app_client, self.crowd, self.door = app_client, crowd, door
        self.pages: dict[str, TestClient] = {}

    def _page(self, who: str) -> TestClient:
        if who not in self.pages:
            client = TestClient(self.app_client.app)
            log_in(client, self.crowd["emails"][who], TEST_PASSWORD)
            self.pages[who] = client
        return self.pages[who]

    def act(self, who: str, attempt_id: str, api_path: str, body: dict[str, Any], form: dict[str, str]) -> int:
        if self.door == "api":
            url = f"/api/v1/attempts/{attempt_id}/{api_path}"
            return self.app_client.post(url, json=body, headers=self.crowd["headers"][who]).status_code
        page = self._page(who)
        token = csrf_from(page.get("/"))
        url = f"/proctor/attempts/{attempt_id}/actions"
        return page.post(url, data={"csrf_token": token, **form}, follow_redirects=False).status_code

    def read_timeline(self, who: str, attempt_id: str) -> int:
        if self.door == "api":
            return self.app_client.get(
                f"/api/v1/attempts/{attempt_id}/events", headers=self.crowd["headers"][who]
            ).status_code
        return self._page(who).get(f"/proctor/attempts/{attempt_id}").status_code

    def live_attempts(self, who: str) -> str:
        sitting_id = self.crowd["sitting_id"]
        if self.door == "api":
            rows = self.app_client.get(f"/api/v1/sittings/{sitting_id}/attempts", headers=self.crowd["headers"][who])
            assert rows.status_code == 200
            return " ".join(str(row["attempt_id"]) for row in rows.json()["items"])
        board = self._page(who).get(f"/proctor/sittings/{sitting_id}")
        assert board.status_code == 200
        return board.text

    def act_on_sitting(self, who: str, action: str) -> int:
        sitting_id = self.crowd["sitting_id"]
        if self.door == "api":
            url = f"/api/v1/sittings/{sitting_id}/{action}"
            return self.app_client.post(
                url, json={"reason": "fire alarm"}, headers=self.crowd["headers"][who]
            ).status_code
        page = self._page(who)
        data = {"csrf_token": csrf_from(page.get("/")), "action": f"{action}_all", "reason": "fire alarm"}
        return page.post(f"/proctor/sittings/{sitting_id}/actions", data=data, follow_redirects=False).status_code


@pytest.mark.parametrize("door", ["api", "page"])
def test_every_proctor_action_checks_the_actor_in_the_service(
    app_client: TestClient, crowd: dict[str, Any], services: Services, door: str
) -> None:
    doors = Doors(app_client, crowd, door)
    outcomes: dict[tuple[str, str], int] = {}
    # Refusals first, on attempts that are all still running, so that a refusal is never a 409 by accident.
    ordered = sorted(ACTORS.items(), key=lambda entry: entry[1][2] == "allowed")
    for action, api_path, body, form in ATTEMPT_ACTIONS:
        for label, (who, whose, expected) in ordered:
            attempt_id = crowd["attempts"][whose]
            before = _events(services, attempt_id)
            status = doors.act(who, attempt_id, api_path, body, form)
            outcomes[(action, label)] = status
            if expected == "allowed":
                assert status not in (403, 404), (action, label, status)
            else:
                assert status == expected, (action, label, status)
                assert _events(services, attempt_id) == before, (action, label, "left a trace")
    for action in ("pause", "extend", "credit", "note", "terminate"):  # each of these succeeded for someone
        assert any(outcomes[(action, label)] in (200, 303) for label in ("proctor of the sitting", "admin")), action
    assert _status(services, crowd["attempts"]["pat"]) == "in_progress"
    assert _status(services, crowd["attempts"]["ada"]) == "in_progress"
    for label, (who, whose, expected) in ACTORS.items():
        status = doors.read_timeline(who, crowd["attempts"][whose])
        assert status == 200 if expected == "allowed" else status == expected, (label, status)
    for who, own in (("pat", "pat"), ("ada", "ada"), ("proctor", None)):  # the live rows leave out the viewer
        shown = doors.live_attempts(who)
        assert crowd["attempts"]["cara"] in shown
        assert own is None or crowd["attempts"][own] not in shown


@pytest.mark.parametrize("door", ["api", "page"])
def test_a_sitting_wide_pause_checks_the_actor_and_spares_their_own_attempt(
    app_client: TestClient, crowd: dict[str, Any], services: Services, door: str
) -> None:
    doors = Doors(app_client, crowd, door)
    assert doors.act_on_sitting("stranger", "pause") == 404
    assert doors.act_on_sitting("cara", "pause") == 403
    assert _status(services, crowd["attempts"]["cara"]) == "in_progress"
    assert doors.act_on_sitting("pat", "pause") in (200, 303)
    assert _status(services, crowd["attempts"]["cara"]) == "paused"
    assert _status(services, crowd["attempts"]["pat"]) == "in_progress"  # never their own
    assert _status(services, crowd["attempts"]["ada"]) == "paused"
    assert doors.act_on_sitting("ada", "resume") in (200, 303)
    assert _status(services, crowd["attempts"]["cara"]) == "in_progress"
    assert _status(services, crowd["attempts"]["ada"]) == "paused"  # the admin cannot resume their own either


@pytest.mark.parametrize("door", ["api", "page"])
@pytest.mark.parametrize(
    ("api_path", "body", "form"),
    [
        ("pause", {"reason": "   "}, {"action": "pause", "reason": "  \t "}),
        ("terminate", {"reason": " \n "}, {"action": "terminate", "reason": " "}),
        (
            "extend",
            {"minutes": 5, "reason": "  "},
            {"action": "extend", "minutes": "5", "reason": " "},
        ),
        (
            "credit",
            {"minutes": 5, "reason": "  "},
            {"action": "credit", "minutes": "5", "reason": " "},
        ),
        ("unlock-device", {"reason": "  "}, {"action": "move_device", "reason": " "}),
        (
            "extend",
            {"minutes": 5, "reason": "x" * 2001},
            {"action": "extend", "minutes": "5", "reason": "x" * 2001},
        ),
    ],
)
def test_blank_reasons_are_refused_by_the_service_through_both_doors(
    app_client: TestClient,
    crowd: dict[str, Any],
    services: Services,
    door: str,
    api_path: str,
    body: dict[str, Any],
    form: dict[str, str],
) -> None:
    attempt_id = crowd["attempts"]["cara"]
    before = _events(services, attempt_id)
    assert Doors(app_client, crowd, door).act("proctor", attempt_id, api_path, body, form) == 422
    assert _events(services, attempt_id) == before


def test_minutes_outside_1_to_600_are_refused_by_the_page_door_too(
    app_client: TestClient, crowd: dict[str, Any], services: Services
) -> None:
    doors = Doors(app_client, crowd, "page")
    attempt_id = crowd["attempts"]["cara"]
    before = _events(services, attempt_id)
    for action in ("extend", "credit"):
        for minutes in ("0", "601", "999999", "-1", "1.5", ""):
            form = {"action": action, "minutes": minutes, "reason": "outage"}
            assert doors.act("proctor", attempt_id, action, {}, form) == 422, (action, minutes)
    assert _events(services, attempt_id) == before
