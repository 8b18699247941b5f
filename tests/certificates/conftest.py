"""Certificates on the scoring tests' exam program: passing and failing attempts through the real services.

The program's exam without its essay is worth 6 points with a 70 % cut: PERFECT passes (6 of 6), {"q1": "A"}
fails (1 of 6).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from examengine.certificates import issuing
from examengine.certificates.models import Certificate
from tests.scoring.conftest import PERFECT, Program, program  # noqa: F401 - the fixture

FAILING = {"q1": "A"}


def passed_attempt(program: Program, who: int = 0, **exam: Any) -> str:  # noqa: F811
    """An attempt that passed an exam of its own (essay-free, immediate release unless changed), scored."""
    _, sitting_id = program.exam(essay=False, **exam)
    return program.take(sitting_id, program.candidates[who], PERFECT)


def issue(program: Program, attempt_id: str, now: datetime | None = None) -> Certificate | None:  # noqa: F811
    return program.call(issuing.issue_if_due, attempt_id=attempt_id, now=now or datetime.now(UTC))


@pytest.fixture
def certified(program: Program) -> tuple[str, Certificate]:  # noqa: F811
    """Candidate 0's passing attempt and its certificate."""
    attempt_id = passed_attempt(program)
    certificate = issue(program, attempt_id)
    assert certificate is not None
    return attempt_id, certificate
