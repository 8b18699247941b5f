"""The save may start from the principal its process resolved for the same token a moment ago (no read before the
write), because its guarded UPDATE re-checks the credential itself: a token revoked, a user disabled or a role
taken away since, by this process or by any other, stops the very next save, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, update
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.accounts.models import Credential, CredentialKind, Role, User, UserRole
from examengine.clock import utcnow
from examengine.db import Database
from examengine.delivery.models import AttemptSlot
from tests.api.test_delivery_api import sitting, start  # noqa: F401  (the fixture)
from tests.conftest import TEST_PASSWORD
from tests.shown import as_shown
from tests.web.browsing import csrf_from, first_choice, log_in, start_on_page


def _saver(client: TestClient, db: Database, sitting: dict[str, Any]) -> tuple[Callable[[int], Any], str]:  # noqa: F811
    attempt_id = start(client, sitting).json()["attempt_id"]
    answer = as_shown(db, attempt_id, 1, "A")

    def save(seq: int) -> Any:
        return client.put(
            f"/api/v1/attempts/{attempt_id}/responses/1",
            json={"response": answer, "seq": seq},
            headers=sitting["headers"]["cara"],
        )

    return save, attempt_id


def _stored_seq(db: Database, attempt_id: str) -> int:
    def read(*, session: Session) -> int:
        row = session.get(AttemptSlot, (attempt_id, 1))
        assert row is not None
        return row.seq

    return int(db.call(read, write=False))


def _in_database(db: Database, statement: Any) -> None:
    def write(*, session: Session) -> None:
        session.execute(statement)

    db.call(write)


def _cara(sitting: dict[str, Any]) -> str:  # noqa: F811
    return str(sitting["users"]["cara"].id)


def _change_behind_the_process(db: Database, sitting: dict[str, Any], change: str) -> None:  # noqa: F811
    """Write `change` straight to the database, as another server process would."""
    cara, web = _cara(sitting), col(Credential.kind) == CredentialKind.WEB
    statements = {
        "revoke_token": update(Credential).where(col(Credential.user_id) == cara).values(revoked_at=utcnow()),
        "expire_token": update(Credential).where(col(Credential.user_id) == cara).values(expires_at=utcnow()),
        "disable_user": update(User).where(col(User.id) == cara).values(disabled_at=utcnow()),
        "take_role": delete(UserRole).where(col(UserRole.user_id) == cara, col(UserRole.role) == Role.CANDIDATE),
        "sign_out_elsewhere": update(Credential)
        .where(col(Credential.user_id) == cara, web)
        .values(revoked_at=utcnow()),
        "idle_too_long": update(Credential)
        .where(col(Credential.user_id) == cara, web)
        .values(last_seen_at=utcnow() - timedelta(days=2)),
    }
    _in_database(db, statements[change])


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("revoke_token", 401, "not_authenticated"),
        ("expire_token", 401, "not_authenticated"),
        ("disable_user", 401, "not_authenticated"),
        ("take_role", 403, "role_required"),
    ],
)
def test_a_change_made_behind_the_process_stops_the_next_save(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
    change: str,
    status: int,
    code: str,
) -> None:
    """Written straight to the database, as another server process would: this process still holds the token's
    principal from the save before, and the save's own guard refuses."""
    save, attempt_id = _saver(app_client, db, sitting)
    assert save(1).status_code == 200 and save(2).status_code == 200  # the second from the process's entry
    _change_behind_the_process(db, sitting, change)
    refused = save(3)
    assert refused.status_code == status and refused.json()["error"]["code"] == code
    assert _stored_seq(db, attempt_id) == 2
    again = save(4)  # the process forgot the entry: the guard itself refuses now
    assert again.status_code == status and _stored_seq(db, attempt_id) == 2


def test_a_token_revoked_through_the_api_saves_nothing_more(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    save, attempt_id = _saver(app_client, db, sitting)
    assert save(1).status_code == 200
    assert app_client.delete("/api/v1/auth/token", headers=sitting["headers"]["cara"]).status_code in (200, 204)
    refused = save(2)
    assert refused.status_code == 401 and _stored_seq(db, attempt_id) == 1


def test_only_the_save_trusts_a_recent_principal(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    """Every other route reads the credential again: a token revoked behind the process is refused at once."""
    save, attempt_id = _saver(app_client, db, sitting)
    assert save(1).status_code == 200
    _in_database(db, update(Credential).where(col(Credential.user_id) == _cara(sitting)).values(revoked_at=utcnow()))
    detail = app_client.get(f"/api/v1/attempts/{attempt_id}", headers=sitting["headers"]["cara"])
    assert detail.status_code == 401


@pytest.mark.parametrize("change", ["sign_out_elsewhere", "idle_too_long"])
def test_the_page_s_autosave_rechecks_its_session_too(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
    change: str,
) -> None:
    """The exam page's autosave (a web session) trusts a recent principal the same way: a session ended or idle
    past the timeout behind the process stops the next autosave with 401, and nothing is stored."""
    cara = TestClient(app_client.app)
    log_in(cara, "cara@example.org", TEST_PASSWORD)
    attempt_url = start_on_page(cara, sitting["sitting_id"])
    page = cara.get(attempt_url + "/items/1")
    name, shown = first_choice(page)

    def autosave(seq: int) -> Any:
        return cara.post(
            attempt_url + "/items/1/save",
            data={name: shown},
            headers={"X-CSRF-Token": csrf_from(page), "X-Seq": str(seq)},
        )

    assert autosave(1).status_code == 200 and autosave(2).status_code == 200
    _change_behind_the_process(db, sitting, change)
    refused = autosave(3)
    assert refused.status_code == 401, refused.text
    assert _stored_seq(db, attempt_url.rsplit("/", 1)[-1]) == 2


@pytest.mark.parametrize("change", ["sign_out_elsewhere", "idle_too_long", "take_role"])
def test_the_item_page_rechecks_its_session_in_its_own_read(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
    change: str,
) -> None:
    """The item page (the candidate's most frequent page) also starts from a recent principal and re-checks the
    session in the read that shows the item: a session ended or idle past the timeout, or a role taken away,
    behind the process shows no item on the next load."""
    cara = TestClient(app_client.app)
    log_in(cara, "cara@example.org", TEST_PASSWORD)
    attempt_url = start_on_page(cara, sitting["sitting_id"])
    assert cara.get(attempt_url + "/items/1").status_code == 200
    assert cara.get(attempt_url + "/items/2").status_code == 200  # from the process's entry
    _change_behind_the_process(db, sitting, change)
    refused = cara.get(attempt_url + "/items/1", follow_redirects=False)
    assert refused.status_code in (303, 401, 403), refused.status_code
    assert "Question" not in refused.text and 'name="r-' not in refused.text
    if change != "take_role":
        assert "/login" in refused.headers.get("location", "/login")


@pytest.mark.parametrize("read", ["item", "start"])
@pytest.mark.parametrize(("change", "status"), [("revoke_token", 401), ("disable_user", 401), ("take_role", 403)])
def test_the_api_item_read_and_start_recheck_their_token_in_their_own_read(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
    read: str,
    change: str,
    status: int,
) -> None:
    """GET .../items/{slot} (every item a client shows) and the start (or resume) start from a recent principal
    too, and the read that answers them re-checks the token first: a change behind the process refuses the next
    request, and no item or attempt is sent."""
    _save, attempt_id = _saver(app_client, db, sitting)
    headers = sitting["headers"]["cara"]

    def again() -> Any:
        if read == "start":
            return start(app_client, sitting)
        return app_client.get(f"/api/v1/attempts/{attempt_id}/items/1", headers=headers)

    assert again().status_code == 200 and again().status_code == 200  # the second from the process's entry
    _change_behind_the_process(db, sitting, change)
    refused = again()
    assert refused.status_code == status and "item" not in refused.json() and "attempt_id" not in refused.json()
