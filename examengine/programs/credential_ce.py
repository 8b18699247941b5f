"""Continuing education: the holder records activities, the current cycle counts them, and renewal by CE.

Counting (API.md "Details of the credential-program contract"): an activity counts toward the cycle when its
`completed_on` (a UTC date) falls within the cycle's dates, both ends included. `by_category` holds the credits
earned per category; category minimums count within `ce_credits` (an ethics credit counts toward both). The
shortfall lists the total still missing and each category still short (a category met is left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts.credentials import Principal
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.programs.credential_cycles import log_event, start_cycle
from examengine.programs.credential_models import CeActivity
from examengine.programs.credential_status import CredentialStatus, status_at
from examengine.programs.credential_views import credential_with_scheme, visible_credential
from examengine.programs.models import CredentialEventKind, ProgramCredential, Scheme, SchemeKind


@dataclass(frozen=True)
class Shortfall:
    total: float
    by_category: dict[str, float]

    @property
    def met(self) -> bool:
        return self.total <= 0 and not self.by_category


@dataclass(frozen=True)
class CycleView:
    starts: datetime
    ends: datetime | None
    credits_required: float
    credits_earned: float
    by_category: dict[str, float]
    category_minimums: dict[str, float]
    shortfall: Shortfall
    activities: tuple[CeActivity, ...]  # every activity recorded, newest first (counted or not)


def _recertifies(scheme: Scheme) -> bool:
    return scheme.kind == SchemeKind.CERTIFICATION


def _no_recertification(scheme: Scheme) -> Conflict:
    words = scheme.kind.replace("_", " ")
    return Conflict(
        f"A {words} has no recertification: no continuing education, no renewal.", code="no_recertification"
    )


def _number(value: object) -> float:
    return round(float(value), 2) if isinstance(value, int | float) else 0.0


def cycle_of(session: Session, credential: ProgramCredential, scheme: Scheme) -> CycleView:
    recertification = scheme.recertification or {}
    required = _number(recertification.get("ce_credits"))
    minimums = {str(k): _number(v) for k, v in (recertification.get("ce_categories") or {}).items()}
    activities = tuple(
        session.scalars(
            select(CeActivity)
            .where(col(CeActivity.credential_id) == credential.id)
            .order_by(col(CeActivity.completed_on).desc(), col(CeActivity.recorded_at).desc())
        )
    )
    first = credential.cycle_starts.date()
    last = credential.valid_until.date() if credential.valid_until else date.max
    counted = [a for a in activities if first <= a.completed_on <= last]
    by_category: dict[str, float] = dict.fromkeys(minimums, 0.0)
    for activity in counted:
        if activity.category:
            by_category[activity.category] = round(by_category.get(activity.category, 0.0) + activity.credits, 2)
    earned = round(sum(a.credits for a in counted), 2)
    short = {c: round(m - by_category.get(c, 0.0), 2) for c, m in minimums.items() if by_category.get(c, 0.0) < m}
    shortfall = Shortfall(round(max(required - earned, 0.0), 2), short)
    return CycleView(
        credential.cycle_starts, credential.valid_until, required, earned, by_category, minimums, shortfall, activities
    )


def current_cycle(*, session: Session, number: str, who: Principal) -> CycleView:
    """The credential's current cycle (its holder, admins). Raises NotFound, Conflict (no_recertification)."""
    credential, scheme = visible_credential(session=session, number=number, who=who)
    if not _recertifies(scheme):
        raise _no_recertification(scheme)
    return cycle_of(session, credential, scheme)


def _own(session: Session, number: str, who: Principal) -> tuple[ProgramCredential, Scheme]:
    credential, scheme = credential_with_scheme(session, number, lock=True)
    if credential.user_id != who.user_id:
        raise NotFound("No credential of yours has this number.", code="credential_not_found")
    return credential, scheme


def record_activity(
    *,
    session: Session,
    number: str,
    who: Principal,
    title: str,
    provider: str,
    category: str | None,
    credits: float,
    completed_on: date,
    now: datetime,
) -> CeActivity:
    """The holder records an activity. Raises NotFound (not theirs), Conflict (no_recertification,
    credential_revoked), InvalidInput (title_required, provider_required, invalid_credits)."""
    credential, scheme = _own(session, number, who)
    if not _recertifies(scheme):
        raise _no_recertification(scheme)
    if status_at(credential, scheme, now) == CredentialStatus.REVOKED:
        raise Conflict("This credential was revoked.", code="credential_revoked")
    if not title.strip():
        raise InvalidInput("Give the activity's title.", code="title_required")
    if not provider.strip():
        raise InvalidInput("Give who provided the activity.", code="provider_required")
    if not 0 < credits <= 1000:
        raise InvalidInput("Credits are a number above 0 (at most 1000).", code="invalid_credits")
    activity = CeActivity(
        credential_id=credential.id,
        title=title.strip(),
        provider=provider.strip(),
        category=(category or "").strip() or None,
        credits=round(credits, 2),
        completed_on=completed_on,
        recorded_at=now,
    )
    session.add(activity)
    session.flush()
    detail = {"activity_id": activity.id, "credits": activity.credits, "category": activity.category}
    record(
        session=session,
        kind=AuditKind.CE_RECORDED,
        actor_id=who.user_id,
        subject=f"credential:{credential.number}",
        detail={**detail, "completed_on": completed_on.isoformat()},
        at=now,
    )
    return activity


def renew(*, session: Session, number: str, who: Principal, now: datetime) -> ProgramCredential:
    """The holder renews a certification by continuing education while it is active or in grace: a new cycle
    from the old `valid_until` for one cycle, same number. Raises NotFound, Conflict (no_recertification,
    no_ce_recertification, credential_<status>), InvalidInput (ce_shortfall with details.shortfall)."""
    credential, scheme = _own(session, number, who)
    if not _recertifies(scheme):
        raise _no_recertification(scheme)
    if (scheme.recertification or {}).get("ce_credits") is None or credential.valid_until is None:
        raise Conflict(
            "This scheme renews by passing the exam again, not by continuing education.", code="no_ce_recertification"
        )
    status = status_at(credential, scheme, now)
    if status not in (CredentialStatus.ACTIVE, CredentialStatus.GRACE):
        raise Conflict(
            f"A {status.value} credential cannot be renewed: renewal is open while it is active or in grace.",
            code=f"credential_{status.value}",
        )
    cycle = cycle_of(session, credential, scheme)
    if not cycle.shortfall.met:
        short = {"total": cycle.shortfall.total, "by_category": cycle.shortfall.by_category}
        raise InvalidInput(
            "The continuing-education requirement of this cycle is not met yet.",
            code="ce_shortfall",
            details={"shortfall": short},
        )
    start_cycle(credential, scheme, credential.valid_until)
    detail = {"by": "ce", "credits_earned": cycle.credits_earned}
    log_event(session, credential, CredentialEventKind.RENEWED, at=now, actor_id=who.user_id, detail=detail)
    return credential
