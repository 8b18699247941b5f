"""Accommodation requests (API.md "Accommodation requests"): a candidate asks for extra time or other needs in a
scheme's exams, with a statement and evidence files; eligibility reviewers and admins read them and decide
(programs.accommodation_decisions). Approved ones apply to later enrolments (programs.granted).

A request, its statement and its evidence are private to the candidate, eligibility reviewers and admins: anyone else
is told there is no such request (NotFound), so nobody learns that a person asked.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict, Forbidden, InvalidInput, NotFound
from examengine.programs import accommodation_terms, evidence
from examengine.programs.accommodation_terms import Terms
from examengine.programs.models import (
    AccommodationRequest,
    AccommodationStatus,
    EvidenceFile,
    EvidenceSubject,
    Scheme,
    SchemeKind,
)
from examengine.programs.schemes import scheme_by_code

MAX_EVIDENCE_FILES = 10
PAGE_SIZE = 50
SUBJECT = EvidenceSubject.ACCOMMODATION_REQUEST


@dataclass(frozen=True)
class EvidenceView:
    evidence_id: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class RequestView:
    request_id: str
    scheme: str
    scheme_title: str
    user_id: str
    candidate_name: str
    candidate_email: str
    status: AccommodationStatus
    requested: Terms
    approved: Terms | None
    statement: str
    created_at: datetime
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    appeal_until: datetime | None
    evidence: tuple[EvidenceView, ...]

    @property
    def undecided(self) -> bool:
        return self.status == AccommodationStatus.SUBMITTED


@dataclass(frozen=True)
class RequestPage:
    items: tuple[RequestView, ...]
    next_cursor: str | None


def is_reviewer(roles: Collection[str]) -> bool:
    return any(role in evidence.REVIEWERS for role in roles)


def scheme_choices(*, session: Session) -> list[tuple[str, str]]:
    """(code, title) of the schemes whose exams can be accommodated, by title."""
    rows = session.execute(
        select(col(Scheme.code), col(Scheme.title))
        .where(col(Scheme.kind) != SchemeKind.CERTIFICATE_OF_ATTENDANCE)
        .order_by(col(Scheme.title), col(Scheme.code))
    )
    return [(code, title) for code, title in rows]


def submit_request(
    *,
    session: Session,
    user_id: str,
    scheme_code: str,
    requested: Terms,
    statement: str,
    now: datetime,
    evidence_files: Sequence[tuple[str, bytes]] = (),
) -> RequestView:
    """Ask for accommodations in the scheme's exams, with evidence files (name, bytes) if given. NotFound
    (`scheme_not_found`) for an unknown scheme; InvalidInput for terms out of range, nothing asked, a missing or
    overlong statement, or a scheme with no exams; as programs.evidence.store_file for a file refused."""
    scheme = scheme_by_code(session, scheme_code.strip())
    terms = accommodation_terms.checked(requested, field="requested")
    text = accommodation_terms.check_statement(statement)
    if scheme.kind == SchemeKind.CERTIFICATE_OF_ATTENDANCE:
        raise InvalidInput(
            f"{scheme.title} has no exam to accommodate: it certifies attendance.",
            code="scheme_without_exams",
            details={"field": "scheme"},
        )
    row = AccommodationRequest(
        scheme_id=scheme.id,
        user_id=user_id,
        requested=terms.stored(),
        statement=text,
        status=AccommodationStatus.SUBMITTED,
        created_at=now,
    )
    session.add(row)
    session.flush()
    record(
        session=session,
        kind=AuditKind.ACCOMMODATION_REQUESTED,
        actor_id=user_id,
        subject=f"accommodation_request:{row.id}",
        detail={"scheme": scheme.code, **audit_terms(terms)},
        at=now,
    )
    for filename, data in evidence_files[:MAX_EVIDENCE_FILES]:
        _store(session, row.id, filename, data, user_id, now)
    return _view(session, row)


def audit_terms(terms: Terms) -> dict[str, object]:
    """What the audit chain keeps of terms: the time, and whether other needs were named (never their words, never
    the statement: the chain is read by every admin and exported)."""
    return {"time_multiplier": terms.multiplier, "extra_minutes": terms.minutes, "other_needs": bool(terms.other)}


def _load(session: Session, request_id: str, user_id: str, roles: Collection[str]) -> AccommodationRequest:
    row = session.get(AccommodationRequest, request_id) if len(request_id) <= 32 else None
    if row is None or not (row.user_id == user_id or is_reviewer(roles)):
        raise NotFound("No such accommodation request.", code="accommodation_request_not_found")
    return row


def _evidence(session: Session, request_id: str) -> tuple[EvidenceView, ...]:
    return tuple(
        EvidenceView(e.id, e.filename, e.content_type, e.size, e.uploaded_at)
        for e in evidence.listed(session=session, subject_type=SUBJECT, subject_id=request_id)
        if e.data is not None
    )


def _view(session: Session, row: AccommodationRequest) -> RequestView:
    scheme = session.get(Scheme, row.scheme_id)
    user = session.get(User, row.user_id)
    assert scheme is not None and user is not None  # both are foreign keys of the row
    return RequestView(
        row.id,
        scheme.code,
        scheme.title,
        row.user_id,
        user.name,
        user.email,
        AccommodationStatus(row.status),
        accommodation_terms.from_stored(row.requested),
        None if row.approved is None else accommodation_terms.from_stored(row.approved),
        row.statement,
        row.created_at,
        row.decision_reason,
        row.decided_by,
        row.decided_at,
        row.appeal_until,
        _evidence(session, row.id),
    )


def request_view(*, session: Session, request_id: str, user_id: str, roles: Collection[str]) -> RequestView:
    """The request for its candidate, eligibility reviewers and admins; NotFound for anyone else."""
    return _view(session, _load(session, request_id, user_id, roles))


def _store(session: Session, request_id: str, filename: str, data: bytes, user_id: str, now: datetime) -> EvidenceFile:
    return evidence.store_file(
        session=session,
        subject_type=SUBJECT,
        subject_id=request_id,
        requirement=None,
        filename=filename,
        data=data,
        uploaded_by=user_id,
        now=now,
    )


def add_evidence(
    *,
    session: Session,
    request_id: str,
    user_id: str,
    roles: Collection[str],
    filename: str,
    data: bytes,
    now: datetime,
) -> EvidenceView:
    """Attach a PDF, PNG or JPEG file (programs.evidence checks its bytes and size) to one's own undecided request.
    NotFound for a request the user may not see, Forbidden for a reviewer's upload to someone else's, Conflict once
    decided (`request_decided`) or at MAX_EVIDENCE_FILES (`too_many_files`)."""
    row = _load(session, request_id, user_id, roles)
    if row.user_id != user_id:
        raise Forbidden("Only the candidate who made the request adds its evidence.", code="not_requester")
    if row.status != AccommodationStatus.SUBMITTED:
        raise Conflict("The request has been decided: its evidence can no longer change.", code="request_decided")
    if len(_evidence(session, row.id)) >= MAX_EVIDENCE_FILES:
        raise Conflict(
            f"A request holds at most {MAX_EVIDENCE_FILES} evidence files: combine them into one PDF.",
            code="too_many_files",
        )
    stored = _store(session, row.id, filename, data, user_id, now)
    return EvidenceView(stored.id, stored.filename, stored.content_type, stored.size, stored.uploaded_at)


def evidence_file(
    *, session: Session, request_id: str, evidence_id: str, user_id: str, roles: Collection[str]
) -> EvidenceFile:
    """One evidence file of a request the user may see; NotFound otherwise (or when it belongs elsewhere)."""
    row = _load(session, request_id, user_id, roles)
    found = evidence.readable(session=session, evidence_id=evidence_id, user_id=user_id, roles=roles)
    if found.subject_type != SUBJECT or found.subject_id != row.id:
        raise NotFound("No such evidence file.", code="evidence_not_found")
    return found


def list_requests(
    *,
    session: Session,
    user_id: str,
    roles: Collection[str],
    mine: bool,
    status: str | None = None,
    scheme: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> RequestPage:
    """Newest first: the user's own requests (`mine`, and always for anyone but eligibility reviewers and admins),
    or everyone's, by status and scheme code. InvalidInput for an unknown status or cursor; NotFound for an unknown
    scheme."""
    mine = mine or not is_reviewer(roles)  # a list holds what its reader may see
    query = select(AccommodationRequest)
    if mine:
        query = query.where(col(AccommodationRequest.user_id) == user_id)
    if status:
        if status not in {s.value for s in AccommodationStatus}:
            raise InvalidInput(
                "status: give submitted, approved or denied.", code="invalid_query", details={"field": "status"}
            )
        query = query.where(col(AccommodationRequest.status) == status)
    if scheme:
        query = query.where(col(AccommodationRequest.scheme_id) == scheme_by_code(session, scheme).id)
    if cursor:
        after = session.get(AccommodationRequest, cursor) if len(cursor) <= 32 else None
        if after is None:
            raise InvalidInput("The cursor is not one this list gave: start from the first page.", code="bad_cursor")
        query = query.where(
            or_(
                col(AccommodationRequest.created_at) < after.created_at,
                and_(
                    col(AccommodationRequest.created_at) == after.created_at,
                    col(AccommodationRequest.id) < after.id,
                ),
            )
        )
    query = query.order_by(col(AccommodationRequest.created_at).desc(), col(AccommodationRequest.id).desc())
    rows = list(session.scalars(query.limit(limit + 1)))
    items = tuple(_view(session, row) for row in rows[:limit])
    return RequestPage(items, items[-1].request_id if len(rows) > limit and items else None)
