"""Demo data for a newcomer: one account per role, three candidates. Loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from examengine.accounts import service
from examengine.accounts.models import Role
from examengine.accounts.passwords import Passwords

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


def load(*, session: Session, passwords: Passwords) -> list[DemoUser]:
    """Create the demo users that do not exist yet; returns the ones created."""
    created = []
    password_hash = passwords.hash(DEMO_PASSWORD)
    for user in DEMO_USERS:
        if service.email_taken(session, user.email):
            continue
        service.create_user(
            session=session, email=user.email, name=user.name, roles=user.roles, password_hash=password_hash
        )
        created.append(user)
    return created
