"""A LOFT exam program built through the real services, for pre-assembly and exposure tests.

The bank: 12 approved single-choice items of domain D1 with three shuffled options; items 0 and 1 are enemies.
The exam draws 4 of them with an exposure cap of 50% and allows retakes at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any, TypeVar

import anyio
import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.delivery import attempts, exposure, preassembly, prepared_forms, start
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.prepared_forms import PreparedForm
from examengine.exams import service as exams
from examengine.exams import sittings
from examengine.scoring import retake
from tests.conftest import import_approved, run_async

T = TypeVar("T")
POOL_SIZE = 12
DRAWN = 4
CAP = 0.5
BANK: list[dict[str, Any]] = [
    {
        "id": f"q{n}",
        "kind": "single_choice",
        "stem": f"<p>q{n}?</p>",
        "options": [{"id": "A", "text": "a", "correct": True}, {"id": "B", "text": "b"}, {"id": "C", "text": "c"}],
        "metadata": {"domain": "D1", "enemy_groups": ["E"] if n < 2 else []},
    }
    for n in range(POOL_SIZE)
]


@dataclass
class Loft:
    services: Services
    admin: UserView
    candidates: list[UserView]
    items: dict[str, str]  # native id -> item id
    codes: Iterator[int] = field(default_factory=lambda: count(1))

    def call(self, fn: Callable[..., T], /, write: bool = True, **kwargs: Any) -> T:
        return self.services.db.call(fn, write=write, **kwargs)

    def exam(self, **changes: Any) -> str:
        body: dict[str, Any] = {
            "code": f"LOFT-{next(self.codes)}",
            "title": "Pre-assembled",
            "time_limit_minutes": 60,
            "assembly": "loft",
            "max_exposure": CAP,
            "sections": [{"title": "A", "draw": [{"domain": "D1", "count": DRAWN}]}],
            "retake_policy": {"max_attempts": 5, "allow_after_pass": True},
            **changes,
        }
        definition = exams.parse_definition(body)
        exam_id = self.call(exams.create_exam, definition=definition, actor_id=self.admin.id).exam_id
        self.call(exams.publish, exam_id=exam_id, actor_id=self.admin.id)
        return exam_id

    def sitting(
        self, exam_id: str, *, opens_in: timedelta = timedelta(minutes=-1), who: list[UserView] | None = None
    ) -> str:
        """A sitting of two hours opening `opens_in` from now (open by default), with the candidates enrolled."""
        opens_at = datetime.now(UTC) + opens_in
        view = self.call(
            sittings.create_sitting,
            exam_id=exam_id,
            opens_at=opens_at,
            closes_at=opens_at + timedelta(hours=2),
            proctor_ids=[],
            candidates=[sittings.EnrollmentRequest(c.id) for c in (self.candidates if who is None else who)],
            actor_id=self.admin.id,
        )
        return str(view.sitting_id)

    def prepare(self, *, before: timedelta = timedelta(minutes=30), **kwargs: Any) -> preassembly.PreparationReport:
        """Run the job as it would have run `before` now (a sitting open a minute ago was then about to open)."""
        now = datetime.now(UTC) - before
        return preassembly.prepare_due(
            self.services.db, now=now, lead_minutes=60, eligible=retake.eligibility, **kwargs
        )

    def start(self, sitting_id: str, user: UserView) -> str:
        async def go() -> start.StartOutcome:
            return await start.start_attempt(
                self.services.db, sitting_id=sitting_id, user_id=user.id, eligible=retake.eligibility
            )

        return run_async(go).view.attempt_id

    def start_at_once(self, sitting_id: str, users: list[UserView]) -> None:
        """Every candidate presses Start at the same moment (concurrent tasks, as concurrent requests would be)."""

        async def start_one(user_id: str) -> None:
            await start.start_attempt(
                self.services.db, sitting_id=sitting_id, user_id=user_id, eligible=retake.eligibility
            )

        async def everyone() -> None:
            async with anyio.create_task_group() as group:
                for user in users:
                    group.start_soon(start_one, user.id)

        run_async(everyone)

    def submit(self, attempt_id: str, user: UserView) -> None:
        self.call(attempts.submit, attempt_id=attempt_id, user_id=user.id)

    def attempt(self, attempt_id: str) -> Attempt:
        found: Attempt | None = self.call(lambda *, session: session.get(Attempt, attempt_id), write=False)
        assert found is not None
        return found

    def running(self, sitting_id: str, user_id: str) -> Attempt:
        def query(*, session: Session) -> Attempt:
            return session.scalars(
                select(Attempt).where(
                    col(Attempt.sitting_id) == sitting_id,
                    col(Attempt.user_id) == user_id,
                    col(Attempt.finished_at).is_(None),
                )
            ).one()

        return self.call(query, write=False)

    def started_prepared(self, attempt_id: str) -> bool:
        def detail(*, session: Session) -> dict[str, Any]:
            query = select(col(AttemptEvent.detail)).where(
                col(AttemptEvent.attempt_id) == attempt_id, col(AttemptEvent.type).in_(["started", "checked_in"])
            )
            return dict(session.scalars(query).one())

        return bool(self.call(detail, write=False)["prepared"])

    def prepared(self, sitting_id: str) -> dict[str, PreparedForm]:
        """User id -> the sitting's prepared form not taken yet."""

        def rows(*, session: Session) -> list[PreparedForm]:
            return list(session.scalars(select(PreparedForm).where(col(PreparedForm.sitting_id) == sitting_id)))

        return {row.user_id: row for row in self.call(rows, write=False)}

    def counters(self, sitting_id: str) -> dict[str, int]:
        return self.call(lambda *, session: exposure.counts(session, sitting_id), write=False)

    def recount(self, sitting_id: str) -> dict[str, int]:
        return dict(self.call(lambda *, session: prepared_forms.recount(session, sitting_id), write=False))


@pytest.fixture
def loft(services: Services, make_user: Callable[..., UserView]) -> Loft:
    admin = make_user("admin@example.org", "admin")
    author = make_user("author@example.org", "author")
    candidates = [make_user(f"cand{n:02d}@example.org", "candidate", name=f"Candidate {n}") for n in range(8)]
    items = import_approved(services, BANK, author=author.id, admin=admin.id)
    return Loft(services, admin, candidates, items)
