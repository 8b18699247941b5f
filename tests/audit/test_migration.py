"""Upgrading a database that already holds attempt events chains them, so verify holds from the first day."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlmodel import Session, col

from examengine import migrate
from examengine.accounts.service import UserView, create_user
from examengine.audit import chain
from examengine.context import Services
from examengine.db import Database
from examengine.delivery.models import AttemptEvent
from examengine.settings import Settings
from itembank import importing, workflow
from itembank.models import ItemStatus
from tests.audit.conftest import check
from tests.conftest import ENGINES, TEST_ARGON2, fresh_database
from tests.scoring.conftest import BANK, Program


@pytest.fixture(params=ENGINES)
def own_services(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    """A database of its own: this test takes the audit schema apart."""
    with fresh_database(request, request.param, "examengine_audit_upgrade", tmp_path) as url:
        database = Database(url)
        migrate.upgrade(database.engine)
        database.dispose()
        built = Services.build(replace(Settings(), database_url=url, argon2=TEST_ARGON2, scheduler="off"))
        yield built
        built.db.dispose()


def _program(services: Services) -> Program:
    def user(email: str, role: str) -> UserView:
        return services.db.call(create_user, email=email, name=email.split("@")[0], roles=[role])

    admin, author = user("admin@example.org", "admin"), user("author@example.org", "author")
    candidates = [user(f"cand{n}@example.org", "candidate") for n in range(2)]
    upload = importing.read_upload("bank.json", json.dumps({"items": BANK}).encode())
    report = services.db.call(importing.import_items, result=upload, actor_id=author.id)
    items = {spec["id"]: ref.item_id for spec, ref in zip(BANK, report.imported, strict=True)}
    for item_id in items.values():
        for to, actor in ((ItemStatus.REVIEW, author), (ItemStatus.APPROVED, admin)):
            services.db.call(workflow.transition, item_id=item_id, version=1, to=to, actor_id=actor.id)
    return Program(services, admin, candidates, items)


def test_existing_events_are_chained_by_the_upgrade(own_services: Services) -> None:
    program = _program(own_services)
    _, sitting_id = program.exam(essay=False)
    attempt_ids = [program.take(sitting_id, c, {"q1": "A"}, score=False) for c in program.candidates]
    engine = own_services.db.engine
    # Back to the schema 0008 starts from: attempt events without hash columns, no audit tables.
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_attempt_event_chain"))
        for table in ("audit_checkpoint", "audit_chain_head", "audit_record"):
            connection.execute(text(f"DROP TABLE {table}"))
        for column in ("hash", "prev_hash"):
            connection.execute(text(f"ALTER TABLE attempt_event DROP COLUMN {column}"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    migrate.upgrade(engine, "0008")
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": migrate.head_revision()})

    report = check(own_services)
    assert report.ok, report.problem
    assert report.attempts == 2 and report.events >= 4

    def first_prev_hashes(*, session: Session) -> list[str]:
        return [
            session.scalars(
                select(col(AttemptEvent.prev_hash))
                .where(col(AttemptEvent.attempt_id) == attempt_id)
                .order_by(col(AttemptEvent.id))
                .limit(1)
            ).one()
            for attempt_id in attempt_ids
        ]

    assert own_services.db.call(first_prev_hashes, write=False) == [chain.attempt_genesis(a) for a in attempt_ids]
