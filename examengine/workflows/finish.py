"""Submit and finish: the candidate submits, the attempt is scored at once and its certificate issued when due."""

from __future__ import annotations

import logging
from datetime import datetime

from examengine.accounts.credentials import Principal
from examengine.certificates import issuing
from examengine.db import Database
from examengine.delivery import attempts, device
from examengine.delivery.attempts import AttemptView
from examengine.scoring import service as scoring

log = logging.getLogger(__name__)


async def submit_and_finish(db: Database, *, attempt_id: str, who: Principal, now: datetime) -> AttemptView:
    """Submit the candidate's own attempt (behind the device lock of a web session; repeating it is harmless), score
    it when it has finished and issue its certificate when its pass is visible at once (immediate release), so the
    result links to it. Raises as `attempts.submit` and `device.ensure_holder`."""
    view = await db.run(
        device.held(attempts.submit), attempt_id=attempt_id, user_id=who.user_id, holder=device.holder_of(who)
    )
    if view.status in scoring.SCORED_ON_FINISH:
        await scoring.score_submitted(db, attempt_id=attempt_id, now=now)
        await _issue_if_due(db, attempt_id, now)
    return view


async def _issue_if_due(db: Database, attempt_id: str, now: datetime) -> None:
    try:
        await db.run(issuing.issue_if_due, attempt_id=attempt_id, now=now)
    except Exception:
        # The submission and its score are committed; the periodic sweep issues the certificate on its next run.
        log.exception("certificate for attempt %s not issued after scoring; the sweep will issue it", attempt_id)
