"""The exam page's offline kit: GET /candidate/attempts/{id}/offline gives the items the candidate may move between
now, as the item page shows them (option ids and orders, never a key), for static/exam/offline.js to keep."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import update
from sqlmodel import select
from starlette.testclient import TestClient

from examengine.db import Database
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.exams.models import Sitting
from tests.api.test_delivery_api import sitting  # noqa: F401 - the fixture
from tests.api.test_exams_api import approved_bank, bearer, blueprint, native_items, open_sitting
from tests.conftest import TEST_PASSWORD
from tests.shown import as_shown
from tests.web.browsing import csrf_from, log_in

RADIO_VALUES = re.compile(r'type="radio" [^>]*value="([^"]+)"')


def _started(app_client: TestClient, sitting_id: str, email: str = "cara@example.org") -> tuple[TestClient, str]:
    client = TestClient(app_client.app)
    log_in(client, email, TEST_PASSWORD)
    home = client.get("/candidate")
    started = client.post(
        f"/candidate/sittings/{sitting_id}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    return client, started.headers["location"]


def _events(db: Database) -> int:
    def count(*, session: Any) -> int:
        return len(session.exec(select(AttemptEvent)).all())

    return db.call(count, write=False)


def test_the_open_items_are_the_item_pages_without_a_key_and_without_a_write(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara, attempt_url = _started(app_client, sitting["sitting_id"])
    attempt_id = attempt_url.rsplit("/", 1)[1]
    page = cara.get(attempt_url + "/items/1")
    radio_name = re.search(r'name="(r\.[A-Z_]+)"', page.text).group(1)  # type: ignore[union-attr]
    chosen = as_shown(db, attempt_id, 1, "B")
    saved = cara.post(
        attempt_url + "/items/1", data={"csrf_token": csrf_from(page), radio_name: chosen, "action": "flag"}
    )
    assert saved.status_code == 200

    before = _events(db)
    kit = cara.get(attempt_url + "/offline")
    assert kit.status_code == 200 and "no-store" in kit.headers["cache-control"]
    assert _events(db) == before  # no visit recorded, nothing moved
    body = kit.json()
    assert body["attempt_id"] == attempt_id and body["open_section"] is None and body["total"] == 4
    assert [i["slot"] for i in body["items"]] == [1, 2, 3, 4] and [i["position"] for i in body["items"]] == [1, 2, 3, 4]
    first = body["items"][0]
    assert first["answered"] is True and first["flagged"] is True and first["seq"] >= 1
    assert f'value="{chosen}" checked' in first["html"]
    assert all(not i["answered"] and not i["flagged"] for i in body["items"][1:])
    assert "RATIONALE-CANARY" not in kit.text and "correct" not in kit.text and "mapping" not in kit.text
    assert "score" not in kit.text
    for item in body["items"]:
        shown = RADIO_VALUES.findall(item["html"])
        # the attempt's own ids, never the authored A and B, in the same order as the item page shows them
        assert sorted(shown) == sorted(as_shown(db, attempt_id, item["slot"], ["A", "B"]))
        assert not {"A", "B"} & set(shown)
        assert RADIO_VALUES.findall(cara.get(f"{attempt_url}/items/{item['slot']}").text) == shown


def test_who_may_read_the_open_items(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara, attempt_url = _started(app_client, sitting["sitting_id"])
    attempt_id = attempt_url.rsplit("/", 1)[1]
    assert cara.get(attempt_url + "/items/1").status_code == 200  # the page holds the device lock

    carl = TestClient(app_client.app)
    log_in(carl, "carl@example.org", TEST_PASSWORD)
    unknown = carl.get(attempt_url + "/offline")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "attempt_not_found"
    assert carl.get("/candidate/attempts/" + "z" * 40 + "/offline").status_code == 404

    proctor = TestClient(app_client.app)
    log_in(proctor, "proctor@example.org", TEST_PASSWORD)
    assert proctor.get(attempt_url + "/offline").status_code == 403
    anonymous = TestClient(app_client.app)
    assert anonymous.get(attempt_url + "/offline", follow_redirects=False).status_code in (302, 303, 401)

    other_device = TestClient(app_client.app)
    log_in(other_device, "cara@example.org", TEST_PASSWORD)
    before = _events(db)
    locked = other_device.get(attempt_url + "/offline")
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "device_locked"
    assert "RATIONALE-CANARY" not in locked.text and "items" not in locked.json()
    assert _events(db) == before  # refused without a write

    api, headers = f"/api/v1/attempts/{attempt_id}", sitting["headers"]
    assert app_client.post(api + "/pause", json={"reason": "alarm"}, headers=headers["proctor"]).status_code == 200
    paused = cara.get(attempt_url + "/offline")
    assert paused.status_code == 409 and paused.json()["error"]["code"] == "attempt_paused"
    assert app_client.post(api + "/resume", json={}, headers=headers["proctor"]).status_code == 200
    assert cara.get(attempt_url + "/offline").status_code == 200

    def overdue(*, session: Any) -> None:
        session.execute(update(Attempt).where(Attempt.id == attempt_id).values(allowed_seconds=1))  # type: ignore[arg-type]

    db.call(overdue)
    out_of_time = cara.get(attempt_url + "/offline")
    assert out_of_time.status_code == 409 and out_of_time.json()["error"]["code"] == "attempt_closed"

    submitted = app_client.post(api + "/submit", headers=headers["cara"])
    assert submitted.status_code == 200
    finished = cara.get(attempt_url + "/offline")
    assert finished.status_code == 409 and finished.json()["error"]["code"] == "attempt_closed"


def test_a_candidate_not_admitted_yet_gets_no_items(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    def admission(*, session: Any) -> None:
        session.execute(update(Sitting).values(requires_admission=True))

    db.call(admission)
    cara, attempt_url = _started(app_client, sitting["sitting_id"])
    assert "waiting" in cara.get(attempt_url).text.lower()
    waiting = cara.get(attempt_url + "/offline")
    assert waiting.status_code == 409 and waiting.json()["error"]["code"] == "attempt_waiting"
    assert "html" not in waiting.text


def test_timed_sections_give_the_open_section_only(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "cara": make_user("cara@example.org", "candidate"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items()}
    approved_bank(app_client, {"users": users, "headers": headers}, native_items("D1", 6))
    parts = [
        {"title": "Part A", "time_limit_minutes": 10, "draw": [{"domain": "D1", "count": 2}]},
        {"title": "Part B", "time_limit_minutes": 10, "draw": [{"domain": "D1", "count": 2}]},
    ]
    _, sitting_id = open_sitting(
        app_client, headers["admin"], blueprint(sections=parts), [{"user_id": users["cara"].id}]
    )
    cara, attempt_url = _started(app_client, sitting_id)
    assert cara.get(attempt_url + "/items/1").status_code == 200
    first = cara.get(attempt_url + "/offline").json()
    assert first["open_section"] == 0 and [i["slot"] for i in first["items"]] == [1, 2]
    assert [i["position"] for i in first["items"]] == [1, 2] and first["total"] == 4
    review = cara.get(attempt_url + "/review")
    finished = cara.post(attempt_url + "/sections/0/finish", data={"csrf_token": csrf_from(review), "confirm": "yes"})
    assert finished.status_code == 200
    second = cara.get(attempt_url + "/offline").json()
    assert second["open_section"] == 1 and [i["slot"] for i in second["items"]] == [3, 4]


def test_a_forward_only_exam_keeps_its_next_question_on_the_server(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "cara": make_user("cara@example.org", "candidate"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items()}
    approved_bank(app_client, {"users": users, "headers": headers}, native_items("D1", 6))
    navigation = {"mode": "linear", "allow_review": False, "allow_flagging": False}
    body = blueprint(sections=[{"title": "Part A", "draw": [{"domain": "D1", "count": 3}]}], navigation=navigation)
    _, sitting_id = open_sitting(app_client, headers["admin"], body, [{"user_id": users["cara"].id}])
    cara, attempt_url = _started(app_client, sitting_id)
    page = cara.get(attempt_url + "/items/1")
    assert page.status_code == 200 and 'data-linear="yes"' in page.text
    refused = cara.get(attempt_url + "/offline")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "linear_navigation"
    assert "html" not in refused.text
