"""An exam program built through the real services: a small bank, exams with fixed forms, a sitting, attempts.

The bank (10 points in all): in section "Knowledge" q1 single choice (D1, 1 point, key A), q2 multiple response
(D1, 2 points: A +1, B -1, C +1), q3 numeric (D2, 1 point, 42); in section "Writing" gaps, an inline choice with
two gaps (D2, 2 points, keys g1=X and g2=Y) and essay (D3, 4 points, marked by a person).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any, TypeVar

import pytest
from sqlalchemy import update
from sqlmodel import Session

from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.delivery import answers, attempts, start
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.delivery.states import AttemptStatus
from examengine.exams import service as exams
from examengine.exams import sittings
from examengine.scoring import retake
from examengine.scoring.models import AttemptResult
from tests.conftest import import_approved, run_async, save_answer, score_submitted
from tests.shown import as_shown

T = TypeVar("T")
OPTIONS = [{"id": "X", "text": "x", "correct": True}, {"id": "Y", "text": "y"}]
BANK: list[dict[str, Any]] = [
    {
        "id": "q1",
        "kind": "single_choice",
        "stem": "<p>q1</p>",
        "options": [{"id": "A", "text": "a", "correct": True}, {"id": "B", "text": "b"}],
        "metadata": {"domain": "D1"},
    },
    {
        "id": "q2",
        "kind": "multiple_response",
        "stem": "<p>q2</p>",
        "points": 2,
        "options": [
            {"id": "A", "text": "a", "weight": 1},
            {"id": "B", "text": "b", "weight": -1},
            {"id": "C", "text": "c", "weight": 1},
        ],
        "metadata": {"domain": "D1"},
    },
    {"id": "q3", "kind": "numeric", "stem": "<p>q3</p>", "answer": 42, "metadata": {"domain": "D2"}},
    {
        "id": "gaps",
        "kind": "inline_choice",
        "stem": "<p>{{g1}} and {{g2}}</p>",
        "points": 2,
        "gaps": [
            {"id": "g1", "options": OPTIONS},
            {"id": "g2", "options": [{"id": "X", "text": "x"}, {"id": "Y", "text": "y", "correct": True}]},
        ],
        "metadata": {"domain": "D2"},
    },
    {"id": "essay", "kind": "essay", "stem": "<p>Discuss.</p>", "points": 4, "metadata": {"domain": "D3"}},
]
PERFECT = {"q1": "A", "q2": ["A", "C"], "q3": 42, "gaps": {"RESPONSE_g1": "X", "RESPONSE_g2": "Y"}, "essay": "..."}


@dataclass
class Program:
    services: Services
    admin: UserView
    candidates: list[UserView]
    items: dict[str, str]  # native id -> item_id
    codes: Iterator[int] = field(default_factory=lambda: count(1))

    def call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        return self.services.db.call(fn, **kwargs)

    def exam(self, *, essay: bool = True, **changes: Any) -> tuple[str, str]:
        """A published exam with fixed items (the essay optional) and an open sitting for every candidate."""

        def fixed(*names: str) -> list[dict[str, Any]]:
            return [{"item_id": self.items[n], "version": 1} for n in names]

        body: dict[str, Any] = {
            "code": f"SCORE-{next(self.codes)}",
            "title": "Scoring",
            "time_limit_minutes": 60,
            "assembly": "fixed",
            "sections": [
                {"title": "Knowledge", "items": fixed("q1", "q2", "q3")},
                {"title": "Writing", "items": fixed("gaps", "essay") if essay else fixed("gaps")},
            ],
            "cut_score": {"type": "percent", "value": 70},
            "scale": {"min": 200, "max": 800, "cut": 500},
            "retake_policy": {"max_attempts": 50},
            "result_release": "immediate",
            **changes,
        }
        definition = exams.parse_definition(body)
        exam_id = self.call(exams.create_exam, definition=definition, actor_id=self.admin.id).exam_id
        self.call(exams.publish, exam_id=exam_id, actor_id=self.admin.id)
        return exam_id, self.sitting(exam_id)

    def sitting(self, exam_id: str) -> str:
        """A sitting of the exam open now, with every candidate enrolled."""
        now = datetime.now(UTC)
        sitting = self.call(
            sittings.create_sitting,
            exam_id=exam_id,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=3),
            proctor_ids=[],
            candidates=[sittings.EnrollmentRequest(c.id) for c in self.candidates],
            actor_id=self.admin.id,
        )
        return str(sitting.sitting_id)

    def begin(self, sitting_id: str, user: UserView, responses: dict[str, Any]) -> str:
        """Start an attempt and save the answers (by native item id); returns the attempt id, still running."""

        async def go() -> start.StartOutcome:
            return await start.start_attempt(
                self.services.db, sitting_id=sitting_id, user_id=user.id, eligible=retake.eligibility
            )

        attempt_id = run_async(go).view.attempt_id
        slot_of = {s.item_id: s.slot for s in self.call(_slots, attempt_id=attempt_id)}
        for name, value in responses.items():
            slot = slot_of.get(self.items[name])
            if slot is not None:
                shown = as_shown(self.services.db, attempt_id, slot, value)
                save_answer(self.services.db, attempt_id=attempt_id, user_id=user.id, slot=slot, response=shown, seq=1)
        return attempt_id

    def take(self, sitting_id: str, user: UserView, responses: dict[str, Any], *, score: bool = True) -> str:
        """An attempt answered, submitted and (by default) scored; returns its id."""
        attempt_id = self.begin(sitting_id, user, responses)
        self.call(attempts.submit, attempt_id=attempt_id, user_id=user.id)
        if score:
            self.score(attempt_id)
        return attempt_id

    def score(self, attempt_id: str) -> AttemptResult:
        return score_submitted(self.services.db, attempt_id=attempt_id)

    def score_despite_termination(self, attempt_id: str) -> AttemptResult:
        """A stored result for a terminated attempt, which scoring never makes (it refuses attempt_terminated): the
        attempt is scored as if submitted, then terminated again, for tests that a result stays held even so."""
        self.set_status(attempt_id, AttemptStatus.SUBMITTED)
        result = self.score(attempt_id)
        self.set_status(attempt_id, AttemptStatus.TERMINATED)
        return result

    def slot_of(self, attempt_id: str, name: str) -> int:
        return next(s.slot for s in self.call(_slots, attempt_id=attempt_id) if s.item_id == self.items[name])

    def set_times(self, attempt_id: str, **times: datetime) -> None:
        self._set(attempt_id, **times)

    def set_status(self, attempt_id: str, status: AttemptStatus) -> None:
        self._set(attempt_id, status=status)

    def _set(self, attempt_id: str, **values: Any) -> None:
        def change(*, session: Session) -> None:
            session.execute(update(Attempt).where(Attempt.id == attempt_id).values(**values))  # type: ignore[arg-type]

        self.call(change)


def _slots(*, session: Session, attempt_id: str) -> list[AttemptSlot]:
    return answers.slot_rows(session, attempt_id)


@pytest.fixture
def program(services: Services, make_user: Callable[..., UserView]) -> Program:
    admin = make_user("admin@example.org", "admin")
    author = make_user("author@example.org", "author")
    candidates = [make_user(f"cand{n}@example.org", "candidate", name=f"Candidate {n}") for n in range(3)]
    items = import_approved(services, BANK, author=author.id, admin=admin.id)
    return Program(services, admin, candidates, items)
