"""Login throttling: guessing is slowed with 429 and Retry-After, and the real user is never locked out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine.app import create_app
from examengine.settings import Settings, ThrottleLimits
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from

LIMITS = ThrottleLimits(window_seconds=900, per_account_and_address=5, per_address=20, per_account=10)


def _client(settings: Settings, address: str) -> TestClient:
    return TestClient(create_app(replace(settings, throttle=LIMITS)), client=(address, 50000))


def _attempt(client: TestClient, email: str, password: str) -> int:
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    )
    return response.status_code


@pytest.fixture
def victim(make_user: Callable[..., Any]) -> str:
    make_user("victim@example.org", "candidate")
    return "victim@example.org"


def test_guesses_from_one_address_are_throttled_with_retry_after(settings: Settings, victim: str) -> None:
    with _client(settings, "203.0.113.9") as attacker:
        statuses = [_attempt(attacker, victim, f"guess-number-{i}") for i in range(8)]
        assert statuses[:5] == [401] * 5
        assert statuses[5:] == [429] * 3
        token = csrf_from(attacker.get("/login"))
        refused = attacker.post("/login", data={"email": victim, "password": TEST_PASSWORD, "csrf_token": token})
        assert refused.status_code == 429
        assert 0 < int(refused.headers["retry-after"]) <= 901
        assert "Too many failed logins" in refused.text


def test_a_burst_of_1000_wrong_passwords_does_not_lock_out_the_real_user(settings: Settings, victim: str) -> None:
    with _client(settings, "198.51.100.1") as real_user:
        assert _attempt(real_user, victim, TEST_PASSWORD) == 303  # trusted from now on (device cookie)
    device_cookie = real_user.cookies["ee_device"]
    app = create_app(replace(settings, throttle=LIMITS))
    statuses: list[int] = []
    with TestClient(app) as lifespan:
        attackers = [TestClient(app, client=(f"203.0.113.{n}", 40000)) for n in range(1, 51)]
        tokens = [csrf_from(attacker.get("/login")) for attacker in attackers]
        for index in range(1000):
            attacker = attackers[index % len(attackers)]
            form = {"email": victim, "password": f"guess-{index}", "csrf_token": tokens[index % len(attackers)]}
            statuses.append(attacker.post("/login", data=form, follow_redirects=False).status_code)
        assert lifespan.get("/healthz").status_code == 200
    assert set(statuses) == {401, 429}
    assert statuses.count(401) == LIMITS.per_account  # every guess after the budget is refused unverified
    with _client(settings, "198.51.100.1") as returning:
        returning.cookies.set("ee_device", device_cookie)
        assert _attempt(returning, victim, TEST_PASSWORD) == 303
    with _client(settings, "192.0.2.77") as stranger:
        assert _attempt(stranger, victim, "wrong-password!!") == 429


def test_successful_logins_are_not_counted(settings: Settings, make_user: Callable[..., Any]) -> None:
    for n in range(25):
        make_user(f"cand{n}@example.org")
    with _client(settings, "192.0.2.1") as classroom:
        for n in range(25):
            classroom.cookies.clear()
            assert _attempt(classroom, f"cand{n}@example.org", TEST_PASSWORD) == 303


def test_the_api_throttles_too(settings: Settings, victim: str) -> None:
    with _client(settings, "203.0.113.200") as attacker:
        codes = [
            attacker.post("/api/v1/auth/token", json={"email": victim, "password": f"wrong-{i}"}).status_code
            for i in range(6)
        ]
        assert codes == [401] * 5 + [429]
        refused = attacker.post("/api/v1/auth/token", json={"email": victim, "password": TEST_PASSWORD})
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "too_many_attempts"
        assert int(refused.headers["retry-after"]) > 0
