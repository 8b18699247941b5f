"""An admin's decision about a terminated attempt (API.md: Proctoring): the candidate is held until one is recorded."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.schemas import TerminationDecisionIn, TerminationDecisionOut
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.delivery import termination
from examengine.http.request import current_user, services


@operation(tags=["proctoring"], body=TerminationDecisionIn, responses={200: TerminationDecisionOut}, errors=(404, 409))
async def decide(request: Request, body: TerminationDecisionIn) -> Response:
    """Record the decision about a terminated attempt, once, with the reason (admins only; not about one's own
    attempt). `uphold`: the termination stands, the attempt counts as used with no result. `allow_retake`: the
    candidate may start a new attempt now; the terminated one counts towards no retake rule. `void`: the attempt is
    annulled (no result, no certificate, counts towards nothing); the retake rules apply to the other attempts.
    409 `attempt_not_terminated` or `termination_decided` (already recorded)."""
    decided = await services(request).db.run(
        termination.decide,
        attempt_id=str(request.path_params["attempt_id"]),
        decision=body.decision,
        reason=body.reason,
        actor_id=current_user(request).user_id,
        now=utcnow(),
    )
    return json_response(
        TerminationDecisionOut(
            attempt_id=decided.attempt_id,
            decision=decided.decision.value,
            reason=decided.reason,
            decided_by=decided.decided_by,
            decided_at=decided.decided_at,
        )
    )
