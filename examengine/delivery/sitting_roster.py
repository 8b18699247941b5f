"""What the admin's sitting page reads in one go: the sitting with its candidates, who of them has started (they
can no longer be removed), the proctors to choose from, and the candidates a name or email search finds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts import service as accounts
from examengine.accounts.models import Role, User
from examengine.delivery.models import Attempt
from examengine.exams import sittings
from examengine.exams.sittings import SittingView

SEARCH_RESULTS = 20


@dataclass(frozen=True)
class Found:
    user_id: str
    name: str
    email: str
    enrolled: bool


@dataclass(frozen=True)
class Roster:
    sitting: SittingView
    started: frozenset[str]  # candidates with an attempt in this sitting
    proctors: tuple[User, ...]  # active proctors to choose from
    found: tuple[Found, ...]  # active candidates matching the search ("" searches nothing)


def roster(*, session: Session, sitting_id: str, search: str, now: datetime) -> Roster:
    """The sitting's page data; NotFound for an unknown sitting."""
    view = sittings.get_sitting(session=session, sitting_id=sitting_id, now=now)
    started = frozenset(session.scalars(select(col(Attempt.user_id)).where(col(Attempt.sitting_id) == sitting_id)))
    enrolled = {c.user_id for c in view.candidates}
    found: tuple[Found, ...] = ()
    if search.strip():
        page = accounts.list_users(session=session, role=Role.CANDIDATE.value, q=search, limit=SEARCH_RESULTS)
        found = tuple(Found(u.id, u.name, u.email, u.id in enrolled) for u in page.items if not u.disabled)
    return Roster(view, started, tuple(accounts.active_proctors(session=session)), found)
