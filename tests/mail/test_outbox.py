"""The outbox: a mail the SMTP server refuses stays, is retried by the scheduled job with backoff and recorded; one
failing mail never stops another; without an SMTP server mail waits (and the demo server logs it)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from examengine import mail, scheduler
from examengine.accounts import password_links
from examengine.clock import utcnow
from examengine.context import Services
from examengine.mail import outbox
from examengine.mail.models import OutboxMail
from examengine.settings import Settings, SettingsError
from tests.mailbox import Mailbox, html_of, smtp_server, text_of


@pytest.fixture
def mailing(settings: Settings, db: Any) -> Iterator[tuple[Mailbox, Services]]:
    with smtp_server() as (box, server):
        built = Services.build(replace(settings, smtp=server, mail_from="exams@example.org"))
        yield box, built
        built.db.dispose()


def letter(to: str, text: str = "Hello & welcome") -> mail.Letter:
    return mail.Letter(recipient=to, subject="A note", text=text, html=f"<p>{text}</p>")


def queue(services: Services, *letters: mail.Letter) -> list[str]:
    return [services.db.call(mail.enqueue, letter=one) for one in letters]


def stored(services: Services, mail_id: str) -> OutboxMail:
    def read(*, session: Session) -> OutboxMail:
        return session.scalars(select(OutboxMail).where(col(OutboxMail.id) == mail_id)).one()

    return services.db.call(read, write=False)


def make_due(services: Services) -> None:
    def rewind(*, session: Session) -> None:
        session.execute(update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))

    services.db.call(rewind)


def test_a_sent_mail_is_text_with_an_html_alternative_and_its_bodies_are_blanked(
    mailing: tuple[Mailbox, Services],
) -> None:
    box, services = mailing
    [mail_id] = queue(services, letter("ann@example.org"))
    assert mail.deliver(services.db, services.settings, [mail_id]) == 1
    message = box.wait_for("ann@example.org")
    assert message.get_content_type() == "multipart/alternative"
    assert text_of(message).strip() == "Hello & welcome"
    assert html_of(message).strip() == "<p>Hello & welcome</p>"
    assert message["From"] == "examengine <exams@example.org>"
    row = stored(services, mail_id)
    assert row.sent_at is not None and row.text_body == row.html_body == "" and row.attempts == 1
    assert mail.deliver(services.db, services.settings, [mail_id]) == 0  # never twice
    assert len(box.messages) == 1


def test_a_refused_mail_is_retried_with_backoff_by_the_job_and_another_is_not_held_up(
    mailing: tuple[Mailbox, Services],
) -> None:
    box, services = mailing
    box.refuse_to = {"bad@example.org"}
    bad, good = queue(services, letter("bad@example.org"), letter("good@example.org"))
    assert mail.deliver(services.db, services.settings, [bad, good]) == 1
    box.wait_for("good@example.org")
    failed = stored(services, bad)
    assert failed.sent_at is None and failed.attempts == 1 and "451" in (failed.last_error or "")
    assert timedelta(seconds=25) < failed.next_attempt_at - utcnow() <= timedelta(seconds=30)
    assert scheduler.send_mail(services) == 0  # not due yet

    make_due(services)
    assert scheduler.send_mail(services) == 0  # refused again: the wait doubles
    again = stored(services, bad)
    assert again.attempts == 2 and timedelta(seconds=55) < again.next_attempt_at - utcnow() <= timedelta(seconds=60)

    box.refuse_to = set()
    make_due(services)
    assert scheduler.send_mail(services) == 1
    assert box.wait_for("bad@example.org") and stored(services, bad).sent_at is not None


def test_the_backoff_doubles_to_an_hour_and_the_mail_is_given_up_after_the_last_try(
    mailing: tuple[Mailbox, Services],
) -> None:
    assert [outbox.retry_wait(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert outbox.retry_wait(20) == timedelta(hours=1)
    box, services = mailing
    box.refuse = True
    [mail_id] = queue(services, letter("gone@example.org"))
    for _ in range(outbox.MAX_ATTEMPTS):
        make_due(services)
        scheduler.send_mail(services)
    row = stored(services, mail_id)
    assert row.failed_at is not None and row.attempts == outbox.MAX_ATTEMPTS and row.text_body == ""
    make_due(services)
    assert services.db.call(outbox.due, write=False) == []


def test_an_unreachable_server_is_recorded_not_raised(settings: Settings, db: Any) -> None:
    with smtp_server() as (_, server):
        closed = server  # stopped below: nothing listens on its port any more
    services = Services.build(replace(settings, smtp=closed, mail_from="exams@example.org"))
    try:
        [mail_id] = queue(services, letter("ann@example.org"))
        assert mail.deliver(services.db, services.settings, [mail_id]) == 0
        assert "Connection" in (stored(services, mail_id).last_error or "")
    finally:
        services.db.dispose()


def test_without_an_smtp_server_mail_waits_and_the_demo_server_logs_it(
    settings: Settings, db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    services = Services.build(replace(settings, mail_to_log=True))
    try:
        [mail_id] = queue(services, letter("ann@example.org", "http://x/reset-password?token=T"))
        with caplog.at_level(logging.WARNING, logger="examengine.mail.delivery"):
            assert mail.deliver(services.db, services.settings, [mail_id]) == 0
        assert "http://x/reset-password?token=T" in caplog.text and "not configured" in caplog.text
        assert scheduler.send_mail(services) == 0
        assert services.db.call(mail.waiting_count, write=False) == 1
    finally:
        services.db.dispose()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", ("mail.example.org", 25, None, None, False, False)),
        ("smtp://u%40x:p%3Aw@mail.example.org:587?starttls=1", ("mail.example.org", 587, "u@x", "p:w", True, False)),
        ("smtps://mail.example.org", ("mail.example.org", 465, None, None, False, True)),
    ],
)
def test_the_smtp_url_is_read(url: str, expected: tuple[object, ...]) -> None:
    server = Settings.from_env({"EXAMENGINE_SMTP_URL": url, "EXAMENGINE_MAIL_FROM": "exams@example.org"}).smtp
    assert server is not None
    found = (server.host, server.port, server.username, server.password, server.starttls, server.tls)
    assert found == expected
    assert "p:w" not in repr(server)


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"EXAMENGINE_SMTP_URL": "http://mail.example.org", "EXAMENGINE_MAIL_FROM": "a@b.c"}, "smtp://"),
        ({"EXAMENGINE_SMTP_URL": "smtp://mail.example.org:port", "EXAMENGINE_MAIL_FROM": "a@b.c"}, "port"),
        ({"EXAMENGINE_SMTP_URL": "smtp://mail.example.org?tls=1", "EXAMENGINE_MAIL_FROM": "a@b.c"}, "tls"),
        ({"EXAMENGINE_SMTP_URL": "smtp://mail.example.org"}, "EXAMENGINE_MAIL_FROM"),
        ({"EXAMENGINE_MAIL_FROM": "Exams <a@b.c>"}, "bare address"),
        ({"EXAMENGINE_MAIL_FROM": "a@b.c\r\nBcc: x@y.z"}, "bare address"),
    ],
)
def test_a_bad_mail_setting_is_refused_with_what_to_write(env: dict[str, str], complaint: str) -> None:
    with pytest.raises(SettingsError, match=complaint):
        Settings.from_env(env)


def test_the_hourly_purge_keeps_what_is_waiting_and_recent(
    mailing: tuple[Mailbox, Services], make_user: Callable[..., Any]
) -> None:
    box, services = mailing
    box.refuse_to = {"waiting@example.org"}
    old_sent, new_sent, waiting = queue(
        services, letter("old@example.org"), letter("new@example.org"), letter("waiting@example.org")
    )
    mail.deliver(services.db, services.settings, [old_sent, new_sent, waiting])
    month_ago = utcnow() - timedelta(days=31)

    def age(*, session: Session) -> None:
        session.execute(update(OutboxMail).where(col(OutboxMail.id) == old_sent).values(sent_at=month_ago))

    services.db.call(age)
    user = make_user("cara@example.org")
    for now in (month_ago, utcnow()):
        services.db.call(
            password_links.request_reset,
            settings=services.settings,
            email=user.email,
            address="198.51.100.1",
            base_url="http://x",
            now=now,
        )
    assert scheduler.purge_mail_and_links(services) == (1, 1)  # the mail sent a month ago; the link of a month ago
    left = services.db.call(outbox.waiting, mail_ids=[waiting, new_sent, old_sent], write=False)
    assert [m.id for m in left] == [waiting]
    assert stored(services, new_sent).sent_at is not None
