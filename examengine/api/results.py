"""Results (API.md: Results and analysis): the candidate's own once released; admins always."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.schemas import ReleaseIn, ReleaseOut, ResultOut, ScaleOut, SubscoreOut
from examengine.api.spec import json_response, operation
from examengine.certificates import issuing as certificates
from examengine.clock import utcnow
from examengine.http.downloads import csv_download
from examengine.http.request import current_user, services
from examengine.programs import credentials as program_credentials
from examengine.scoring import export, release


def candidate_result_out(found: release.CandidateResult | release.ResultWithheld) -> ResultOut:
    if isinstance(found, release.ResultWithheld):
        return ResultOut(
            attempt_id=found.attempt_id, status="received", message=found.message, withheld=found.reason.value
        )
    return ResultOut(
        attempt_id=found.attempt_id,
        status="released",
        raw_score=found.raw_score,
        max_score=found.max_score,
        percent=found.percent,
        scaled_score=found.scaled_score,
        passed=found.passed,
        domains=[SubscoreOut(**asdict(d)) for d in found.domains],
        scale=ScaleOut(
            min=found.scale.minimum,
            max=found.scale.maximum,
            passing_score=found.scale.passing,
            passing_on=found.scale.passing_on,
        ),
        released_at=found.released_at,
    )


@operation(tags=["results"], responses={200: ResultOut}, errors=(404,))
async def attempt_result(request: Request) -> Response:
    """The attempt's result: a candidate sees their own once released (before that, only the receipt)."""
    attempt_id = request.path_params["attempt_id"]
    found = await services(request).db.read(
        release.result_for, attempt_id=attempt_id, who=current_user(request), now=utcnow()
    )
    if not isinstance(found, release.AdminResult):
        return json_response(candidate_result_out(found))
    stored = found.result
    return json_response(
        ResultOut(
            attempt_id=attempt_id,
            status="released" if found.released_at else "received",
            raw_score=stored.raw_score,
            max_score=stored.max_score,
            percent=found.percent,
            scaled_score=found.scaled_score,
            passed=stored.passed,
            domains=[SubscoreOut(**asdict(d)) for d in found.domains],
            sections=[SubscoreOut(**asdict(s)) for s in found.sections],
            released_at=found.released_at,
        )
    )


@operation(tags=["results"], responses={200: None}, errors=(404,))
async def results_csv(request: Request) -> Response:
    """Every scored attempt of the exam, one row each, as CSV."""
    text = await services(request).db.read(export.results_csv, exam_id=request.path_params["exam_id"])
    return csv_download(text, "results.csv")


@operation(tags=["results"], body=ReleaseIn, responses={200: ReleaseOut}, errors=(404,))
async def release_results(request: Request, body: ReleaseIn) -> Response:
    """Release the results of an exam (optionally one version or one sitting) under a manual release policy."""
    count = await services(request).db.run(
        release.release_results,
        exam_id=request.path_params["exam_id"],
        actor_id=current_user(request).user_id,
        now=utcnow(),
        version=body.version,
        sitting_id=body.sitting_id,
    )
    # The released passes get their certificates now; any beyond this batch, on the sweep's next run.
    await services(request).db.run(certificates.issue_due, now=utcnow(), exam_id=request.path_params["exam_id"])
    await services(request).db.run(program_credentials.award_due, exam_id=request.path_params["exam_id"])
    return json_response(ReleaseOut(released=count))
