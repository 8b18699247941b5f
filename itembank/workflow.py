"""The review workflow: moving a version between statuses, with separation of duties and an audit record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    func,
    select,
    update,
)
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.clock import utcnow
from examengine.errors import Conflict, Forbidden
from itembank.authoring import VersionView, load_item, load_version, version_view
from itembank.models import (
    ALLOWED_TRANSITIONS,
    ItemStatus,
    ItemTransition,
    ItemVersion,
)


def _unapproved_authors(session: Session, item_id: str, version: int) -> set[str | None]:
    """Who wrote the versions up to `version` since the item's last version that was ever approved: each of them
    wrote part of what an approval of `version` would vouch for."""
    approved_before = session.scalar(
        select(func.max(col(ItemTransition.version))).where(
            col(ItemTransition.item_id) == item_id,
            col(ItemTransition.version) < version,
            col(ItemTransition.to_status) == ItemStatus.APPROVED.value,
        )
    )
    return set(
        session.scalars(
            select(col(ItemVersion.author_id)).where(
                col(ItemVersion.item_id) == item_id,
                col(ItemVersion.version) > (approved_before or 0),
                col(ItemVersion.version) <= version,
            )
        )
    )


def _refusal(
    session: Session, row: ItemVersion, to: ItemStatus, actor_id: str, separation_of_duties: bool
) -> Conflict | Forbidden | None:
    """Why `actor_id` may not move `row` to `to`, or None when they may: the one rule that both the moves a page
    offers and the moves it accepts come from."""
    current = ItemStatus(row.status)
    if to not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[current])) or "nothing (it is final)"
        return Conflict(f"Version {row.version} is {current}; it can move to {allowed}.", code="invalid_transition")
    if (
        to == ItemStatus.APPROVED
        and separation_of_duties
        and actor_id in _unapproved_authors(session, row.item_id, row.version)
    ):
        return Forbidden(
            "You wrote content of this version (in it or in an earlier version since the last approved one): "
            "another reviewer has to approve it.",
            code="separation_of_duties",
        )
    return None


def allowed_moves(
    *, session: Session, item_id: str, version: int, actor_id: str, separation_of_duties: bool = True
) -> frozenset[ItemStatus]:
    """The statuses `actor_id` may move this version to now: what a page offers them, never more."""
    row = load_version(session, item_id, version)
    return frozenset(
        to
        for to in ALLOWED_TRANSITIONS[ItemStatus(row.status)]
        if _refusal(session, row, to, actor_id, separation_of_duties) is None
    )


def transition(
    *,
    session: Session,
    item_id: str,
    version: int,
    to: ItemStatus,
    actor_id: str,
    comment: str = "",
    separation_of_duties: bool = True,
    now: datetime | None = None,
) -> VersionView:
    """Move a version along the review workflow. Raises Conflict for a move the workflow does not allow (naming
    the allowed ones) and Forbidden when an author would approve their own version."""
    item = load_item(session, item_id)
    row = load_version(session, item_id, version)
    current = ItemStatus(row.status)
    refusal = _refusal(session, row, to, actor_id, separation_of_duties)
    if refusal is not None:
        raise refusal
    moved = session.execute(
        update(ItemVersion)
        .where(
            col(ItemVersion.item_id) == item_id, col(ItemVersion.version) == version, col(ItemVersion.status) == current
        )
        .values(status=to)
    )
    if not getattr(moved, "rowcount", 0):
        raise Conflict("The version changed status just now; reload and try again.", code="version_conflict")
    session.add(
        ItemTransition(
            item_id=item_id,
            version=version,
            from_status=current,
            to_status=to,
            actor_id=actor_id,
            at=now or utcnow(),
            comment=comment[:2000],
        )
    )
    record(
        session=session,
        kind=AuditKind.ITEM_TRANSITION,
        actor_id=actor_id,
        subject=f"item:{item_id}/{version}",
        detail={"from": current.value, "to": to.value, "comment": comment[:2000]},
    )
    session.flush()
    session.refresh(row)
    return version_view(item, row)
