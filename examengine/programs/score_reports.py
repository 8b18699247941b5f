"""Official score reports (API.md "Score reports, incidents, appeals"; NCCA standard 19, score reporting).

A report exists once the candidate's result is released (scoring.release): pass or fail, the scaled score and the
passing score on the same scale (percent or points when the exam reports no scale), and the content domains named
as the blueprint names them, each with its performance against the passing standard (programs.domain_performance).

What passing candidates get: the decision and the scores, and no domain diagnostics (`domains: []`). Following
NCCA practice, the diagnostics are for failing candidates, to prepare a retest; for a pass the credential rests on
the one decision about the whole test, and domain labels measured on a handful of items ("below" in one domain)
would be read as a judgement the test never made.

Issuing: the report is stored when first asked for after release (`score_report`, one row per version) and keeps
its id for life. When the figures change (a rescore, a re-mark), the next read, and the rescore workflow at once,
issue the next version under the same id; earlier versions stay as issued. Accommodations and proctor notes are
never part of it: the body is built only from the result, the blueprint and the candidate's name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from examengine.accounts.credentials import Principal
from examengine.accounts.models import Role, User
from examengine.db import dialect_insert
from examengine.delivery.models import Attempt
from examengine.errors import Conflict, NotFound
from examengine.ids import new_id
from examengine.programs.domain_performance import cut_percent, performance
from examengine.programs.report_models import SCORE_REPORT_TABLE, ScoreReport
from examengine.scoring import release
from examengine.scoring.models import AttemptResult
from examengine.scoring.scale import report_decimal, report_scaled
from examengine.scoring.service import definition_of, slot_scores

OTHER_CONTENT = "Other content"  # items whose domain the blueprint does not name (never shown by their code)


def _domains(session: Session, attempt: Attempt, cut: float, minimum_items: int) -> list[dict[str, Any]]:
    definition = definition_of(session, attempt)
    named = {d.code: d.name for d in definition.domains}
    groups: dict[str, list[float]] = {}
    for slot in slot_scores(session, attempt.id):
        if slot.max_score <= 0:
            continue  # a dropped item counts for nothing
        name = named.get(slot.domain or "", OTHER_CONTENT)
        earned, possible, items = groups.get(name, [0.0, 0.0, 0.0])
        groups[name] = [earned + (slot.score or 0.0), possible + slot.max_score, items + 1]
    order = [d.name for d in definition.domains] + [OTHER_CONTENT]
    return [
        {
            "name": name,
            "items": int(groups[name][2]),
            "performance": performance(
                percent=groups[name][0] * 100 / groups[name][1],
                items=int(groups[name][2]),
                cut=cut,
                minimum_items=minimum_items,
            ).value,
        }
        for name in order
        if name in groups
    ]


def _body(session: Session, attempt: Attempt, result: AttemptResult, minimum_items: int) -> dict[str, Any]:
    definition = definition_of(session, attempt)
    cut = cut_percent(definition, result.max_score)
    if cut is None or result.passed is None or result.percent is None:
        raise Conflict("This exam has no passing standard, so it has no score report.", code="no_passing_standard")
    scale = release.score_scale(definition)
    holder = session.get(User, attempt.user_id)
    taken = attempt.started_at or attempt.created_at
    return {
        "exam": {"exam_id": attempt.exam_id, "code": definition.code, "title": definition.title},
        "candidate_name": holder.name if holder else "",
        "taken_at": taken.isoformat(),
        "passed": result.passed,
        "scaled_score": None if result.scaled_score is None else report_scaled(result.scaled_score),
        "percent": report_decimal(result.percent),
        "passing_score": scale.passing,
        "passing_on": scale.passing_on,
        "scale": None if scale.minimum is None else {"min": scale.minimum, "max": scale.maximum},
        "minimum_items": minimum_items,
        "domains": [] if result.passed else _domains(session, attempt, cut, minimum_items),
    }


def _latest(session: Session, attempt_id: str) -> ScoreReport | None:
    return session.exec(
        select(ScoreReport)
        .where(col(ScoreReport.attempt_id) == attempt_id)
        .order_by(col(ScoreReport.version).desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).first()


def _issue(session: Session, attempt: Attempt, body: dict[str, Any], now: datetime) -> ScoreReport:
    """The latest version if its body is `body`, else the next version, stored now."""
    latest = _latest(session, attempt.id)
    if latest is not None and latest.body == body:
        return latest
    version = 1 if latest is None else latest.version + 1
    report_id = new_id() if latest is None else latest.report_id
    session.execute(
        dialect_insert(session, SCORE_REPORT_TABLE)
        .values(attempt_id=attempt.id, version=version, report_id=report_id, body=body, issued_at=now)
        .on_conflict_do_nothing()
    )
    issued = _latest(session, attempt.id)
    assert issued is not None
    return issued


def as_json(report: ScoreReport) -> dict[str, Any]:
    return {"report_id": report.report_id, "version": report.version, **report.body, "issued_at": report.issued_at}


def score_report(
    *, session: Session, attempt_id: str, who: Principal, minimum_items: int, now: datetime
) -> ScoreReport:
    """The attempt's current score report, issuing its first or next version when the figures changed. The
    candidate reads their own, admins anyone's; only once the result is released to the candidate. Raises
    NotFound (attempt_not_found: unknown, or another candidate's), Conflict (result_not_released with
    `details.withheld`, the reason as GET .../result gives it; no_passing_standard)."""
    attempt = session.get(Attempt, attempt_id) if len(attempt_id) <= 32 else None
    if attempt is None or (Role.ADMIN not in who.roles and attempt.user_id != who.user_id):
        raise NotFound("No such attempt.", code="attempt_not_found")
    found = release.result_for_candidate(session=session, attempt_id=attempt_id, user_id=attempt.user_id, now=now)
    if isinstance(found, release.ResultWithheld):
        raise Conflict(
            f"There is no score report until the result is released. {found.next_step}",
            code="result_not_released",
            details={"withheld": found.reason.value},
        )
    result = session.get(AttemptResult, attempt_id)
    assert result is not None  # a released result is stored
    return _issue(session, attempt, _body(session, attempt, result, minimum_items), now)


def reissue(*, session: Session, attempt_id: str, now: datetime) -> ScoreReport | None:
    """After a rescore: the next version of an issued report whose figures changed (with the minimum it was
    issued under); None when the attempt has no report yet (its first read will issue one)."""
    latest = _latest(session, attempt_id)
    attempt = session.get(Attempt, attempt_id)
    result = session.get(AttemptResult, attempt_id, populate_existing=True)
    if latest is None or attempt is None or result is None or result.passed is None:
        return None
    minimum = int(latest.body.get("minimum_items", 1))
    return _issue(session, attempt, _body(session, attempt, result, minimum), now)


def versions(*, session: Session, attempt_id: str) -> list[ScoreReport]:
    return list(
        session.exec(
            select(ScoreReport).where(col(ScoreReport.attempt_id) == attempt_id).order_by(col(ScoreReport.version))
        )
    )
