"""Rescore: preview or apply a decision about one item of one exam version; applying revokes the certificates of
results that no longer pass and issues the next version of every official score report whose figures changed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from examengine.accounts.credentials import Principal
from examengine.certificates import service as certificates
from examengine.certificates.issuing import certificate_of_attempt
from examengine.db import Database
from examengine.programs import score_reports
from examengine.scoring import rescoring
from examengine.scoring.rescoring import DecisionRequest, RescorePlan


async def rescore(
    db: Database, *, exam_id: str, decision: DecisionRequest, actor: Principal, apply: bool, now: datetime
) -> RescorePlan:
    """What the decision changes, result by result; with `apply`, store it (see `rescoring.apply_rescore`) and revoke
    with the reason "rescored" the live certificates of results that change from pass to fail, in one unit of work.
    Raises as `rescoring.preview_rescore`."""
    if not apply:
        return await db.read(rescoring.preview_rescore, exam_id=exam_id, request=decision, now=now)
    return await db.run(_apply, exam_id=exam_id, decision=decision, actor_id=actor.user_id, now=now)


def _apply(*, session: Session, exam_id: str, decision: DecisionRequest, actor_id: str, now: datetime) -> RescorePlan:
    plan = rescoring.apply_rescore(session=session, exam_id=exam_id, request=decision, actor_id=actor_id, now=now)
    revoked = []
    for change in plan.pass_to_fail:
        certificate = certificate_of_attempt(session, change.attempt_id)
        if certificate is None or certificate.revoked_at is not None:
            continue
        certificates.revoke(session=session, code=certificate.code, actor_id=actor_id, reason="rescored", now=now)
        revoked.append(change.attempt_id)
    for change in plan.changes:
        score_reports.reissue(session=session, attempt_id=change.attempt_id, now=now)  # the next version, if issued
    return replace(plan, certificates_revoked=tuple(revoked))
