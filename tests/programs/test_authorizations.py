"""Authorizations to test (API.md "Applications and authorization to test"): every status as a function of the
facts and now (revoked > consumed > expired > booked > issued), a no-show consumes, the window's boundaries for
starts and for the bookable sittings, the attempts used, and the start gating through the API and the page;
exams in no scheme start as before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine.context import Services
from examengine.programs import admission, authorizations, bookings
from tests.conftest import TEST_PASSWORD
from tests.programs.seats import authorize, book, bookable_sitting, mine, now, program
from tests.web.browsing import csrf_from, log_in


@pytest.fixture
def p(app_client: TestClient, make_user: Callable[..., Any], services: Services) -> dict[str, Any]:
    return program(app_client, make_user, services, candidates=4)


def _open_sitting(client: TestClient, p: dict[str, Any], who: list[str], exam: str = "exam_id", **more: Any) -> str:
    """A sitting open from a minute ago for two hours with these candidates enrolled by the admin."""
    body = {
        "exam_id": p[exam],
        "opens_at": (now() - timedelta(minutes=1)).isoformat(),
        "closes_at": (now() + timedelta(hours=2)).isoformat(),
        "candidates": [{"user_id": p["users"][name].id} for name in who],
        **more,
    }
    created = client.post("/api/v1/sittings", headers=p["headers"]["admin"], json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["sitting_id"])


def _start(client: TestClient, p: dict[str, Any], who: str, sitting_id: str) -> Any:
    return client.post(f"/api/v1/sittings/{sitting_id}/attempts", headers=p["headers"][who])


def _state(services: Services, p: dict[str, Any], who: str, held: str, at: datetime) -> Any:
    user_id = p["users"][who].id
    return services.db.call(
        authorizations.get_authorization, authorization_id=held, user_id=user_id, now=at, write=False
    )


def test_the_list_answers_as_the_contract_writes(app_client: TestClient, p: dict[str, Any], services: Services) -> None:
    held = authorize(services, p, "cand0", attempts=2)
    item = mine(app_client, p, "cand0")[held]
    assert set(item) == {
        "authorization_id",
        "scheme",
        "exam_ids",
        "eligible_from",
        "eligible_until",
        "attempts_allowed",
        "attempts_used",
        "status",
    }
    assert (item["scheme"], item["exam_ids"], item["attempts_allowed"], item["attempts_used"], item["status"]) == (
        "SAFE",
        [p["exam_id"]],
        2,
        0,
        "issued",
    )
    assert mine(app_client, p, "cand1") == {}
    admin = p["headers"]["admin"]
    theirs = app_client.get(f"/api/v1/authorizations?user_id={p['users']['cand0'].id}", headers=admin)
    assert theirs.status_code == 200 and [i["authorization_id"] for i in theirs.json()["items"]] == [held]
    nosy = app_client.get(f"/api/v1/authorizations?user_id={p['users']['cand0'].id}", headers=p["headers"]["cand1"])
    assert nosy.status_code == 404

    for days in (1, 2):
        authorize(services, p, "cand0", issued_at=now() + timedelta(days=days))
    first = app_client.get("/api/v1/authorizations?mine=true&limit=2", headers=p["headers"]["cand0"]).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = app_client.get(
        f"/api/v1/authorizations?mine=true&limit=2&cursor={first['next_cursor']}", headers=p["headers"]["cand0"]
    ).json()
    assert [i["authorization_id"] for i in rest["items"]] == [held] and rest["next_cursor"] is None
    bad = app_client.get(f"/api/v1/authorizations?mine=true&cursor={'ab' * 16}", headers=p["headers"]["cand0"])
    assert bad.status_code == 422


def test_every_status_and_which_wins(app_client: TestClient, p: dict[str, Any], services: Services) -> None:
    t = now()
    expired = authorize(services, p, "cand0", eligible_from=t - timedelta(days=9), eligible_until=t - timedelta(days=1))
    revoked = authorize(services, p, "cand0", revoked=True)
    used_up = authorize(services, p, "cand0", attempts=0)
    used_up_and_expired = authorize(
        services, p, "cand0", attempts=0, eligible_from=t - timedelta(days=9), eligible_until=t - timedelta(days=1)
    )
    revoked_and_used_up = authorize(services, p, "cand0", attempts=0, revoked=True)
    held = mine(app_client, p, "cand0")
    assert {k: held[k]["status"] for k in held} == {
        expired: "expired",
        revoked: "revoked",
        used_up: "consumed",
        used_up_and_expired: "consumed",
        revoked_and_used_up: "revoked",
    }
    issued = authorize(services, p, "cand1")
    sitting = bookable_sitting(app_client, p)
    assert mine(app_client, p, "cand1")[issued]["status"] == "issued"
    assert book(app_client, p, "cand1", issued, sitting).status_code == 201
    assert mine(app_client, p, "cand1")[issued]["status"] == "booked"


def test_a_no_show_consumes_the_authorization(app_client: TestClient, p: dict[str, Any], services: Services) -> None:
    held = authorize(services, p, "cand0", attempts=2)
    sitting = bookable_sitting(app_client, p, opens_in=timedelta(hours=1), hours=2)
    assert book(app_client, p, "cand0", held, sitting).status_code == 201
    closes = now() + timedelta(hours=3)
    closes_at = datetime.fromisoformat(
        app_client.get(f"/api/v1/sittings/{sitting}", headers=p["headers"]["admin"]).json()["closes_at"]
    )
    assert abs(closes_at - closes) < timedelta(minutes=1)
    before = _state(services, p, "cand0", held, closes_at - timedelta(microseconds=1))
    assert before.status == "booked" and not before.no_show
    after = _state(services, p, "cand0", held, closes_at)
    assert after.status == "consumed" and after.no_show and after.attempts_used == 0
    refused = services.db.call(
        admission.admission, user_id=p["users"]["cand0"].id, exam_id=p["exam_id"], now=closes_at, write=False
    )
    assert refused is not None and refused.code == "authorization_consumed" and "did not sit" in (refused.reason or "")


def test_a_sat_booking_is_no_no_show_and_uses_an_attempt(
    app_client: TestClient, p: dict[str, Any], services: Services
) -> None:
    held = authorize(services, p, "cand0", attempts=2)
    sitting = bookable_sitting(
        app_client, p, opens_in=timedelta(minutes=-1), booking_closes_at=now() + timedelta(hours=1)
    )
    assert book(app_client, p, "cand0", held, sitting).status_code == 201
    started = _start(app_client, p, "cand0", sitting)
    assert started.status_code == 201, started.text
    assert mine(app_client, p, "cand0")[held]["attempts_used"] == 1
    later = _state(services, p, "cand0", held, now() + timedelta(hours=3))
    assert later.status == "issued" and not later.no_show and later.attempts_used == 1


def test_the_window_boundaries(app_client: TestClient, p: dict[str, Any], services: Services) -> None:
    opens, ends = now() + timedelta(days=1), now() + timedelta(days=2)
    held = authorize(services, p, "cand0", eligible_from=opens, eligible_until=ends, issued_at=now())
    user_id, second = p["users"]["cand0"].id, timedelta(seconds=1)

    def judged(at: datetime) -> str | None:
        def read(*, session: Any) -> str | None:
            found = admission.admission(session=session, user_id=user_id, exam_id=p["exam_id"], now=at)
            return None if found is None else found.code

        return services.db.call(read, write=False)

    assert judged(opens) is None and judged(ends - timedelta(microseconds=1)) is None
    assert judged(opens - timedelta(microseconds=1)) == "outside_eligibility_window"
    assert judged(ends) == "outside_eligibility_window"
    assert _state(services, p, "cand0", held, ends - timedelta(microseconds=1)).status == "issued"
    assert _state(services, p, "cand0", held, ends).status == "expired"

    def sitting(opens_at: datetime, closes_at: datetime) -> str:
        return bookable_sitting(app_client, p, at=opens_at, hours=(closes_at - opens_at) / timedelta(hours=1))

    wanted = {
        sitting(ends - second, ends + timedelta(hours=1)),  # opens just before the window ends
        sitting(opens - timedelta(hours=1), opens + second),  # closes just after it begins
    }
    sitting(ends, ends + timedelta(hours=1))  # opens as it ends: outside
    sitting(opens - timedelta(hours=1), opens)  # closes as it begins: outside
    listed = app_client.get(f"/api/v1/authorizations/{held}/sittings", headers=p["headers"]["cand0"]).json()
    assert {row["sitting_id"] for row in listed} == wanted
    assert all(set(row) == {"sitting_id", "opens_at", "closes_at", "seats_left"} for row in listed)


def test_starts_are_gated_by_the_authorization(app_client: TestClient, p: dict[str, Any], services: Services) -> None:
    free = _open_sitting(app_client, p, ["cand0"], exam="free_exam_id")
    assert _start(app_client, p, "cand0", free).status_code == 201  # an exam in no scheme: as before

    sitting = _open_sitting(app_client, p, ["cand0", "cand1", "cand2", "cand3"])
    refused = _start(app_client, p, "cand0", sitting)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "no_authorization"
    authorize(services, p, "cand1", eligible_from=now() + timedelta(days=1), issued_at=now())
    early = _start(app_client, p, "cand1", sitting)
    assert early.status_code == 403 and early.json()["error"]["code"] == "outside_eligibility_window"
    assert early.json()["error"]["details"]["next_eligible_at"]
    authorize(services, p, "cand3", eligible_from=now() - timedelta(days=9), eligible_until=now() - timedelta(days=1))
    late = _start(app_client, p, "cand3", sitting)
    assert late.status_code == 403 and late.json()["error"]["code"] == "outside_eligibility_window"

    held = authorize(services, p, "cand2")
    started = _start(app_client, p, "cand2", sitting)
    assert started.status_code == 201, started.text
    assert mine(app_client, p, "cand2")[held]["attempts_used"] == 1
    assert mine(app_client, p, "cand2")[held]["status"] == "consumed"
    attempt_id = started.json()["attempt_id"]
    assert app_client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=p["headers"]["cand2"]).status_code == 200
    again = _start(app_client, p, "cand2", sitting)
    assert again.status_code == 403 and again.json()["error"]["code"] == "authorization_consumed"

    # A new authorization counts only the attempts after its issue: the old attempt stays with the old one.
    newer = authorize(services, p, "cand2", issued_at=now())
    held_now = mine(app_client, p, "cand2")
    assert (held_now[held]["attempts_used"], held_now[newer]["attempts_used"]) == (1, 0)
    assert _start(app_client, p, "cand2", sitting).status_code == 201


def test_the_start_page_says_why(app_client: TestClient, p: dict[str, Any], services: Services) -> None:
    sitting = _open_sitting(app_client, p, ["cand0"])
    client = TestClient(app_client.app)
    log_in(client, "cand0@example.org", TEST_PASSWORD)
    home = client.get("/candidate")
    assert "authorization to test" in home.text  # the overview judges with the same check
    path = f"/candidate/sittings/{sitting}/start"
    refused = client.post(path, data={"csrf_token": csrf_from(home), "agree": "yes"}, follow_redirects=False)
    assert refused.status_code == 403 and "You need an authorization to test" in refused.text
    authorize(services, p, "cand0")
    started = client.post(path, data={"csrf_token": csrf_from(home), "agree": "yes"}, follow_redirects=False)
    assert started.status_code == 303 and "/candidate/attempts/" in started.headers["location"]


def test_bookings_and_authorizations_are_the_holders_own(
    app_client: TestClient, p: dict[str, Any], services: Services
) -> None:
    held = authorize(services, p, "cand0")
    with pytest.raises(Exception) as refused:
        services.db.call(
            bookings.book,
            user_id=p["users"]["cand1"].id,
            authorization_id=held,
            sitting_id=bookable_sitting(app_client, p),
            now=now(),
        )
    assert getattr(refused.value, "code", None) == "authorization_not_found"
