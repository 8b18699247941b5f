"""Password reset and invitations by mail, through a real SMTP server (aiosmtpd): the mail arrives, its link sets the
password once, and then every session and token of the account ends. No answer tells a known address from an
unknown one; over the budget every address gets the same 429."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from examengine.accounts import password_links, service
from examengine.app import create_app
from examengine.audit import service as audit_service
from examengine.audit.kinds import AuditKind
from examengine.audit.service import AuditFilter
from examengine.clock import utcnow
from examengine.context import Services
from examengine.errors import Conflict
from examengine.mail.models import OutboxMail
from examengine.settings import Settings, ThrottleLimits
from tests.conftest import TEST_PASSWORD, run_async
from tests.mailbox import Mailbox, html_of, link_in, text_of
from tests.web.browsing import log_in, post_form

NEW_PASSWORD = "a-brand-new-password"


@pytest.fixture
def client(mail_client: TestClient) -> TestClient:
    return mail_client


@pytest.fixture
def cara(make_user: Callable[..., Any]) -> Any:
    make_user("ada@example.org", "admin", name="Ada Admin")
    return make_user("cara@example.org", "candidate", "author", name="Cara Candidate")


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def bearer(client: TestClient, email: str, password: str = TEST_PASSWORD) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def ask_reset(client: TestClient, email: str) -> Any:
    return client.post("/api/v1/auth/password-reset", json={"email": email})


def confirm(client: TestClient, token: str, password: str = NEW_PASSWORD) -> Any:
    return client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": password})


def test_a_reset_mail_sets_a_new_password_once_and_ends_every_session_and_token(
    client: TestClient, mailbox: Mailbox, cara: Any
) -> None:
    browser = TestClient(client.app)
    assert log_in(browser, "cara@example.org", TEST_PASSWORD).status_code == 303
    token_headers = bearer(client, "cara@example.org")

    asked = ask_reset(client, "Cara@Example.org ")
    assert asked.status_code == 202
    message = mailbox.wait_for("cara@example.org")
    assert message["From"] == "Safety Board <exams@example.org>"
    link = link_in(message)
    assert link.startswith("http://testserver/reset-password?token=")
    assert link in html_of(message) and "Cara Candidate" in text_of(message)

    assert confirm(client, token_of(link), "short").status_code == 422  # the policy, and the link still works
    done = confirm(client, token_of(link))
    assert done.status_code == 200, done.text
    assert done.json() == {"email": "cara@example.org"}

    assert browser.get("/account", follow_redirects=False).status_code == 303  # the session ended
    assert client.get("/api/v1/items", headers=token_headers).status_code == 401  # and the token
    refused = client.post("/api/v1/auth/token", json={"email": "cara@example.org", "password": TEST_PASSWORD})
    assert refused.status_code == 401
    bearer(client, "cara@example.org", NEW_PASSWORD)

    again = confirm(client, token_of(link), "yet-another-password")
    assert again.status_code == 409 and again.json()["error"]["code"] == "token_used"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client: TestClient, mailbox: Mailbox, cara: Any) -> None:
    known = ask_reset(client, "cara@example.org")
    for other in ("nobody@example.org", "not an address", "CARA@example.org.evil"):
        unknown = ask_reset(client, other)
        assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    mailbox.wait_for("cara@example.org")
    assert [m["To"] for m in mailbox.messages] == ["cara@example.org"]


def test_a_disabled_account_gets_no_mail_and_its_links_stop_working(
    client: TestClient, mailbox: Mailbox, cara: Any, services: Services
) -> None:
    ask_reset(client, "cara@example.org")
    link = link_in(mailbox.wait_for("cara@example.org"))
    services.db.call(service.set_disabled, user_id=cara.id, disabled=True)
    assert ask_reset(client, "cara@example.org").status_code == 202
    refused = confirm(client, token_of(link))
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "invalid_token")
    assert len(mailbox.messages) == 1


@pytest.mark.parametrize(
    "token", ["", "x" * 201, "made-up-token", "cara@example.org", "\u00e9t\u00e9", "' OR 1=1 --"], ids=repr
)
def test_a_made_up_token_is_refused_clearly(client: TestClient, token: str) -> None:
    answer = confirm(client, token)
    expected = (422, "invalid_body") if not token or len(token) > 200 else (404, "invalid_token")
    assert (answer.status_code, answer.json()["error"]["code"]) == expected
    assert answer.json()["error"]["message"]


def test_a_link_expires(client: TestClient, mailbox: Mailbox, cara: Any, services: Services) -> None:
    long_ago = utcnow() - timedelta(minutes=61)
    services.db.call(
        password_links.request_reset,
        settings=services.settings,
        email="cara@example.org",
        address="198.51.100.7",
        base_url="http://testserver",
        now=long_ago,
    )
    expired = services.db.call(_outbox_text, write=False)
    link = next(word for word in expired.split() if "/reset-password?token=" in word)
    answer = confirm(client, token_of(link))
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "token_expired"


def _outbox_text(*, session: Session) -> str:
    return "\n".join(m.text_body for m in session.scalars(select(OutboxMail)))


def test_a_newer_password_ends_the_links_of_before(client: TestClient, mailbox: Mailbox, cara: Any) -> None:
    ask_reset(client, "cara@example.org")
    first = link_in(mailbox.wait_for("cara@example.org"))
    ask_reset(client, "cara@example.org")
    second = link_in(mailbox.wait_for("cara@example.org", 2))
    assert first != second
    assert confirm(client, token_of(second)).status_code == 200
    assert confirm(client, token_of(first), "another-long-password").json()["error"]["code"] == "token_used"


def test_over_the_budget_every_address_gets_429_with_retry_after(
    settings: Settings, mail_settings: tuple[Mailbox, Settings], cara: Any, db: Any
) -> None:
    limits = ThrottleLimits(window_seconds=900, per_account_and_address=2, per_address=4, per_account=2)
    tight = replace(mail_settings[1], reset_throttle=limits)
    with TestClient(create_app(tight), base_url="http://testserver") as client:
        for email in ("cara@example.org", "nobody@example.org"):
            assert [ask_reset(client, email).status_code for _ in range(2)] == [202, 202]
            over = ask_reset(client, email)
            assert over.status_code == 429
            assert 0 < int(over.headers["Retry-After"]) <= 901
        # and per address: two more addresses would each be within their own budget
        assert ask_reset(client, "third@example.org").status_code == 429
        known, unknown = ask_reset(client, "cara@example.org"), ask_reset(client, "nobody@example.org")
        assert (known.status_code, known.json()["error"]["code"]) == (
            unknown.status_code,
            unknown.json()["error"]["code"],
        )
    assert len(mail_settings[0].to("cara@example.org")) == 2


def test_an_invitation_mails_a_link_that_sets_the_first_password(
    client: TestClient, mailbox: Mailbox, cara: Any
) -> None:
    admin = bearer(client, "ada@example.org")
    body = {"email": "dana@example.org", "name": "Dana <b>New</b>", "roles": ["candidate"], "invite": True}
    created = client.post("/api/v1/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "dana@example.org"
    message = mailbox.wait_for("dana@example.org")
    assert "Safety Board" in message["Subject"]
    assert "Dana &lt;b&gt;New&lt;/b&gt;" in html_of(message) and "Dana <b>New</b>" in text_of(message)
    assert "7 days" in text_of(message)
    assert client.post("/api/v1/auth/token", json={"email": "dana@example.org", "password": ""}).status_code in (
        401,
        422,
    )
    assert confirm(client, token_of(link_in(message))).status_code == 200
    bearer(client, "dana@example.org", NEW_PASSWORD)


def test_an_invitation_with_a_password_is_refused(client: TestClient, mailbox: Mailbox, cara: Any) -> None:
    admin = bearer(client, "ada@example.org")
    body = {"email": "eve@example.org", "name": "Eve", "roles": ["candidate"], "invite": True, "password": NEW_PASSWORD}
    refused = client.post("/api/v1/users", json=body, headers=admin)
    assert refused.status_code == 422
    assert "invite" in refused.json()["error"]["message"]
    assert client.get("/api/v1/users?q=eve", headers=admin).json()["items"] == []
    assert mailbox.messages == []


def test_an_invitation_link_lasts_seven_days(
    client: TestClient, mailbox: Mailbox, cara: Any, services: Services
) -> None:
    admin = bearer(client, "ada@example.org")
    body = {"email": "finn@example.org", "name": "Finn", "roles": ["candidate"], "invite": True}
    assert client.post("/api/v1/users", json=body, headers=admin).status_code == 201
    token = token_of(link_in(mailbox.wait_for("finn@example.org")))
    in_six_days = utcnow() + timedelta(days=6, hours=23)
    in_eight_days = utcnow() + timedelta(days=7, minutes=1)
    assert services.db.call(password_links.check_link, token=token, now=in_six_days, write=False) == "invite"
    with pytest.raises(Conflict, match="expired"):
        services.db.call(password_links.check_link, token=token, now=in_eight_days, write=False)


def test_the_link_never_takes_its_host_from_the_request(client: TestClient, mailbox: Mailbox, cara: Any) -> None:
    """Whoever asks for a reset of someone else's account writes the Host header: the link (and its secret) must not
    go there. Without EXAMENGINE_PUBLIC_URL it names the server's own address."""
    for headers in ({"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"}):
        assert (
            client.post("/api/v1/auth/password-reset", json={"email": "cara@example.org"}, headers=headers).status_code
            == 202
        )
    for message in mailbox.messages:
        assert link_in(message).startswith("http://testserver/reset-password?token=")
        assert "evil" not in html_of(message)


def test_the_link_uses_the_public_url_when_it_is_set(
    mail_settings: tuple[Mailbox, Settings], cara: Any, db: Any
) -> None:
    box, settings = mail_settings
    with TestClient(create_app(replace(settings, public_url="https://exams.example.org/board"))) as client:
        assert ask_reset(client, "cara@example.org").status_code == 202
    assert link_in(box.wait_for("cara@example.org")).startswith("https://exams.example.org/board/reset-password?token=")


def test_two_uses_of_one_link_at_once_set_one_password(
    client: TestClient, mailbox: Mailbox, cara: Any, services: Services
) -> None:
    ask_reset(client, "cara@example.org")
    token = token_of(link_in(mailbox.wait_for("cara@example.org")))

    def use(password: str) -> str:
        try:
            return run_async(
                functools.partial(
                    password_links.set_password_by_link, services.db, services.passwords, token=token, password=password
                )
            )
        except Conflict as refusal:
            return refusal.code

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(use, ["first-long-password", "second-long-password"]))
    assert outcomes == ["cara@example.org", "token_used"]


def test_each_step_is_on_the_audit_record(client: TestClient, mailbox: Mailbox, cara: Any, services: Services) -> None:
    ask_reset(client, "cara@example.org")
    ask_reset(client, "nobody@example.org")
    assert confirm(client, token_of(link_in(mailbox.wait_for("cara@example.org")))).status_code == 200
    admin = bearer(client, "ada@example.org")
    body = {"email": "gil@example.org", "name": "Gil", "roles": ["candidate"], "invite": True}
    assert client.post("/api/v1/users", json=body, headers=admin).status_code == 201
    records = services.db.call(audit_service.find, where=AuditFilter(), limit=100, write=False).items
    kinds = [(r.kind, r.subject, r.detail) for r in records if r.kind != AuditKind.LOGIN_SUCCEEDED]
    assert (AuditKind.PASSWORD_RESET_REQUESTED, f"user:{cara.id}") in [(k, s) for k, s, _ in kinds]
    assert (AuditKind.PASSWORD_RESET_REQUESTED, "email:nobody@example.org") in [(k, s) for k, s, _ in kinds]
    password_set = [d for k, s, d in kinds if k == AuditKind.PASSWORD_SET and s == f"user:{cara.id}"]
    assert password_set and password_set[0]["via"] == "reset"
    assert AuditKind.USER_INVITED in [k for k, _, _ in kinds]


def test_a_link_used_lifts_the_lock_that_guessing_put_on_the_account(
    mail_settings: tuple[Mailbox, Settings], cara: Any, db: Any
) -> None:
    box, settings = mail_settings
    limits = ThrottleLimits(window_seconds=900, per_account_and_address=2, per_address=100, per_account=2)
    with TestClient(create_app(replace(settings, throttle=limits))) as client:
        for _ in range(2):
            guess = client.post("/api/v1/auth/token", json={"email": "cara@example.org", "password": "a-wrong-guess"})
            assert guess.status_code == 401
        locked = client.post("/api/v1/auth/token", json={"email": "cara@example.org", "password": TEST_PASSWORD})
        assert locked.status_code == 429
        ask_reset(client, "cara@example.org")
        assert confirm(client, token_of(link_in(box.wait_for("cara@example.org")))).status_code == 200
        bearer(client, "cara@example.org", NEW_PASSWORD)
        other = client.post("/api/v1/auth/token", json={"email": "ada@example.org", "password": TEST_PASSWORD})
        assert other.status_code == 201  # and the address was never the one locked


@pytest.mark.parametrize("email", ["nul\x00@example.org", "x" * 5000, "", "   "], ids=["nul", "long", "empty", "blank"])
def test_any_address_on_the_forgot_page_gets_an_answer_a_person_can_act_on(
    client: TestClient, mailbox: Mailbox, email: str
) -> None:
    answer = post_form(client, "/forgot-password", {"email": email}, from_page="/forgot-password")
    assert answer.status_code in (303, 422), answer.text
    assert mailbox.messages == []


def test_the_service_takes_an_address_the_api_would_refuse(services: Services, cara: Any) -> None:
    """The service stands alone: a NUL or an overlong address is counted and answered like any unknown one."""
    for email in ("nul\x00@example.org", "y" * 5000):
        sent = services.db.call(
            password_links.request_reset,
            settings=services.settings,
            email=email,
            address="198.51.100.9",
            base_url="http://testserver",
        )
        assert sent == ()


def test_mail_speaks_in_the_organisations_name_once_an_admin_sets_it(
    client: TestClient, mailbox: Mailbox, cara: Any
) -> None:
    """Before anything is set, the installation's default name (here "Safety Board"); then the name and contact
    address set on /admin/organisation, as sender, subject and signature, in both parts."""
    ask_reset(client, "cara@example.org")
    before = mailbox.wait_for("cara@example.org")
    assert "Safety Board" in before["From"] and "Safety Board" in before["Subject"]
    body = {"name": "Board of Rope Access", "contact_email": "help@rope.example.org", "accent_colour": "#1d4e89"}
    admin = bearer(client, "ada@example.org")
    assert client.put("/api/v1/organisation", json=body, headers=admin).status_code == 200
    ask_reset(client, "cara@example.org")
    after = mailbox.wait_for("cara@example.org", count=2)
    assert "Board of Rope Access" in after["From"] and "Board of Rope Access" in after["Subject"]
    assert "help@rope.example.org" in text_of(after) and "Board of Rope Access" in html_of(after)
    assert "Safety Board" not in text_of(after)
