"""The review queue: versions with the moves the reviewer may make on each, and moving several in one request.

What is offered comes from `workflow.allowed_moves` and what is done goes through `workflow.transition`, so a page
never offers a move the service would refuse, and every move in a bulk request is checked one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from examengine.errors import Conflict, Forbidden, InvalidInput, NotFound
from itembank.authoring import load_item
from itembank.models import ItemStatus
from itembank.search import ItemSummary, list_items
from itembank.workflow import allowed_moves, transition

MAX_BULK = 200

MOVE_LABELS = {
    ItemStatus.REVIEW: "Send to review",
    ItemStatus.APPROVED: "Approve",
    ItemStatus.DRAFT: "Return to draft",
    ItemStatus.RETIRED: "Retire",
}


@dataclass(frozen=True)
class QueueRow:
    item: ItemSummary
    moves: frozenset[ItemStatus]

    @property
    def own_work(self) -> bool:
        """Whether approving is what keeps this row from being approved by the viewer (they wrote part of it)."""
        return self.item.status == ItemStatus.REVIEW and ItemStatus.APPROVED not in self.moves


@dataclass(frozen=True)
class ReviewQueue:
    status: ItemStatus
    rows: tuple[QueueRow, ...]

    @property
    def offered(self) -> tuple[ItemStatus, ...]:
        """The moves the viewer may make on at least one listed version, in workflow order."""
        some = {move for row in self.rows for move in row.moves}
        return tuple(move for move in MOVE_LABELS if move in some)


@dataclass(frozen=True)
class BulkOutcome:
    item_id: str
    code: str
    version: int
    moved: bool
    message: str


def _code(session: Session, item_id: str) -> str:
    try:
        return load_item(session, item_id).code
    except NotFound:
        return "an unknown item"


def review_queue(
    *, session: Session, actor_id: str, status: ItemStatus = ItemStatus.REVIEW, separation_of_duties: bool = True
) -> ReviewQueue:
    """The latest versions in `status` (review by default), each with the moves `actor_id` may make on it."""
    page = list_items(session=session, status=status.value, limit=MAX_BULK)
    rows = tuple(
        QueueRow(
            item,
            allowed_moves(
                session=session,
                item_id=item.item_id,
                version=item.latest_version,
                actor_id=actor_id,
                separation_of_duties=separation_of_duties,
            ),
        )
        for item in page.items
    )
    return ReviewQueue(status, rows)


def transition_many(
    *,
    session: Session,
    versions: Sequence[tuple[str, int]],
    to: ItemStatus,
    actor_id: str,
    comment: str = "",
    separation_of_duties: bool = True,
) -> tuple[BulkOutcome, ...]:
    """Move each selected version to `to`, each checked by the same rule as a single move. The moves allowed are
    made; each refused one comes back with its reason (nothing of a refused move is written). Raises InvalidInput
    for an empty or oversized selection."""
    chosen = list(dict.fromkeys(versions))
    if not chosen:
        raise InvalidInput("Select at least one version.", code="nothing_selected")
    if len(chosen) > MAX_BULK:
        raise InvalidInput(f"Select at most {MAX_BULK} versions at a time.", code="too_many_selected")
    outcomes = []
    for item_id, version in chosen:
        try:
            view = transition(
                session=session,
                item_id=item_id,
                version=version,
                to=to,
                actor_id=actor_id,
                comment=comment,
                separation_of_duties=separation_of_duties,
            )
        except (Conflict, Forbidden, NotFound) as refusal:
            outcomes.append(BulkOutcome(item_id, _code(session, item_id), version, False, refusal.message))
            continue
        outcomes.append(BulkOutcome(item_id, view.code, version, True, f"{MOVE_LABELS[to]}: done."))
    return tuple(outcomes)
