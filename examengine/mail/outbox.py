"""The outbox: a mail is stored in its caller's unit of work, claimed by one sender at a time, and marked sent or
failed (retried with backoff, given up after MAX_ATTEMPTS)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.mail.compose import Letter
from examengine.mail.models import OutboxMail

# A claim holds a mail this long: longer than the SMTP timeouts of one send, so two senders never both send it.
CLAIM = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 10
MAX_ERROR = 500
DUE_BATCH = 50


def enqueue(*, session: Session, letter: Letter, now: datetime | None = None) -> str:
    """Store a letter to be sent after this unit of work commits; returns its id."""
    now = now or utcnow()
    mail = OutboxMail(
        recipient=letter.recipient,
        subject=letter.subject,
        text_body=letter.text,
        html_body=letter.html,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(mail)
    session.flush()
    return mail.id


def _waiting() -> ColumnElement[bool]:
    return and_(col(OutboxMail.sent_at).is_(None), col(OutboxMail.failed_at).is_(None))


def claim(*, session: Session, mail_id: str, now: datetime | None = None) -> OutboxMail | None:
    """Take a due mail for sending (None when it is sent, given up, not due or held by another sender)."""
    now = now or utcnow()
    claimed = session.execute(
        update(OutboxMail)
        .where(col(OutboxMail.id) == mail_id, _waiting(), col(OutboxMail.next_attempt_at) <= now)
        .values(next_attempt_at=now + CLAIM, attempts=col(OutboxMail.attempts) + 1)
    )
    if not getattr(claimed, "rowcount", 0):
        return None
    return session.scalars(select(OutboxMail).where(col(OutboxMail.id) == mail_id)).one()


def due(*, session: Session, now: datetime | None = None) -> list[str]:
    """The ids of the mails waiting whose (next) attempt is due, oldest first."""
    now = now or utcnow()
    query = (
        select(col(OutboxMail.id))
        .where(_waiting(), col(OutboxMail.next_attempt_at) <= now)
        .order_by(col(OutboxMail.next_attempt_at))
        .limit(DUE_BATCH)
    )
    return list(session.scalars(query))


def mark_sent(*, session: Session, mail_id: str, now: datetime | None = None) -> None:
    session.execute(
        update(OutboxMail)
        .where(col(OutboxMail.id) == mail_id)
        .values(sent_at=now or utcnow(), text_body="", html_body="", last_error=None)
    )


def retry_wait(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    wait: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LONGEST_WAIT)


def mark_failed(*, session: Session, mail_id: str, error: str, now: datetime | None = None) -> bool:
    """Record a failed send: retried later, or given up after MAX_ATTEMPTS (True then)."""
    now = now or utcnow()
    mail = session.get(OutboxMail, mail_id)
    if mail is None:
        return False
    mail.last_error = error[:MAX_ERROR]
    given_up = mail.attempts >= MAX_ATTEMPTS
    if given_up:
        mail.failed_at = now
        mail.text_body = mail.html_body = ""
    else:
        mail.next_attempt_at = now + retry_wait(mail.attempts)
    session.flush()
    return given_up


def waiting_count(*, session: Session) -> int:
    """How many mails are not sent yet (nor given up)."""
    return int(session.scalar(select(func.count()).select_from(OutboxMail).where(_waiting())) or 0)


def waiting(*, session: Session, mail_ids: list[str]) -> list[OutboxMail]:
    """These mails, those of them not sent yet (nor given up)."""
    return list(session.scalars(select(OutboxMail).where(col(OutboxMail.id).in_(mail_ids), _waiting())))


def purge_finished(*, session: Session, now: datetime | None = None, keep: timedelta = timedelta(days=30)) -> int:
    """Delete the rows of mails sent or given up more than `keep` ago (their bodies are already blank)."""
    cutoff = (now or utcnow()) - keep
    finished = or_(col(OutboxMail.sent_at) < cutoff, col(OutboxMail.failed_at) < cutoff)
    result = session.execute(delete(OutboxMail).where(finished))
    return int(getattr(result, "rowcount", 0))
