"""Submit and finish: the candidate submits, the attempt is scored at once and its certificate issued when due (with
the credential of the exam's scheme, when it belongs to one)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from examengine.accounts.credentials import Principal
from examengine.certificates import issuing
from examengine.db import Database
from examengine.delivery import attempts, device
from examengine.delivery.attempt_view import AttemptView
from examengine.programs import credentials
from examengine.scoring import release
from examengine.scoring import service as scoring

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finished:
    view: AttemptView
    result: release.CandidateResult | release.ResultWithheld | None  # None while the attempt has not finished


async def submit_and_finish(db: Database, *, attempt_id: str, who: Principal, now: datetime) -> Finished:
    """Submit the candidate's own attempt (behind the device lock of a web session; repeating it is harmless), score
    it when it has finished and issue its certificate when its pass is visible at once (immediate release), so the
    result links to it; with the result as the candidate may see it. Raises as `attempts.submit` and
    `device.ensure_holder`."""
    view = await db.run(
        device.held(attempts.submit), attempt_id=attempt_id, user_id=who.user_id, holder=device.holder_of(who)
    )
    if view.status not in scoring.SCORED_ON_FINISH:
        return Finished(view, None)
    await scoring.score_submitted(db, attempt_id=attempt_id, now=now)
    await _issue_if_due(db, attempt_id, now)
    found = await db.read(release.result_for_candidate, attempt_id=attempt_id, user_id=who.user_id, now=now)
    return Finished(view, found)


async def _issue_if_due(db: Database, attempt_id: str, now: datetime) -> None:
    try:
        certificate = await db.run(issuing.issue_if_due, attempt_id=attempt_id, now=now)
    except Exception:
        # The submission and its score are committed; the periodic sweep issues the certificate on its next run.
        log.exception("certificate for attempt %s not issued after scoring; the sweep will issue it", attempt_id)
        return
    if certificate is None:
        return
    try:
        await db.run(credentials.award_for_attempt, attempt_id=attempt_id, at=certificate.issued_at)
    except Exception:
        # The certificate stands; the sweep (issue_due_certificates) awards the scheme's credential.
        log.exception("credential for attempt %s not awarded; the sweep will award it", attempt_id)
