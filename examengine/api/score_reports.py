"""Official score reports and incident decisions (API.md "Score reports, incidents, appeals")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.report_schemas import IncidentDecisionIn, IncidentDecisionOut, ScoreReportOut
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.http.request import current_user, services
from examengine.programs import incidents, score_reports


@operation(tags=["results"], responses={200: ScoreReportOut}, errors=(404, 409))
async def score_report(request: Request) -> Response:
    """The attempt's official score report: the candidate's own once the result is released, any for admins.
    409 `result_not_released` (with `details.withheld`) while the result is not released, withheld or
    invalidated; 409 `no_passing_standard` for an exam without a cut score."""
    who = current_user(request)
    ctx = services(request)
    report = await ctx.db.run(
        score_reports.score_report,
        attempt_id=str(request.path_params["attempt_id"]),
        who=who,
        minimum_items=ctx.settings.score_report_min_items,
        now=utcnow(),
    )
    return json_response(ScoreReportOut.model_validate(score_reports.as_json(report)))


@operation(tags=["proctoring"], body=IncidentDecisionIn, responses={200: IncidentDecisionOut}, errors=(404, 409, 422))
async def incident_decision(request: Request, body: IncidentDecisionIn) -> Response:
    """Release or invalidate a result withheld after an incident (admins; never one's own attempt). 422
    `reason_required`; 409 `result_not_withheld`, `incident_decided`, `attempt_not_finished`."""
    decided = await services(request).db.run(
        incidents.decide,
        attempt_id=str(request.path_params["attempt_id"]),
        decision=body.decision,
        reason=body.reason,
        actor_id=current_user(request).user_id,
        now=utcnow(),
    )
    stored = decided.decision
    return json_response(
        IncidentDecisionOut(
            attempt_id=stored.attempt_id,
            decision=stored.decision.value,
            reason=stored.reason,
            decided_by=stored.decided_by,
            decided_at=stored.decided_at,
            appeal_until=stored.appeal_until,
            revoked_certificate=decided.revoked.certificate_code,
            revoked_credential=decided.revoked.credential_number,
        )
    )
