"""The candidate's hot reads and the start write plain statements instead of the ORM (delivery.attempt_facts,
delivery.start_facts): what they read and return must be exactly what the ORM entity says, on both engines."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.caches import ProcessCaches
from examengine.clock import utcnow
from examengine.db import Database, caches_of
from examengine.delivery import attempt_view, attempts, presented, start
from examengine.delivery.attempt_facts import FIXED, AttemptFacts, with_slot, with_slots
from examengine.delivery.models import Attempt
from examengine.errors import NotFound
from examengine.programs.admission import eligibility
from tests.conftest import run_async


def started(db: Database, people: dict[str, Any]) -> start.StartOutcome:
    user_id = people["users"]["cara"].id
    sitting_id = people["sittings"][0]
    return run_async(lambda: start.start_attempt(db, sitting_id=sitting_id, user_id=user_id, eligible=eligibility))


def test_a_start_returns_the_view_read_back_from_the_database(
    app_client: TestClient, two_sittings: dict[str, Any], db: Database
) -> None:
    outcome = started(db, two_sittings)
    assert outcome.created

    def read_back(*, session: Session) -> attempt_view.AttemptView:
        return attempt_view.view(session, attempts.load(session, outcome.view.attempt_id), utcnow())

    stored = db.call(read_back, write=False)
    timeless = ("remaining_seconds", "time_budget_seconds")  # counted down from each view's own moment
    assert {k: v for k, v in dataclasses.asdict(outcome.view).items() if k not in timeless} == {
        k: v for k, v in dataclasses.asdict(stored).items() if k not in timeless
    }
    assert abs((outcome.view.remaining_seconds or 0) - (stored.remaining_seconds or 0)) <= 2
    again = started(db, two_sittings)
    assert not again.created and again.view.attempt_id == outcome.view.attempt_id


def test_the_facts_read_in_one_statement_are_the_stored_attempts_columns(
    app_client: TestClient, two_sittings: dict[str, Any], db: Database
) -> None:
    attempt_id = started(db, two_sittings).view.attempt_id
    user_id = two_sittings["users"]["cara"].id
    now = utcnow()
    changed = {  # every column a fresh attempt leaves at its default, given a value of its own
        "extension_seconds": 120,
        "credited_seconds": 30,
        "paused_seconds": 45,
        "paused_at": now - timedelta(seconds=5),
        "section_opened_at": now - timedelta(seconds=50),
        "section_offset_seconds": 7,
        "holder_session": "h" * 64,
    }

    def change(*, session: Session) -> None:
        session.execute(update(Attempt).where(col(Attempt.id) == attempt_id).values(**changed))

    db.call(change)

    def both(*, session: Session) -> tuple[AttemptFacts, Any, Attempt]:
        facts, row = with_slot(session.connection(), ProcessCaches(), attempt_id, user_id, 2)
        return facts, row, attempts.load(session, attempt_id)

    facts, row, entity = db.call(both, write=False)
    for field in dataclasses.fields(AttemptFacts):
        assert getattr(facts, field.name) == getattr(entity, field.name), field.name
    assert row.slot == 2 and row.item_id == entity.form.slots[2].item_id and row.seq == 0 and row.response is None


def test_another_users_attempt_is_not_found_and_a_missing_slot_has_no_row(
    app_client: TestClient, two_sittings: dict[str, Any], db: Database
) -> None:
    attempt_id = started(db, two_sittings).view.attempt_id
    owner, stranger = two_sittings["users"]["cara"].id, two_sittings["users"]["admin"].id

    def read(*, session: Session) -> None:
        connection, caches = session.connection(), caches_of(session)
        _, missing = with_slot(connection, caches, attempt_id, owner, 99)
        assert missing is None
        for reading in (
            lambda: with_slot(connection, caches, attempt_id, stranger, 1),
            lambda: with_slots(connection, caches, attempt_id, stranger),
            lambda: with_slot(connection, caches, "x" * 40, owner, 1),
            lambda: with_slots(connection, caches, "0" * 32, owner),
        ):
            with pytest.raises(NotFound) as refused:
                reading()
            assert refused.value.code == "attempt_not_found"
        facts, slots = with_slots(connection, caches, attempt_id, owner)
        assert list(slots) == sorted(facts.form.slots) and facts.user_id == owner

    db.call(read, write=False)


def test_a_slot_is_presented_from_the_kept_facts_without_a_read_and_only_to_its_candidate(
    app_client: TestClient, two_sittings: dict[str, Any], db: Database
) -> None:
    """Past PRESENTATIONS' bound (10,000 candidates with 20 items each), the save still finds how the attempt
    presents a slot without reading: from the attempt's fixed facts and the item's parsed content."""
    attempt_id = started(db, two_sittings).view.attempt_id
    owner, stranger = two_sittings["users"]["cara"].id, two_sittings["users"]["admin"].id

    def loaded(*, session: Session) -> list[Any]:
        return [presented.load(session=session, attempt_id=attempt_id, user_id=owner, slot=n) for n in (1, 2, 3, 4)]

    read = db.call(loaded, write=False)  # parses the items; the start kept the attempt's fixed facts
    db.caches.of(presented.PRESENTATIONS).clear()
    made = [presented.cached(db.caches, attempt_id, owner, n) for n in (1, 2, 3, 4)]
    assert made == read and all(m is not None for m in made)
    assert presented.cached(db.caches, attempt_id, stranger, 2) is None
    assert presented.cached(db.caches, attempt_id, owner, 99) is None
    db.caches.of(FIXED).clear()
    db.caches.of(presented.PRESENTATIONS).clear()
    assert presented.cached(db.caches, attempt_id, owner, 2) is None  # read first: nothing kept to make it from
    with pytest.raises(NotFound):
        db.call(lambda *, session: presented.load(session=session, attempt_id=attempt_id, user_id=stranger, slot=2))
