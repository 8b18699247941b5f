"""Who may fetch a media file of item content: only someone who may see an item that uses it.

Authors and admins see the whole bank. A candidate sees the media of the items on their own started attempts
(running or finished, never one still waiting for admission), a marker those of the answers they claimed or
marked. A file of a type the engine does not serve (an older import may have stored one) is served to nobody.
"""

from __future__ import annotations

from collections.abc import Set

from sqlalchemy import Select, Text, and_, cast, exists, or_, select
from sqlmodel import Session, col

from examengine.accounts.models import Role
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.delivery.states import AttemptStatus
from examengine.errors import NotFound
from examengine.scoring.models import MarkingClaim, SlotMark
from itembank.media import get_media
from itembank.media_types import SERVED_TYPES
from itembank.models import ItemVersion, Media

_BANK_ROLES = frozenset({Role.AUTHOR, Role.ADMIN})


def _slots_using(user_id: str, sha256: str, *, marker: bool) -> Select[str]:
    uses_file = cast(col(ItemVersion.content), Text).contains(f"/media/{sha256}", autoescape=True)
    slot_item = and_(
        col(ItemVersion.item_id) == col(AttemptSlot.item_id), col(ItemVersion.version) == col(AttemptSlot.item_version)
    )
    own_attempt = exists().where(
        col(Attempt.id) == col(AttemptSlot.attempt_id),
        col(Attempt.user_id) == user_id,
        col(Attempt.status) != AttemptStatus.WAITING.value,
    )
    reasons = [own_attempt]
    if marker:
        for table in (MarkingClaim, SlotMark):
            reasons.append(
                exists().where(
                    col(table.attempt_id) == col(AttemptSlot.attempt_id),
                    col(table.slot) == col(AttemptSlot.slot),
                    col(table.marker_id) == user_id,
                )
            )
    return select(col(AttemptSlot.attempt_id)).join(ItemVersion, slot_item).where(uses_file, or_(*reasons)).limit(1)


def media_for(*, session: Session, sha256: str, user_id: str, roles: Set[Role]) -> Media:
    """The media file if this user may see an item that uses it; NotFound otherwise (its existence is not told)."""
    media = get_media(session=session, sha256=sha256)
    if media.content_type not in SERVED_TYPES:
        raise NotFound("No such file.", code="media_not_found")
    if roles & _BANK_ROLES:
        return media
    if session.execute(_slots_using(user_id, media.sha256, marker=Role.MARKER in roles)).first() is None:
        raise NotFound("No such file.", code="media_not_found")
    return media
