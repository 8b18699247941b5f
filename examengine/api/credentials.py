"""Credentials (API.md "Credentials"): a holder's credentials, continuing education and renewal; an admin's
suspension, reinstatement and revocation; certificates of attendance."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.credential_schemas import (
    AttendanceIn,
    AttendanceOut,
    CeIn,
    CeOut,
    CredentialListOut,
    CredentialListQuery,
    CredentialOut,
    CycleOut,
    HolderOut,
    ReasonIn,
    ShortfallOut,
)
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.http.request import current_user, services
from examengine.programs import credentials
from examengine.programs.models import SchemeKind


def credential_out(view: credentials.CredentialView) -> CredentialOut:
    certification = view.kind == SchemeKind.CERTIFICATION
    return CredentialOut(
        number=view.number,
        scheme=view.scheme_code,
        scheme_title=view.scheme_title,
        kind=view.kind.value,
        holder=HolderOut(user_id=view.holder_id, name=view.holder_name),
        status=view.status.value,
        granted_at=view.granted_at,
        cycle_starts=view.cycle_starts if certification else None,
        valid_until=view.valid_until,
        grace_until=view.grace_ends,
        attempt_id=view.attempt_id,
        event=view.event,
        attended_on=view.attended_on,
    )


async def _one(request: Request) -> Response:
    view = await services(request).db.read(
        credentials.get_credential, number=request.path_params["number"], who=current_user(request), now=utcnow()
    )
    return json_response(credential_out(view))


@operation(tags=["credentials"], query=CredentialListQuery, responses={200: CredentialListOut})
async def list_credentials(request: Request, query: CredentialListQuery) -> Response:
    """`?mine=true`: your own credentials; `?user_id=` (admins): one holder's; admins with neither: every one.
    By number, descending, a page at a time."""
    page = await services(request).db.read(
        credentials.credentials_for,
        who=current_user(request),
        now=utcnow(),
        mine=query.mine,
        user_id=query.user_id,
        cursor=query.cursor,
        limit=query.limit,
    )
    return json_response(CredentialListOut(items=[credential_out(v) for v in page.items], next_cursor=page.next_cursor))


@operation(tags=["credentials"], responses={200: CredentialOut}, errors=(404,))
async def get_credential(request: Request) -> Response:
    """One credential with its status now (its holder and admins; 404 for anyone else)."""
    return await _one(request)


@operation(tags=["credentials"], body=CeIn, responses={201: CeOut}, errors=(404, 409))
async def record_ce(request: Request, body: CeIn) -> Response:
    """The holder records a continuing-education activity; 409 `no_recertification` for a credential without."""
    activity = await services(request).db.run(
        credentials.record_activity,
        number=request.path_params["number"],
        who=current_user(request),
        title=body.title,
        provider=body.provider,
        category=body.category,
        credits=body.credits,
        completed_on=body.completed_on,
        now=utcnow(),
    )
    return json_response(
        CeOut(
            activity_id=activity.id,
            title=activity.title,
            provider=activity.provider,
            category=activity.category,
            credits=activity.credits,
            completed_on=activity.completed_on,
            recorded_at=activity.recorded_at,
        ),
        201,
    )


@operation(tags=["credentials"], responses={200: CycleOut}, errors=(404, 409))
async def cycle(request: Request) -> Response:
    """The current cycle: required, earned (in all and per category) and the shortfall."""
    found = await services(request).db.read(
        credentials.current_cycle, number=request.path_params["number"], who=current_user(request)
    )
    shortfall = ShortfallOut(total=found.shortfall.total, by_category=found.shortfall.by_category)
    return json_response(
        CycleOut(
            starts=found.starts,
            ends=found.ends,
            credits_required=found.credits_required,
            credits_earned=found.credits_earned,
            by_category=found.by_category,
            shortfall=shortfall,
        )
    )


@operation(tags=["credentials"], responses={200: CredentialOut}, errors=(404, 409))
async def renew(request: Request) -> Response:
    """The holder renews by continuing education (active or grace): a new cycle from the old `valid_until`, same
    number; 422 `ce_shortfall` with `details.shortfall` while the requirement is not met."""
    number = request.path_params["number"]
    await services(request).db.run(credentials.renew, number=number, who=current_user(request), now=utcnow())
    return await _one(request)


async def _decide(request: Request, body: ReasonIn, action: credentials.Action) -> Response:
    await services(request).db.run(
        action,
        number=request.path_params["number"],
        reason=body.reason,
        actor_id=current_user(request).user_id,
        now=utcnow(),
    )
    return await _one(request)


@operation(tags=["credentials"], body=ReasonIn, responses={200: CredentialOut}, errors=(404, 409))
async def suspend(request: Request, body: ReasonIn) -> Response:
    """Suspend an active or in-grace credential (admins); 422 `reason_required`; 409 on a revoked one."""
    return await _decide(request, body, credentials.suspend)


@operation(tags=["credentials"], body=ReasonIn, responses={200: CredentialOut}, errors=(404, 409))
async def reinstate(request: Request, body: ReasonIn) -> Response:
    """Lift a suspension, or reinstate a lapsed certification within the reinstatement period (a new cycle from
    now, same number); 409 after it, or on a revoked one."""
    return await _decide(request, body, credentials.reinstate)


@operation(tags=["credentials"], body=ReasonIn, responses={200: CredentialOut}, errors=(404, 409))
async def revoke(request: Request, body: ReasonIn) -> Response:
    """Revoke a credential for good (admins); 409 on one already revoked."""
    return await _decide(request, body, credentials.revoke_credential)


@operation(tags=["credentials"], body=AttendanceIn, responses={201: AttendanceOut}, errors=(404, 409))
async def record_attendance(request: Request, body: AttendanceIn) -> Response:
    """Certificates of attendance of a scheme of that kind, one per person (all or none); 409
    `not_attendance_scheme`, `already_awarded` (`details.user_ids`)."""
    views = await services(request).db.run(
        credentials.award_attendance,
        code=request.path_params["code"],
        user_ids=list(body.user_ids),
        event=body.event,
        attended_on=body.attended_on,
        actor_id=current_user(request).user_id,
        now=utcnow(),
    )
    return json_response(AttendanceOut(items=[credential_out(v) for v in views]), 201)
