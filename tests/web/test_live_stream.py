"""The exam page's live stream: GET /candidate/attempts/{id}/events (server-sent events,
examengine/delivery/live_hub.py), served by a real uvicorn in a thread (a stream never ends, which the test client
cannot hold) while the proctor and the candidate act through the test client's app: two app instances on one
database, as two processes would be."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bench.servers import free_port
from examengine import shutdown
from examengine.app import create_app
from examengine.db import Database
from examengine.delivery.live import CHANGES_SINCE
from examengine.settings import Settings
from tests.api.test_delivery_api import sitting  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in
from tests.web.test_live_channel import _started, add_answer_saves, query_plan


@pytest.fixture
def stream_server(settings: Settings, db: Database) -> Iterator[tuple[str, Starlette]]:
    app = create_app(settings)
    app.state.services.live.ping_seconds = 1.0  # a ping round (and the sessions' re-check) every second
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    until = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < until and thread.is_alive(), "the stream server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(15)
    shutdown.reset()


class Events:
    """The events of one open stream, read in a thread: (event type, data)."""

    def __init__(self, url: str, cookie: str) -> None:
        self.received: list[tuple[str, Any]] = []
        self.ended = threading.Event()
        self.status = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(url, cookie), daemon=True)
        self._thread.start()

    def _read(self, url: str, cookie: str) -> None:
        try:
            with httpx2.stream("GET", url, headers={"Cookie": f"ee_session={cookie}"}, timeout=30) as response:
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                kind = "message"
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        with self._lock:
                            self.received.append((kind, json.loads(line[6:])))
                        kind = "message"
        except httpx2.HTTPError:
            pass
        finally:
            self.ended.set()

    def wait_for(self, wanted: Callable[[str, Any], bool], seconds: float = 5) -> Any:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            with self._lock:
                for kind, data in self.received:
                    if wanted(kind, data):
                        return data
            time.sleep(0.05)
        raise AssertionError(f"no such event within {seconds} s: {self.received}")

    def states(self) -> list[Any]:
        with self._lock:
            return [data for kind, data in self.received if kind == "message"]


def _streaming(
    app_client: TestClient, stream_server: tuple[str, Starlette], s: dict[str, Any]
) -> tuple[TestClient, str, Events]:
    """Cara's started attempt with its stream open and its first state received."""
    base, _ = stream_server
    cara, attempt_url = _started(app_client, s)
    events = Events(base + attempt_url + "/events", cara.cookies["ee_session"])
    events.wait_for(lambda kind, _: kind == "message")
    return cara, attempt_url, events


def test_the_stream_sends_the_state_then_each_change(
    app_client: TestClient,
    stream_server: tuple[str, Starlette],
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara, attempt_url, events = _streaming(app_client, stream_server, sitting)
    attempt_id = attempt_url.rsplit("/", 1)[1]
    proctor = sitting["headers"]["proctor"]
    first = events.wait_for(lambda kind, _: kind == "message")
    assert events.status == 200 and events.content_type.startswith("text/event-stream")
    assert first == {**cara.get(attempt_url + "/live").json(), "remaining_seconds": first["remaining_seconds"]}
    assert first["status"] == "in_progress" and first["paused"] is False

    api = f"/api/v1/attempts/{attempt_id}"
    asked = time.monotonic()
    assert app_client.post(api + "/pause", json={"reason": "fire alarm"}, headers=proctor).status_code == 200
    paused = events.wait_for(lambda kind, data: kind == "message" and data["paused"])
    assert time.monotonic() - asked < 5 and paused["version"] > first["version"]
    sent = app_client.post(api + "/announce", json={"message": "Stay seated."}, headers=proctor)
    assert sent.status_code == 200
    events.wait_for(
        lambda kind, data: kind == "message" and (data["announcement"] or {}).get("message") == "Stay seated."
    )
    assert app_client.post(api + "/resume", json={}, headers=proctor).status_code == 200
    events.wait_for(lambda kind, data: kind == "message" and data["version"] > paused["version"] and not data["paused"])
    assert app_client.post(api + "/extend", json={"minutes": 5, "reason": "noise"}, headers=proctor).is_success
    events.wait_for(lambda kind, data: kind == "message" and data["added_seconds"] == 300)
    events.wait_for(lambda kind, _: kind == "ping")  # every ping round (1 s here, 20 s in production)
    whole = f"/api/v1/sittings/{sitting['sitting_id']}/announce"
    admin = sitting["headers"]["admin"]
    assert app_client.post(whole, json={"message": "Ten minutes left."}, headers=admin).is_success
    events.wait_for(
        lambda kind, data: kind == "message" and (data["announcement"] or {}).get("message") == "Ten minutes left."
    )
    assert app_client.post(api + "/terminate", json={"reason": "notes"}, headers=proctor).is_success
    events.wait_for(lambda kind, data: kind == "message" and data["status"] == "terminated")
    versions = [state["version"] for state in events.states()]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)  # each change once, in order


def test_the_stream_refuses_others_and_ends_with_the_session(
    app_client: TestClient,
    stream_server: tuple[str, Starlette],
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    base, app = stream_server
    cara, attempt_url = _started(app_client, sitting)
    url = base + attempt_url + "/events"
    carl = TestClient(app_client.app)
    log_in(carl, "carl@example.org", TEST_PASSWORD)
    unknown = httpx2.get(url, headers={"Cookie": f"ee_session={carl.cookies['ee_session']}"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "attempt_not_found"
    other_device = TestClient(app_client.app)
    log_in(other_device, "cara@example.org", TEST_PASSWORD)
    locked = httpx2.get(url, headers={"Cookie": f"ee_session={other_device.cookies['ee_session']}"})
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "device_locked"
    proctor = TestClient(app_client.app)
    log_in(proctor, "proctor@example.org", TEST_PASSWORD)
    refused = httpx2.get(url, headers={"Cookie": f"ee_session={proctor.cookies['ee_session']}"})
    assert refused.status_code == 403
    assert httpx2.get(url).status_code in (302, 303, 401)
    assert app.state.services.live.count == 0  # nothing refused holds a stream

    events = Events(url, cara.cookies["ee_session"])
    events.wait_for(lambda kind, _: kind == "message")
    assert app.state.services.live.count == 1
    app.state.services.live.max_streams = 1  # past its bound a process refuses, and the page polls
    full = httpx2.get(url, headers={"Cookie": f"ee_session={cara.cookies['ee_session']}"})
    assert full.status_code == 503 and full.json()["error"]["code"] == "live_streams_full"
    assert full.headers["retry-after"] and app.state.services.live.count == 1
    page = cara.get("/candidate")
    assert cara.post("/logout", data={"csrf_token": csrf_from(page)}).status_code in (200, 303)
    assert events.ended.wait(5), "the stream outlived its session"
    until = time.monotonic() + 2
    while app.state.services.live.count and time.monotonic() < until:
        time.sleep(0.05)
    assert app.state.services.live.count == 0


def test_a_device_move_and_shutdown_end_the_streams(
    app_client: TestClient,
    stream_server: tuple[str, Starlette],
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    base, _ = stream_server
    _, attempt_url, events = _streaming(app_client, stream_server, sitting)
    attempt_id = attempt_url.rsplit("/", 1)[1]
    moved = app_client.post(
        f"/api/v1/attempts/{attempt_id}/unlock-device",
        json={"reason": "laptop died"},
        headers=sitting["headers"]["proctor"],
    )
    assert moved.status_code == 200, moved.text
    assert events.ended.wait(5), "the old device's stream stayed open"

    again = TestClient(app_client.app)
    log_in(again, "cara@example.org", TEST_PASSWORD)
    assert again.get(attempt_url + "/items/1").status_code == 200
    second = Events(base + attempt_url + "/events", again.cookies["ee_session"])
    second.wait_for(lambda kind, _: kind == "message")
    shutdown.begin()  # what SIGTERM sets: the streams end, so uvicorn's graceful shutdown is not held
    assert second.ended.wait(5), "an open stream held the shutdown"
    refused = httpx2.get(
        base + attempt_url + "/events", headers={"Cookie": f"ee_session={again.cookies['ee_session']}"}
    )
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "live_streams_full"


def test_the_change_feed_is_a_range_scan(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    """Every process reads the feed once a second: a range of the primary key from its cursor, never the table."""
    _, attempt_url = _started(app_client, sitting)
    attempt_id = attempt_url.rsplit("/", 1)[1]
    add_answer_saves(db, attempt_id, 2_000)
    with db.engine.connect() as connection:
        cursor = connection.exec_driver_sql("SELECT max(id) FROM attempt_event").scalar_one() - 5
    plan = query_plan(db, CHANGES_SINCE, {"b_cursor": cursor})
    if db.is_sqlite:
        assert "INTEGER PRIMARY KEY (rowid>?)" in plan, plan
    else:
        assert "Index" in plan and "attempt_event_pkey" in plan, plan
    assert "Seq Scan" not in plan and "SCAN attempt_event" not in plan, plan
