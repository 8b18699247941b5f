"""Awarding credentials: a released pass of a scheme's exam (once per attempt), and certificates of attendance.

What a pass does to the holder's credential in the scheme (one credential per holder and scheme, its number kept
for life):
- none yet: a credential is awarded, granted (and its first cycle starting) at the release time;
- a certification active or in grace, when the scheme's recertification allows `by_exam`: renewed, the new cycle
  running from the old `valid_until` for one cycle;
- a certification lapsed: recertified by examination, a new cycle from the release time (same number; the
  holder sat the exam again, which is what the program asks of a lapsed holder);
- suspended or revoked: nothing; a pass does not undo an admin's decision (an appeal or reinstatement does);
- anything else (an assessment-based certificate, a certification whose scheme does not renew by exam): nothing.
Each considered attempt is recorded with what it did (credential_award), so awarding twice does nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import exists, select, update
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.certificates.models import Certificate
from examengine.db import dialect_insert
from examengine.delivery.models import Attempt
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.programs import credential_numbers as numbers
from examengine.programs.credential_cycles import log_event, start_cycle
from examengine.programs.credential_models import AWARD_TABLE, CredentialAward
from examengine.programs.credential_status import CredentialStatus, status_at
from examengine.programs.credential_views import CredentialView, view_of
from examengine.programs.models import CredentialEventKind, ProgramCredential, Scheme, SchemeExam, SchemeKind


def grant(
    session: Session,
    scheme: Scheme,
    user: User,
    *,
    at: datetime,
    attempt_id: str | None = None,
    event: str | None = None,
    attended_on: date | None = None,
    actor_id: str | None = None,
) -> ProgramCredential:
    """A new credential of the scheme for the user, numbered now, its first cycle from `at` (a certificate of
    attendance: no end, its cycle_starts the day attended)."""
    credential = ProgramCredential(
        number=numbers.next_number(session, scheme, at),
        scheme_id=scheme.id,
        user_id=user.id,
        attempt_id=attempt_id,
        holder_name=user.name,
        granted_at=at,
        cycle_starts=at,
        status_index=numbers.next_status_index(session),
        event=event,
    )
    if attended_on is not None:
        credential.cycle_starts = datetime.combine(attended_on, time(), tzinfo=UTC)
    else:
        start_cycle(credential, scheme, at)
    session.add(credential)
    session.flush()
    detail = {"scheme": scheme.code, "attempt_id": attempt_id, "event": event}
    log_event(session, credential, CredentialEventKind.AWARDED, at=at, actor_id=actor_id, detail=detail)
    return credential


def _scheme_of_exam(session: Session, exam_id: str) -> Scheme | None:
    return session.scalars(
        select(Scheme)
        .join(SchemeExam, col(SchemeExam.scheme_id) == col(Scheme.id))
        .where(col(SchemeExam.exam_id) == exam_id)
    ).first()


def _holder_credential(session: Session, scheme_id: str, user_id: str) -> ProgramCredential | None:
    return session.scalars(
        select(ProgramCredential)
        .where(col(ProgramCredential.scheme_id) == scheme_id, col(ProgramCredential.user_id) == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _pass_again(session: Session, credential: ProgramCredential, scheme: Scheme, attempt_id: str, at: datetime) -> str:
    status = status_at(credential, scheme, at)
    if scheme.kind != SchemeKind.CERTIFICATION or status in (CredentialStatus.SUSPENDED, CredentialStatus.REVOKED):
        return f"unchanged_{status.value}"
    by_exam = bool((scheme.recertification or {}).get("by_exam"))
    if status == CredentialStatus.LAPSED:
        start_cycle(credential, scheme, at)
        after_lapse = {"by": "exam", "attempt_id": attempt_id, "after_lapse": True}
        log_event(session, credential, CredentialEventKind.RENEWED, at=at, actor_id=None, detail=after_lapse)
        return "recertified"
    if not by_exam or credential.valid_until is None:
        return f"unchanged_{status.value}"
    start_cycle(credential, scheme, credential.valid_until)
    by = {"by": "exam", "attempt_id": attempt_id}
    log_event(session, credential, CredentialEventKind.RENEWED, at=at, actor_id=None, detail=by)
    return "renewed"


def award_for_attempt(*, session: Session, attempt_id: str, at: datetime) -> str | None:
    """Consider the attempt's released pass (released at `at`) for its scheme's credential, once; returns what it
    did (awarded, renewed, recertified, unchanged_<status>), or None when it was considered before or its exam
    belongs to no scheme. The caller has checked that the attempt passed and its result is released."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        return None
    scheme = _scheme_of_exam(session, attempt.exam_id)
    if scheme is None:
        return None
    claimed = session.execute(
        dialect_insert(session, AWARD_TABLE)
        .values(attempt_id=attempt_id, outcome="pending", at=at)
        .on_conflict_do_nothing(index_elements=["attempt_id"])
        .returning(col(CredentialAward.attempt_id))
    )
    if claimed.first() is None:  # RETURNING, not rowcount: PostgreSQL reports no rowcount for an INSERT
        return None
    credential = _holder_credential(session, scheme.id, attempt.user_id)
    if credential is None:
        holder = session.get(User, attempt.user_id)
        assert holder is not None  # an attempt's user is never deleted
        credential = grant(session, scheme, holder, at=at, attempt_id=attempt_id)
        outcome = "awarded"
    else:
        outcome = _pass_again(session, credential, scheme, attempt_id, at)
    session.execute(
        update(CredentialAward)
        .where(col(CredentialAward.attempt_id) == attempt_id)
        .values(outcome=outcome, credential_id=credential.id)
    )
    return outcome


def award_due(*, session: Session, exam_id: str | None = None, limit: int = 500) -> int:
    """The sweep: consider every certificate of a scheme's exam (one exam's when named) not considered yet, at
    its issue time (the release); returns how many it considered. Safe with several processes."""
    waiting = (
        select(col(Certificate.attempt_id), col(Certificate.issued_at))
        .join(SchemeExam, col(SchemeExam.exam_id) == col(Certificate.exam_id))
        .where(
            col(Certificate.revoked_at).is_(None),
            ~exists().where(col(CredentialAward.attempt_id) == col(Certificate.attempt_id)),
        )
        .order_by(col(Certificate.issued_at))
        .limit(limit)
    )
    if exam_id is not None:
        waiting = waiting.where(col(Certificate.exam_id) == exam_id)
    considered = 0
    for attempt_id, issued_at in session.execute(waiting).all():
        if award_for_attempt(session=session, attempt_id=attempt_id, at=issued_at) is not None:
            considered += 1
    return considered


def scheme_by_code(session: Session, code: str) -> Scheme:
    found = session.scalars(select(Scheme).where(col(Scheme.code) == code.strip()[:40])).first()
    if found is None:
        raise NotFound("No scheme has this code.", code="scheme_not_found")
    return found


def award_attendance(
    *, session: Session, code: str, user_ids: list[str], event: str, attended_on: date, actor_id: str, now: datetime
) -> list[CredentialView]:
    """Certificates of attendance of the scheme (one of that kind) for each user, all or none. Raises NotFound
    (scheme_not_found), Conflict (not_attendance_scheme; already_awarded with details.user_ids), InvalidInput
    (event_required, unknown_users with details.user_ids)."""
    scheme = scheme_by_code(session, code)
    if scheme.kind != SchemeKind.CERTIFICATE_OF_ATTENDANCE:
        raise Conflict(
            "Certificates of attendance are recorded only in a scheme of that kind; this scheme awards by exam.",
            code="not_attendance_scheme",
        )
    if not event.strip():
        raise InvalidInput("Name the event attended.", code="event_required")
    wanted = list(dict.fromkeys(user_ids))
    users = {u.id: u for u in session.scalars(select(User).where(col(User.id).in_(wanted)))}
    unknown = [user_id for user_id in wanted if user_id not in users]
    if unknown:
        raise InvalidInput("Some of the users do not exist.", code="unknown_users", details={"user_ids": unknown})
    holding = set(
        session.scalars(
            select(col(ProgramCredential.user_id)).where(
                col(ProgramCredential.scheme_id) == scheme.id, col(ProgramCredential.user_id).in_(wanted)
            )
        )
    )
    if holding:
        taken = [user_id for user_id in wanted if user_id in holding]
        raise Conflict(
            "Some of these people already hold this scheme's certificate.",
            code="already_awarded",
            details={"user_ids": taken},
        )
    granted = [
        grant(session, scheme, users[u], at=now, event=event.strip(), attended_on=attended_on, actor_id=actor_id)
        for u in wanted
    ]
    return [view_of(credential, scheme, now) for credential in granted]
