"""Demo data for a newcomer: one account per role, three candidates. Loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from examengine.accounts import service
from examengine.accounts.models import Role
from examengine.accounts.passwords import Passwords
from itembank import service as items
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
    _load_items(session)
    return created


def _load_items(session: Session) -> int:
    if session.scalar(select(func.count()).select_from(Item)):
        return 0
    author = service.find_user_id_by_email(session=session, email="author@example.org")
    admin = service.find_user_id_by_email(session=session, email="admin@example.org")
    assert author and admin
    result = items.read_upload(DEMO_ITEMS.name, DEMO_ITEMS.read_bytes(), "native")
    report = items.import_items(session=session, result=result, actor_id=author)
    for ref in report.imported:
        items.transition(
            session=session,
            item_id=ref.item_id,
            version=1,
            to=ItemStatus.REVIEW,
            actor_id=author,
            comment="ready for review",
        )
        items.transition(
            session=session,
            item_id=ref.item_id,
            version=1,
            to=ItemStatus.APPROVED,
            actor_id=admin,
            comment="approved for the demo exam",
        )
    return len(report.imported)
