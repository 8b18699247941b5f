"""Demo data for a newcomer: one account per role, three candidates. Loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
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
from examengine.exams.seats import SeatTerms
from examengine.programs import scheme_rules, schemes
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
    DemoUser("candidate4@example.org", "Cleo Candidate", (Role.CANDIDATE,)),  # enrolled nowhere: walks the program
    DemoUser("reviewer@example.org", "Rae Reviewer", (Role.ELIGIBILITY_REVIEWER, Role.APPEALS_REVIEWER)),
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
        _load_scheme(session)
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


# programs: schemes. A certification wired to an exam of its own (SAFE-101 stays outside every scheme, so the demo
# sitting needs no authorization to test).
DEMO_SCHEME_EXAM = DEMO_EXAM | {"code": "CSP-201", "title": "Certified Safety Professional exam"}
DEMO_HANDBOOK = """Certified Safety Professional: candidate handbook

Eligibility: apply under one pathway and prove each of its requirements.
Testing: an approval lets you test within 180 days, twice at most.
Renewal: earn 60 continuing-education credits (3 in ethics) every three years, or pass the exam again.
Appeals: you may appeal a decision within 30 days."""
ETHICS = scheme_rules.Requirement("ETHICS", "I follow the code of professional conduct", "attestation")
DEMO_SCHEME = scheme_rules.SchemeInput(
    code="CSP",
    title="Certified Safety Professional",
    kind="certification",
    designation="CSP",
    handbook=scheme_rules.Handbook("2026.1", DEMO_HANDBOOK),
    pathways=(
        scheme_rules.Pathway(
            "EXP", "Experience", (scheme_rules.Requirement("WORK", "Two years of safety practice", "file"), ETHICS)
        ),
        scheme_rules.Pathway(
            "DEG", "Degree", (scheme_rules.Requirement("DIPLOMA", "A degree in safety", "file"), ETHICS)
        ),
    ),
    authorization_period="P180D",
    attempts_per_authorization=2,
    cycle="P3Y",
    grace_period="P90D",
    reinstatement_period="P1Y",
    recertification=scheme_rules.Recertification(by_exam=True, ce_credits=60, ce_categories={"ethics": 3}),
    appeal_period="P30D",
)


def _load_scheme(session: Session) -> None:
    admin = service.find_user_id_by_email(session=session, email="admin@example.org")
    exam = exams.create_exam(session=session, definition=exams.parse_definition(DEMO_SCHEME_EXAM), actor_id=admin)
    exams.publish(session=session, exam_id=exam.exam_id, actor_id=admin)
    scheme = replace(DEMO_SCHEME, exam_ids=(exam.exam_id,))
    now = utcnow()
    schemes.create_scheme(session=session, scheme=scheme, actor_id=admin, now=now)
    # A sitting to book once authorized: open for a week, seats bookable and cancellable until a day before it closes.
    last_day = now + timedelta(days=6)
    sittings.create_sitting(
        session=session,
        exam_id=exam.exam_id,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=7),
        proctor_ids=[],
        candidates=[],
        actor_id=admin,
        title="CSP-201 bookable sitting",
        capacity=20,
        seats=SeatTerms(bookable=True, booking_closes_at=last_day, cancel_closes_at=last_day),
    )
