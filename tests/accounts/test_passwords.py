"""argon2id hashing: policy, verification, the dummy hash for unknown accounts, and rehash on login."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col
from starlette.testclient import TestClient

from examengine.accounts.models import User
from examengine.accounts.passwords import Passwords
from examengine.app import create_app
from examengine.context import Services
from examengine.errors import InvalidInput
from examengine.settings import Argon2Cost, Settings
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in

CHEAP = Argon2Cost(time_cost=1, memory_kib=1024, parallelism=1)


def test_default_cost_meets_the_owasp_floor() -> None:
    cost = Settings().argon2
    assert (cost.memory_kib, cost.time_cost, cost.parallelism) == (19 * 1024, 2, 1)
    assert Passwords(cost).hash("x" * 12).startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize("bad", ["", "short", "x" * 11, "x" * 257, "twelve-chars\x00"])
def test_policy_refuses_bad_passwords(bad: str) -> None:
    with pytest.raises(InvalidInput):
        Passwords(CHEAP).hash(bad)


def test_verify() -> None:
    passwords = Passwords(CHEAP)
    stored = passwords.hash("the right password")
    assert passwords.verify(stored, "the right password").ok
    assert not passwords.verify(stored, "the wrong password").ok
    assert not passwords.verify(None, "the right password").ok  # unknown account: dummy hash, same cost
    assert not passwords.verify("not-a-hash", "anything at all").ok


def test_a_changed_cost_rehashes_at_the_next_login(
    settings: Settings, make_user: Callable[..., Any], services: Services
) -> None:
    make_user("ada@example.org", "admin")
    stronger = replace(settings, argon2=Argon2Cost(time_cost=2, memory_kib=2048, parallelism=1))
    with TestClient(create_app(stronger)) as client:
        assert log_in(client, "ada@example.org", TEST_PASSWORD).status_code == 303
    stored = services.db.call(lambda *, session: session.scalar(select(col(User.password_hash))), write=False)
    assert "$m=2048,t=2,p=1$" in stored
    with TestClient(create_app(stronger)) as client:
        assert log_in(client, "ada@example.org", TEST_PASSWORD).status_code == 303
