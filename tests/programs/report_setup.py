"""Shared set-up of the score report and incident tests: the scoring tests' small program (tests/scoring/conftest.py)
with a proctor, bearer tokens, and foundation rows (a scheme holding an exam, a credential) inserted directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.programs.models import ProgramCredential, Scheme, SchemeExam, SchemeKind
from tests.api.test_exams_api import bearer
from tests.conftest import import_approved
from tests.scoring.conftest import BANK, Program


def build_program(services: Services, make_user: Callable[..., UserView]) -> Program:
    admin = make_user("admin@example.org", "admin", name="Ada Admin")
    author = make_user("author@example.org", "author")
    candidates = [make_user(f"cand{n}@example.org", "candidate", name=f"Candidate {n}") for n in range(3)]
    items = import_approved(services, BANK, author=author.id, admin=admin.id)
    return Program(services, admin, candidates, items)


def token(client: TestClient, email: str) -> dict[str, str]:
    return bearer(client, email)


def cand(n: int) -> str:
    return f"cand{n}@example.org"


def in_scheme(program: Program, exam_id: str, *, appeal_period: str = "P30D", code: str = "SAFE") -> str:
    """A certification scheme holding the exam; returns the scheme id."""

    def add(*, session: Session) -> str:
        scheme = Scheme(
            code=code,
            title="Safety certification",
            kind=SchemeKind.CERTIFICATION,
            cycle="P3Y",
            appeal_period=appeal_period,
            created_at=datetime.now(UTC),
        )
        session.add(scheme)
        session.flush()
        session.add(SchemeExam(exam_id=exam_id, scheme_id=scheme.id))
        return scheme.id

    return program.call(add)


def credential_for(program: Program, scheme_id: str, user: UserView, attempt_id: str) -> str:
    """A credential awarded from the attempt (as the credentials slice would); returns its id."""

    def add(*, session: Session) -> str:
        now = datetime.now(UTC)
        found = ProgramCredential(
            number="SAFE-2026-000001",
            scheme_id=scheme_id,
            user_id=user.id,
            attempt_id=attempt_id,
            holder_name=user.name,
            granted_at=now,
            cycle_starts=now,
            status_index=1,
        )
        session.add(found)
        session.flush()
        return found.id

    return program.call(add)


def get(program: Program, model: type[Any], key: Any) -> Any:
    def read(*, session: Session) -> Any:
        found = session.get(model, key)
        if found is not None:
            session.expunge(found)
        return found

    return program.call(read)
