"""The items the candidate may move between now, for the exam page to keep in memory: with them it lets the
candidate move between items, flag and review while the network is down (static/exam/offline.js), and sends what was
done once it returns. Only for free navigation: a forward-only exam's next question stays the server's decision.

A read only, like the item page's GET: it records no visit, moves no position and never expires an overdue
attempt (it refuses it instead); the items are the candidate's presentation of them, never a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from examengine.delivery import answers, attempt_view, device
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.errors import Conflict


@dataclass(frozen=True)
class OpenItems:
    view: attempt_view.AttemptView
    items: tuple[answers.ItemForCandidate, ...]  # in the order the navigator shows them


def open_items(*, session: Session, attempt_id: str, user_id: str, holder: str | None, now: datetime) -> OpenItems:
    """The items of the candidate's running attempt that its page may show now: every item, or the open timed
    section's. Raises NotFound for another's attempt, Conflict device_locked for a session that does not hold the
    attempt (without recording anything: the item page records it), attempt_waiting, attempt_paused (the paused
    page shows no question), attempt_closed once finished or out of time, and linear_navigation for a
    forward-only exam."""
    page = attempt_view.page(session, attempt_id, user_id, now)  # the attempt with its slots' rows: one read each
    if device.needs_claim(page.attempt, holder):
        raise Conflict(device.LOCKED_MESSAGE, code=device.LOCKED_CODE)
    view = page.view
    if view.status in FINAL or view.remaining_seconds == 0:
        raise Conflict("The attempt has finished; answers are no longer saved.", code="attempt_closed")
    if view.status == AttemptStatus.WAITING:
        raise Conflict("The proctor has not admitted you yet.", code="attempt_waiting")
    if view.status == AttemptStatus.PAUSED:
        raise Conflict("The attempt is paused by the proctor: wait for them to resume it.", code="attempt_paused")
    if view.current_slot is not None:
        raise Conflict(
            "This exam moves forward only: each next question comes from the server.", code="linear_navigation"
        )
    shown = [
        s.slot for index, (_, slots) in enumerate(view.sections) for s in slots if view.open_section in (None, index)
    ]
    items = [answers.presented_item(session, page.attempt, page.slots[slot]) for slot in shown]
    return OpenItems(view, tuple(items))
