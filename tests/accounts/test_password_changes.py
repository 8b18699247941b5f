"""Any password change ends every other session and API token of the user: their own change on /account (that
session stays), and a password set by an admin on the users page or through the API (all of them end). The
command line's `users set-password` is in tests/test_cli.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.accounts import login, service
from examengine.accounts.models import Credential, CredentialKind
from examengine.accounts.passwords import Passwords, Verification
from examengine.context import Services
from examengine.errors import NotAuthenticated
from tests.api.test_exams_api import bearer
from tests.conftest import TEST_PASSWORD, run_async
from tests.web.browsing import csrf_from, log_in, post_form

NEW_PASSWORD = "a-brand-new-password"


class Cara:
    """Two browser sessions and an API token of one user, and whether each still works."""

    def __init__(self, app_client: TestClient) -> None:
        self.sessions = [TestClient(app_client.app) for _ in range(2)]
        for client in self.sessions:
            assert log_in(client, "cara@example.org", TEST_PASSWORD).status_code == 303
        self.api, self.token = app_client, bearer(app_client, "cara@example.org")

    def session_works(self, n: int) -> bool:
        return self.sessions[n].get("/account", follow_redirects=False).status_code == 200

    def token_works(self) -> bool:
        return self.api.get("/api/v1/items", headers=self.token).status_code == 200

    def all_work(self) -> bool:
        return self.session_works(0) and self.session_works(1) and self.token_works()


@pytest.fixture
def cara(app_client: TestClient, make_user: Callable[..., Any]) -> Cara:
    make_user("cara@example.org", "candidate", "author")
    make_user("ada@example.org", "admin")
    found = Cara(app_client)
    assert found.all_work()
    return found


def test_an_own_change_keeps_this_session_and_ends_the_others(cara: Cara) -> None:
    own = cara.sessions[0]
    page = own.get("/account")
    wrong = own.post(
        "/account/password",
        data={"csrf_token": csrf_from(page), "current_password": "not-my-password", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    short = own.post(
        "/account/password",
        data={"csrf_token": csrf_from(page), "current_password": TEST_PASSWORD, "new_password": "short"},
    )
    assert short.status_code == 422 and "too short" in short.text
    assert cara.all_work()  # a refused change ends nothing
    changed = own.post(
        "/account/password",
        data={"csrf_token": csrf_from(page), "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert cara.session_works(0)
    assert not cara.session_works(1) and not cara.token_works()
    assert log_in(TestClient(own.app), "cara@example.org", NEW_PASSWORD).status_code == 303


def test_guessing_the_current_password_is_throttled_like_a_login(cara: Cara, services: Services) -> None:
    own = cara.sessions[0]
    token = csrf_from(own.get("/account"))
    answers = [
        own.post(
            "/account/password",
            data={"csrf_token": token, "current_password": f"guess-{n}", "new_password": NEW_PASSWORD},
        ).status_code
        for n in range(services.settings.throttle.per_account_and_address + 1)
    ]
    assert set(answers[:-1]) == {422} and answers[-1] == 429
    right = own.post(
        "/account/password",
        data={"csrf_token": token, "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert right.status_code == 429 and cara.all_work()


def test_an_admin_setting_the_password_on_the_page_ends_every_session(
    app_client: TestClient, cara: Cara, make_user: Callable[..., Any]
) -> None:
    admin = TestClient(app_client.app)
    log_in(admin, "ada@example.org", TEST_PASSWORD)
    user_id = cara.api.get("/api/v1/users?q=cara", headers=bearer(app_client, "ada@example.org")).json()["items"][0]
    page = f"/admin/users/{user_id['id']}"
    assert post_form(admin, f"{page}/password", {"password": NEW_PASSWORD}, from_page=page).status_code == 303
    assert not cara.session_works(0) and not cara.session_works(1) and not cara.token_works()
    assert admin.get("/admin/users", follow_redirects=False).status_code == 200  # the admin's own session stays


def test_an_admin_setting_the_password_through_the_api_ends_every_token(app_client: TestClient, cara: Cara) -> None:
    ada = bearer(app_client, "ada@example.org")
    user_id = app_client.get("/api/v1/users?q=cara", headers=ada).json()["items"][0]["id"]
    weak = app_client.post(f"/api/v1/users/{user_id}/password", json={"password": "short"}, headers=ada)
    assert weak.status_code == 422 and cara.all_work()
    unknown = app_client.post("/api/v1/users/nobody/password", json={"password": NEW_PASSWORD}, headers=ada)
    assert unknown.status_code == 404
    refused = app_client.post(f"/api/v1/users/{user_id}/password", json={"password": NEW_PASSWORD}, headers=cara.token)
    assert refused.status_code == 403 and cara.all_work()
    done = app_client.post(f"/api/v1/users/{user_id}/password", json={"password": NEW_PASSWORD}, headers=ada)
    assert done.status_code == 200 and done.json()["ended_credentials"] == 3
    assert not cara.session_works(0) and not cara.session_works(1) and not cara.token_works()
    assert app_client.get("/api/v1/users", headers=ada).status_code == 200
    mine = app_client.post(
        "/api/v1/users/{}/password".format(app_client.get("/api/v1/users?q=ada", headers=ada).json()["items"][0]["id"]),
        json={"password": NEW_PASSWORD},
        headers=ada,
    )
    assert mine.status_code == 200 and app_client.get("/api/v1/users", headers=ada).status_code == 200


class ChangedWhileVerifying(Passwords):
    """Verifies as usual, then an admin changes the user's password before the login writes its credential."""

    def __init__(self, services: Services, user_id: str) -> None:
        super().__init__(services.settings.argon2)
        self.services, self.user_id = services, user_id

    async def verify_off_loop(self, password_hash: str | None, password: str) -> Verification:
        verified = await super().verify_off_loop(password_hash, password)
        await self.services.db.run(
            service.change_password, user_id=self.user_id, password_hash=self.hash(NEW_PASSWORD), actor_id=None
        )
        return verified


def test_a_login_verified_against_the_old_password_gets_no_session(
    services: Services, make_user: Callable[..., Any]
) -> None:
    user = make_user("cara@example.org", "candidate")

    async def sign_in() -> None:
        await login.log_in(
            services.db,
            ChangedWhileVerifying(services, user.id),
            services.settings.throttle,
            email="cara@example.org",
            password=TEST_PASSWORD,
            address="192.0.2.1",
            device_token=None,
            kind=CredentialKind.WEB,
            lifetime=timedelta(hours=1),
        )

    with pytest.raises(NotAuthenticated):
        run_async(sign_in)

    def live(*, session: Session) -> int:
        rows = select(func.count()).where(col(Credential.user_id) == user.id, col(Credential.revoked_at).is_(None))
        return int(session.scalar(rows) or 0)

    assert services.db.call(live, write=False) == 0
