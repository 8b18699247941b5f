"""Schemes and credentials for the credential tests, written straight into the foundation's tables (the schemes
slice's API is built elsewhere at the same time), and a principal to act as."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from examengine.accounts.credentials import Principal
from examengine.accounts.models import CredentialKind, Role, User
from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.programs.credential_award import grant
from examengine.programs.models import ProgramCredential, Scheme, SchemeExam, SchemeKind

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_scheme(services: Services, code: str = "SAFE", **changes: Any) -> Scheme:
    values: dict[str, Any] = {
        "code": code,
        "title": f"{code.title()} Professional",
        "kind": SchemeKind.CERTIFICATION,
        "cycle": "PT10S",
        "grace_period": "PT5S",
        "reinstatement_period": "PT20S",
        "recertification": {"by_exam": True, "ce_credits": 6, "ce_categories": {"ethics": 2}},
        "created_at": T0,
        **changes,
    }

    def add(*, session: Session) -> Scheme:
        scheme = Scheme(**values)
        session.add(scheme)
        session.flush()
        session.expunge(scheme)
        return scheme

    return services.db.call(add)


def attach_exam(services: Services, scheme: Scheme, exam_id: str) -> None:
    services.db.call(lambda *, session: session.add(SchemeExam(exam_id=exam_id, scheme_id=scheme.id)))


def award(services: Services, scheme: Scheme, user: UserView, at: datetime = T0) -> str:
    """A credential granted at `at` without an attempt; returns its number."""

    def add(*, session: Session) -> str:
        holder = session.get(User, user.id)
        fresh = session.get(Scheme, scheme.id)
        assert holder is not None and fresh is not None
        return grant(session, fresh, holder, at=at).number

    return services.db.call(add)


def stored(services: Services, number: str) -> ProgramCredential:
    def read(*, session: Session) -> ProgramCredential:
        found = session.exec(select(ProgramCredential).where(ProgramCredential.number == number)).one()
        session.expunge(found)
        return found

    return services.db.call(read, write=False)


def as_principal(user: UserView, *roles: Role) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        name=user.name,
        roles=frozenset(roles or (Role.CANDIDATE,)),
        kind=CredentialKind.API,
        token_hash="",
        csrf_token="",
        expires_at=T0,
        last_seen_at=T0,
    )
