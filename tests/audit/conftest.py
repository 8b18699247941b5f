"""Audit tests: helpers to append, read, tamper with rows by hand (as an intruder with database access would) and
verify; the exam program of the scoring tests for real attempts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.audit.verify import Report
from examengine.context import Services
from examengine.delivery import answers, attempts
from examengine.delivery.trail import verify
from tests.scoring.conftest import Program as Program
from tests.scoring.conftest import program as program  # the fixture, shared

KEY = "k" * 40


def append(services: Services, n: int, *, kind: AuditKind = AuditKind.ROLE_CHANGED, **detail: Any) -> list[int]:
    ids = []
    for number in range(n):
        found = services.db.call(
            record, kind=kind, actor_id="a" * 32, subject=f"user:{number}", detail={"n": number, **detail}
        )
        ids.append(found.id)
    return ids


def check(services: Services, key: str = KEY) -> Report:
    return services.db.call(verify, key=key, write=False)


def tamper(services: Services, sql: str, **params: Any) -> None:
    def run(*, session: Session) -> None:
        session.execute(text(sql), params)

    services.db.call(run)


@pytest.fixture
def attempt(program: Program) -> tuple[Program, str]:
    """A finished attempt with a few events of its own (started, a client event, submitted)."""
    _exam_id, sitting_id = program.exam()
    candidate = program.candidates[0]
    attempt_id = program.begin(sitting_id, candidate, {"q1": "A"})
    report = {"attempt_id": attempt_id, "user_id": candidate.id, "client_time": None}
    program.call(answers.report_event, **report, kind="focus_lost", detail={"seconds": 4.5})
    program.call(answers.report_event, **report, kind="fullscreen_exit", detail={})
    program.call(attempts.submit, attempt_id=attempt_id, user_id=candidate.id)
    return program, attempt_id
