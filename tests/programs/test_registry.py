"""The public registry: by number, by whole name within a scheme (listed holders only), nothing but the public
facts, a budget of 30 lookups a minute per address shared by the API, the page and /verify; the holder's opt-out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.app import create_app
from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.errors import Throttled
from examengine.programs import registry
from examengine.programs.models import SchemeKind
from examengine.settings import Settings
from tests.conftest import TEST_PASSWORD
from tests.programs.registry_rows import NOW, add_credential, add_scheme, set_dates

ADA = "SAFE-2026-000001"
GRACE = "SAFE-2026-000002"


@pytest.fixture
def holders(services: Services, make_user: Callable[..., UserView]) -> dict[str, UserView]:
    ada = make_user("ada@example.org", name="Ada Lovelace")
    grace = make_user("grace@example.org", name="Grace Hopper")
    other = make_user("other@example.org", name="Ada Lovelace")
    safe = add_scheme(services, "SAFE", title="Safety Officer")
    lift = add_scheme(services, "LIFT", SchemeKind.CERTIFICATE_OF_ATTENDANCE, title="Lifting Day")
    add_credential(services, scheme_id=safe, user_id=ada.id, number=ADA, holder_name="Ada Lovelace", index=1)
    add_credential(
        services, scheme_id=safe, user_id=grace.id, number=GRACE, holder_name="Grace Hopper", index=2, listed=False
    )
    add_credential(
        services,
        scheme_id=lift,
        user_id=other.id,
        number="LIFT-2026-000001",
        holder_name="Ada Lovelace",
        index=3,
        valid_until=None,
    )
    return {"ada": ada, "grace": grace, "other": other}


def client_at(settings: Settings, address: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver", client=(address, 40000)) as client:
        yield client


def bearer(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json()['token']}"}


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def items(client: TestClient, **params: str) -> list[dict[str, object]]:
    response = client.get("/api/v1/registry", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["items"]
    return found


def test_by_number_answers_only_the_public_facts(app_client: TestClient, holders: dict[str, UserView]) -> None:
    granted = (NOW - timedelta(days=10)).replace(microsecond=NOW.microsecond)
    expected = {
        "number": ADA,
        "holder_name": "Ada Lovelace",
        "scheme": "SAFE",
        "kind": "certification",
        "status": "active",
        "granted_at": stamp(granted),
        "valid_until": stamp(granted + timedelta(days=3 * 365)),
    }
    assert items(app_client, number=ADA) == [expected]
    assert items(app_client, number=f" {ADA.lower()} ") == [expected]  # typed as people type
    assert items(app_client, number="SAFE-2026-999999") == []
    assert items(app_client) == []  # nothing is searched without a number, or a name and a scheme
    assert items(app_client, name="Ada Lovelace") == []
    assert items(app_client, scheme="SAFE") == []
    assert app_client.get("/api/v1/registry", params={"number": ADA, "email": "x"}).status_code == 422


def test_by_name_matches_the_whole_name_in_any_case_within_the_scheme(
    app_client: TestClient, holders: dict[str, UserView]
) -> None:
    for typed in ("Ada Lovelace", "ada lovelace", "  ADA   LOVELACE "):
        assert [i["number"] for i in items(app_client, name=typed, scheme="SAFE")] == [ADA]
    assert [i["number"] for i in items(app_client, name="ada lovelace", scheme="LIFT")] == ["LIFT-2026-000001"]
    lift = items(app_client, name="ada lovelace", scheme="LIFT")[0]
    assert lift["kind"] == "certificate_of_attendance" and lift["valid_until"] is None
    for name in ("Ada", "Lovelace", "Ada Lovelac", "Ada%", "_da Lovelace"):
        assert items(app_client, name=name, scheme="SAFE") == []
    assert items(app_client, name="Ada Lovelace", scheme="NOPE") == []


def test_an_opted_out_holder_is_found_by_exact_number_only(
    app_client: TestClient, holders: dict[str, UserView]
) -> None:
    assert items(app_client, name="Grace Hopper", scheme="SAFE") == []
    assert [i["holder_name"] for i in items(app_client, number=GRACE)] == ["Grace Hopper"]


def test_the_holder_opts_out_and_back_in_through_the_api(
    app_client: TestClient, services: Services, holders: dict[str, UserView]
) -> None:
    path = f"/api/v1/credentials/{ADA}/listing"
    assert app_client.post(path, json={"listed": False}).status_code == 401
    assert (
        app_client.post(path, json={"listed": False}, headers=bearer(app_client, "grace@example.org")).status_code
        == 404
    )
    ada = bearer(app_client, "ada@example.org")
    assert app_client.post(path, json={"listed": "no"}, headers=ada).status_code == 422
    response = app_client.post(path, json={"listed": False}, headers=ada)
    assert response.status_code == 200 and response.json() == {"number": ADA, "listed": False}
    assert items(app_client, name="Ada Lovelace", scheme="SAFE") == []
    assert [i["number"] for i in items(app_client, number=ADA)] == [ADA]
    assert app_client.post(path, json={"listed": True}, headers=ada).json()["listed"] is True
    assert [i["number"] for i in items(app_client, name="ada lovelace", scheme="SAFE")] == [ADA]
    recorded = services.db.call(
        lambda *, session: list(
            session.exec(select(AuditRecord).where(AuditRecord.kind == AuditKind.REGISTRY_LISTING_CHANGED))
        ),
        write=False,
    )
    assert [(r.actor_id, r.detail) for r in recorded] == [
        (holders["ada"].id, {"listed": False}),
        (holders["ada"].id, {"listed": True}),
    ]


def test_the_status_follows_suspension_and_revocation(
    app_client: TestClient, services: Services, holders: dict[str, UserView]
) -> None:
    set_dates(services, ADA, suspended_at=NOW)
    assert items(app_client, number=ADA)[0]["status"] == "suspended"
    set_dates(services, ADA, suspended_at=None, revoked_at=NOW)
    assert items(app_client, number=ADA)[0]["status"] == "revoked"
    set_dates(services, ADA, revoked_at=None, valid_until=NOW - timedelta(days=1))
    assert items(app_client, number=ADA)[0]["status"] == "grace"


def test_thirty_lookups_a_minute_per_address_then_429_with_retry_after(
    settings: Settings, holders: dict[str, UserView]
) -> None:
    with TestClient(create_app(settings), client=("192.0.2.10", 40000)) as first:
        for n in range(20):
            assert first.get("/api/v1/registry", params={"number": ADA}).status_code == 200, n
        for n in range(10):  # the page spends the same budget
            assert first.get("/registry", params={"name": "Ada Lovelace", "scheme": "SAFE"}).status_code == 200, n
        refused = first.get("/api/v1/registry", params={"number": ADA})
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_attempts"
        assert 1 <= int(refused.headers["Retry-After"]) <= 61
        page = first.get("/registry", params={"number": ADA})
        assert page.status_code == 429 and "Too many registry searches" in page.text
        assert int(page.headers["Retry-After"]) >= 1
        assert first.get(f"/verify/{ADA}").status_code == 429  # a credential number typed into /verify counts too
    with TestClient(create_app(settings), client=("192.0.2.11", 40000)) as second:
        assert second.get("/api/v1/registry", params={"number": ADA}).status_code == 200


def test_the_window_slides(services: Services, holders: dict[str, UserView]) -> None:
    start = NOW.replace(microsecond=0)

    def lookup(seconds: float, address: str = "198.51.100.1") -> None:
        services.db.call(registry.search, address=address, now=start + timedelta(seconds=seconds), number=ADA)

    for n in range(registry.LIMIT):
        lookup(n)  # one a second for 30 seconds
    with pytest.raises(Throttled) as refused:
        lookup(45)
    assert refused.value.retry_after_seconds == 15  # the first lookup leaves the window at 60 s
    lookup(45, address="198.51.100.2")
    lookup(60.5)  # the first has left: one more is allowed
    with pytest.raises(Throttled):
        lookup(60.7)


def test_verify_shows_a_credential_number_with_the_registry_status_words(
    app_client: TestClient, services: Services, holders: dict[str, UserView]
) -> None:
    page = app_client.get(f"/verify/{ADA}")
    assert page.status_code == 200
    assert "Credential SAFE-2026-000001: Active" in page.text and "Ada Lovelace" in page.text
    assert "ada@example.org" not in page.text
    set_dates(services, ADA, suspended_at=NOW)
    page = app_client.get(f"/verify/{ADA.lower()}")
    assert "Credential SAFE-2026-000001: Suspended" in page.text
    registry_page = app_client.get("/registry", params={"number": ADA})
    assert '<td class="status">Suspended</td>' in registry_page.text
    assert app_client.get("/verify/SAFE-2026-999999").status_code == 404
