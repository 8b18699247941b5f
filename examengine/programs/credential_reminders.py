"""Reminders to holders: once before a cycle ends, and once when the credential enters grace.

The lead time is 90 days before `valid_until`, but never more than a quarter of the cycle, so that a short cycle
(a one-year term, or PT8S in a test) is not reminded from its first day. A cycle's reminder is sent while it is
due and the credential is still active (a job that first runs after `valid_until` sends only the grace notice);
the grace notice while the credential is in grace. Each (credential, kind, cycle end) is sent once: the
credential_notice row is inserted before the letter is queued in the same unit of work, so two schedulers at once
queue one letter. A renewal moves `valid_until`, so the new cycle gets its own reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, not_, select
from sqlmodel import Session, col

from examengine import mail
from examengine.accounts.models import User
from examengine.db import dialect_insert
from examengine.programs.credential_models import NOTICE_TABLE, CredentialNotice
from examengine.programs.credential_status import CredentialStatus, grace_ends, status_at
from examengine.programs.models import ProgramCredential, Scheme, SchemeKind
from examengine.settings import Settings

LEAD = timedelta(days=90)
LEAD_SHARE_OF_CYCLE = 4  # at most a quarter of the cycle
BEFORE_EXPIRY = "before_expiry"
GRACE = "grace"
BATCH = 500


def lead_time(credential: ProgramCredential) -> timedelta:
    assert credential.valid_until is not None
    return min(LEAD, (credential.valid_until - credential.cycle_starts) / LEAD_SHARE_OF_CYCLE)


def _due_kind(credential: ProgramCredential, scheme: Scheme, now: datetime) -> str | None:
    status = status_at(credential, scheme, now)
    assert credential.valid_until is not None
    if status == CredentialStatus.ACTIVE and now >= credential.valid_until - lead_time(credential):
        return BEFORE_EXPIRY
    if status == CredentialStatus.GRACE:
        return GRACE
    return None


def _claim(session: Session, credential: ProgramCredential, kind: str, now: datetime) -> bool:
    inserted = session.execute(
        dialect_insert(session, NOTICE_TABLE)
        .values(credential_id=credential.id, kind=kind, valid_until=credential.valid_until, sent_at=now)
        .on_conflict_do_nothing()
        .returning(col(CredentialNotice.kind))
    )
    return inserted.first() is not None  # RETURNING, not rowcount: PostgreSQL reports none for an INSERT


def _letter(
    session: Session, settings: Settings, credential: ProgramCredential, scheme: Scheme, kind: str, user: User
) -> mail.Letter:
    ends = grace_ends(credential, scheme)
    assert credential.valid_until is not None
    page = f"{settings.public_url}/credentials/{credential.number}" if settings.public_url else None
    words = "is about to end" if kind == BEFORE_EXPIRY else "has ended: your credential is in its grace period"
    return mail.write(
        settings,
        f"credential_{kind}",
        session=session,
        recipient=user.email,
        subject=f"Your {scheme.title} credential {credential.number} {words}",
        name=user.name,
        number=credential.number,
        scheme=scheme.title,
        valid_until=credential.valid_until.strftime("%d %B %Y %H:%M UTC"),
        grace_ends=ends.strftime("%d %B %Y %H:%M UTC") if ends else None,
        by_exam=bool((scheme.recertification or {}).get("by_exam")),
        by_ce=(scheme.recertification or {}).get("ce_credits") is not None,
        link=page,
    )


def _sent(kind: str) -> ColumnElement[bool]:
    return exists().where(
        col(CredentialNotice.credential_id) == col(ProgramCredential.id),
        col(CredentialNotice.valid_until) == col(ProgramCredential.valid_until),
        col(CredentialNotice.kind) == kind,
    )


def send_reminders(*, session: Session, settings: Settings, now: datetime) -> int:
    """Queue the reminders due at `now` that were not sent; returns how many were queued."""
    candidates = session.execute(
        select(ProgramCredential, Scheme, User)
        .join(Scheme, col(Scheme.id) == col(ProgramCredential.scheme_id))
        .join(User, col(User.id) == col(ProgramCredential.user_id))
        .where(
            col(Scheme.kind) == SchemeKind.CERTIFICATION.value,
            col(ProgramCredential.valid_until).is_not(None),
            col(ProgramCredential.revoked_at).is_(None),
            col(ProgramCredential.suspended_at).is_(None),
            col(ProgramCredential.valid_until) <= now + LEAD,
            col(User.disabled_at).is_(None),
            ~_sent(GRACE),
            not_(and_(col(ProgramCredential.valid_until) > now, _sent(BEFORE_EXPIRY))),
        )
        # Newest first: long-lapsed credentials never reminded (the job did not run then) come last.
        .order_by(col(ProgramCredential.valid_until).desc())
        .limit(BATCH)
    ).all()
    queued = 0
    for credential, scheme, user in candidates:
        kind = _due_kind(credential, scheme, now)
        if kind is None or not _claim(session, credential, kind, now):
            continue
        mail.enqueue(session=session, letter=_letter(session, settings, credential, scheme, kind, user), now=now)
        queued += 1
    return queued
