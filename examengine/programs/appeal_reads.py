"""Reading appeals: one appeal for the people who may see it (the appellant, the assigned reviewer, admins; a 404
for anyone else), the lists each of them sees, and the people an admin may assign."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from examengine.accounts.credentials import Principal
from examengine.accounts.models import Role, User, UserRole
from examengine.errors import InvalidInput, NotFound
from examengine.programs.appeal_models import OPEN_STATUSES, Appeal, AppealStatus
from examengine.programs.appeal_subjects import AppealedDecision, appealed_decision
from examengine.programs.appeal_summary import AppealSummary, summary
from examengine.programs.appeals import NOT_FOUND, REVIEWER_ROLES, conflicted
from examengine.programs.models import Scheme

PAGE_SIZE = 50


@dataclass(frozen=True)
class AppealView:
    appeal: Appeal
    appellant_name: str
    reviewer_name: str | None
    scheme_title: str
    decision: AppealedDecision | None  # the decision as it stands now (None: its subject was deleted)


@dataclass(frozen=True)
class AppealPage:
    items: tuple[AppealView, ...]
    next_cursor: str | None  # the last appeal's place (cursor_of): the next page starts after it


def may_see(appeal: Appeal, who: Principal) -> bool:
    return Role.ADMIN in who.roles or who.user_id in (appeal.appellant_id, appeal.reviewer_id)


def _views(session: Session, appeals: list[Appeal]) -> tuple[AppealView, ...]:
    people = {a.appellant_id for a in appeals} | {a.reviewer_id for a in appeals if a.reviewer_id}
    names = {u.id: u.name for u in session.scalars(select(User).where(col(User.id).in_(people)))} if people else {}
    scheme_ids = {a.scheme_id for a in appeals if a.scheme_id}
    titles = (
        {s.id: s.title for s in session.scalars(select(Scheme).where(col(Scheme.id).in_(scheme_ids)))}
        if scheme_ids
        else {}
    )
    return tuple(
        AppealView(
            a,
            names.get(a.appellant_id, "a removed user"),
            names.get(a.reviewer_id, "a removed user") if a.reviewer_id else None,
            titles.get(a.scheme_id or "", ""),
            appealed_decision(session=session, subject_type=a.subject_type, subject_id=a.subject_id),
        )
        for a in appeals
    )


def get_appeal(*, session: Session, appeal_id: str, who: Principal) -> AppealView:
    """Raises NotFound (appeal_not_found) for an unknown appeal and for anyone who may not see it."""
    found = session.get(Appeal, appeal_id[:32], populate_existing=True)
    if found is None or not may_see(found, who):
        raise NotFound(NOT_FOUND, code="appeal_not_found")
    return _views(session, [found])[0]


def list_appeals(
    *,
    session: Session,
    who: Principal,
    mine: bool,
    status: AppealStatus | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> AppealPage:
    """Newest filed first. `mine`: the caller's own appeals. Otherwise admins see every appeal, appeals reviewers
    those assigned to them, and anyone else their own."""
    query = select(Appeal).order_by(col(Appeal.filed_at).desc(), col(Appeal.id).desc()).limit(limit + 1)
    if mine or not who.has_any(frozenset(REVIEWER_ROLES)):
        query = query.where(col(Appeal.appellant_id) == who.user_id)
    elif Role.ADMIN not in who.roles:
        query = query.where(col(Appeal.reviewer_id) == who.user_id)
    if status is not None:
        query = query.where(col(Appeal.status) == status)
    if cursor:
        filed_at, appeal_id = _place(cursor)
        query = query.where(
            or_(
                col(Appeal.filed_at) < filed_at,
                and_(col(Appeal.filed_at) == filed_at, col(Appeal.id) < appeal_id),
            )
        )
    found = list(session.scalars(query))
    items = _views(session, found[:limit])
    return AppealPage(items, cursor_of(items[-1].appeal) if len(found) > limit and items else None)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR = re.compile(r"^([0-9]{1,16})-([0-9a-f]{32})$")


def cursor_of(appeal: Appeal) -> str:
    """An appeal's place in the lists (filed, then id), the same for every reader: microseconds-id."""
    return f"{(appeal.filed_at - EPOCH) // timedelta(microseconds=1)}-{appeal.id}"


def _place(cursor: str) -> tuple[datetime, str]:
    found = CURSOR.fullmatch(cursor)
    if found is None:
        raise InvalidInput("The cursor is not one this list gave: start from the first page.", code="bad_cursor")
    return EPOCH + timedelta(microseconds=int(found.group(1))), found.group(2)


def eligible_reviewers(*, session: Session, appeal: Appeal) -> list[User]:
    """The enabled appeals reviewers and admins, by name, without whoever made the decision or appeals it."""
    users = session.scalars(
        select(User)
        .join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(col(UserRole.role).in_(REVIEWER_ROLES), col(User.disabled_at).is_(None))
        .order_by(col(User.name), col(User.id))
        .distinct()
    )
    return [u for u in users if not conflicted(appeal, u.id)]


def assigned_to(*, session: Session, reviewer_id: str) -> tuple[AppealView, ...]:
    """The appeals assigned to this reviewer, open ones first, newest filed first."""
    found = session.scalars(
        select(Appeal)
        .where(col(Appeal.reviewer_id) == reviewer_id)
        .order_by(col(Appeal.decided_at).is_(None).desc(), col(Appeal.filed_at).desc(), col(Appeal.id))
        .limit(500)
    )
    return _views(session, list(found))


@dataclass(frozen=True)
class AdminOverview:
    views: tuple[AppealView, ...]
    reviewers: dict[str, list[User]]  # open appeal id -> the people who may be assigned to it
    summary: AppealSummary


def admin_overview(
    *,
    session: Session,
    who: Principal,
    status: AppealStatus | None,
    since: date | None = None,
    until: date | None = None,
) -> AdminOverview:
    """What the admins' appeals page shows: the appeals (of one status when given), the eligible reviewers of each
    open one, and the counts of the appeals filed from `since` to `until` (appeal_summary)."""
    page = list_appeals(session=session, who=who, mine=False, status=status, limit=200)
    reviewers = {
        view.appeal.id: eligible_reviewers(session=session, appeal=view.appeal)
        for view in page.items
        if view.appeal.status in OPEN_STATUSES
    }
    return AdminOverview(page.items, reviewers, summary(session=session, since=since, until=until))
