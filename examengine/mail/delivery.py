"""Sending what the outbox holds: right after the request that wrote it (in a thread, after the response) and again
from the scheduled job until it is sent or given up. One mail's failure never stops another's send."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable

from examengine.db import Database
from examengine.mail import outbox, smtp
from examengine.mail.compose import organisation_name
from examengine.mail.models import OutboxMail
from examengine.settings import Settings

log = logging.getLogger(__name__)


def _send_one(db: Database, settings: Settings, mail_id: str) -> bool:
    assert settings.smtp is not None
    mail: OutboxMail | None = db.call(outbox.claim, mail_id=mail_id)
    if mail is None:
        return False
    letter = smtp.message(
        sender_name=db.call(organisation_name, settings, write=False),
        sender=settings.mail_from,
        recipient=mail.recipient,
        subject=mail.subject,
        text=mail.text_body,
        html=mail.html_body,
    )
    try:
        smtp.send(settings.smtp, letter)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        reason = f"{type(error).__name__}: {error}"
        given_up = db.call(outbox.mark_failed, mail_id=mail_id, error=reason)
        level = logging.ERROR if given_up else logging.WARNING
        log.log(level, "mail %s to %s not sent (%s)%s", mail_id, mail.recipient, reason, "; given up" * given_up)
        return False
    db.call(outbox.mark_sent, mail_id=mail_id)
    return True


def _log_unsent(db: Database, mail_ids: list[str]) -> None:
    for mail in db.call(outbox.waiting, mail_ids=mail_ids, write=False):
        log.warning(
            "mail is not configured (EXAMENGINE_SMTP_URL): not sent to %s: %s\n%s",
            mail.recipient,
            mail.subject,
            mail.text_body,
        )


def deliver(db: Database, settings: Settings, mail_ids: Iterable[str]) -> int:
    """Send these mails now (blocking: call it from a thread); returns how many were sent. Without an SMTP server
    they stay in the outbox (the demo server, EXAMENGINE_MAIL_TO_LOG=1, writes them to the log)."""
    ids = list(mail_ids)
    if settings.smtp is None:
        if settings.mail_to_log and ids:
            _log_unsent(db, ids)
        return 0
    sent = 0
    for mail_id in ids:
        try:
            sent += _send_one(db, settings, mail_id)
        except Exception:
            log.exception("sending mail %s failed; the scheduled job retries it", mail_id)
    return sent


def send_due(db: Database, settings: Settings, *, most: int = 2000) -> int:
    """The scheduled job: send the mails whose (next) attempt is due, a batch at a time, up to `most` of them (a
    tried mail is not due again at once, so the batches end)."""
    if settings.smtp is None:
        return 0
    sent = tried = 0
    while tried < most and (batch := db.call(outbox.due, write=False)):
        sent += deliver(db, settings, batch)
        tried += len(batch)
    return sent
