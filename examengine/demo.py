"""Demo data for a newcomer: one account per role, three candidates. Loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from examengine.accounts import service
from examengine.accounts.models import Role
from examengine.accounts.passwords import Passwords
from examengine.clock import utcnow
from examengine.exams import service as exams
from examengine.exams import sittings
from examengine.exams.models import Exam
from itembank import importing, workflow
from itembank.models import Item, ItemStatus

DEMO_PASSWORD = "examengine-demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    roles: tuple[Role, ...]


DEMO_USERS = (
    DemoUser("admin@example.org", "Ada Admin", (Role.ADMIN,)),
    DemoUser("author@example.org", "Arthur Author", (Role.AUTHOR,)),
    DemoUser("proctor@example.org", "Petra Proctor", (Role.PROCTOR,)),
    DemoUser("marker@example.org", "Mo Marker", (Role.MARKER,)),
    DemoUser("candidate1@example.org", "Cara Candidate", (Role.CANDIDATE,)),
    DemoUser("candidate2@example.org", "Carl Candidate", (Role.CANDIDATE,)),
    DemoUser("candidate3@example.org", "Chen Candidate", (Role.CANDIDATE,)),
)


DEMO_ITEMS = Path(__file__).resolve().parent / "demo_items.yaml"


def load(*, session: Session, passwords: Passwords) -> list[DemoUser]:
    """Create the demo users that do not exist yet, and the demo item bank (approved) if the bank is empty;
    returns the users created."""
    created = []
    password_hash = passwords.hash(DEMO_PASSWORD)
    for user in DEMO_USERS:
        if service.email_taken(session, user.email):
            continue
        service.create_user(
            session=session, email=user.email, name=user.name, roles=user.roles, password_hash=password_hash
        )
        created.append(user)
    if _load_items(session):  # a bank of someone else's gets no demo exam on top
        _load_exam_and_sitting(session)
    return created


DEMO_EXAM = {
    "code": "SAFE-101",
    "title": "Workplace Safety Certificate",
    "instructions": "Answer every question. You can flag questions and come back to them before you submit.",
    "time_limit_minutes": 30,
    "assembly": "loft",
    "sections": [
        {"title": "Part A: Fire and hazards", "draw": [{"domain": "D1", "count": 3}, {"domain": "D2", "count": 3}]},
        {"title": "Part B: Procedures", "draw": [{"domain": "D3", "count": 3}]},
    ],
    "cut_score": {"type": "percent", "value": 70},
    "scale": {"min": 200, "max": 800, "cut": 500},
    "retake_policy": {"max_attempts": 3, "wait_days_after_fail": 0, "allow_after_pass": False},
    "result_release": "immediate",
}


def _load_exam_and_sitting(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(Exam)):
        return
    admin = service.find_user_id_by_email(session=session, email="admin@example.org")
    proctor = service.find_user_id_by_email(session=session, email="proctor@example.org")
    exam = exams.create_exam(session=session, definition=exams.parse_definition(DEMO_EXAM), actor_id=admin)
    exams.publish(session=session, exam_id=exam.exam_id, actor_id=admin)
    now = utcnow()
    candidates = [
        sittings.EnrollmentRequest(user_id=user_id)
        for email in ("candidate1@example.org", "candidate2@example.org")
        if (user_id := service.find_user_id_by_email(session=session, email=email))
    ]
    third = service.find_user_id_by_email(session=session, email="candidate3@example.org")
    assert third and proctor
    candidates.append(
        sittings.EnrollmentRequest(
            user_id=third, time_multiplier=1.25, accommodation_reason="extra time for dyslexia (demo)"
        )
    )
    sittings.create_sitting(
        session=session,
        exam_id=exam.exam_id,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=7),
        proctor_ids=[proctor],
        candidates=candidates,
        actor_id=admin,
        title="SAFE-101 demo sitting",
    )


def _load_items(session: Session) -> int:
    if session.scalar(select(func.count()).select_from(Item)):
        return 0
    author = service.find_user_id_by_email(session=session, email="author@example.org")
    admin = service.find_user_id_by_email(session=session, email="admin@example.org")
    assert author and admin
    result = importing.read_upload(DEMO_ITEMS.name, DEMO_ITEMS.read_bytes(), "native")
    report = importing.import_items(session=session, result=result, actor_id=author)
    for ref in report.imported:
        workflow.transition(
            session=session,
            item_id=ref.item_id,
            version=1,
            to=ItemStatus.REVIEW,
            actor_id=author,
            comment="ready for review",
        )
        workflow.transition(
            session=session,
            item_id=ref.item_id,
            version=1,
            to=ItemStatus.APPROVED,
            actor_id=admin,
            comment="approved for the demo exam",
        )
    return len(report.imported)
