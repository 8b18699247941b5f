"""Tests answer in authored identifiers ("A", "L1 R2"); a candidate answers in the identifiers their attempt shows.

`as_shown` turns the one into the other through the attempt's own presentation, as only the server can.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from examengine.db import Database
from examengine.delivery.models import Attempt
from examengine.delivery.presented import slot_presentation
from itembank.presentation import presented_response


def as_shown(db: Database, attempt_id: str, slot: int, response: Any) -> Any:
    """`response` (authored identifiers) in the identifiers attempt `attempt_id` (or its API URL) shows for `slot`."""
    attempt_id = attempt_id.rstrip("/").rsplit("/", 1)[-1]

    def read(*, session: Session) -> Any:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None, attempt_id
        return presented_response(slot_presentation(session, attempt, slot), response)

    return db.call(read, write=False)


def shown_option(db: Database, attempt_id: str, slot: int, n: int = 0) -> Any:
    """The n-th option (in authored order) of the slot's item as the attempt shows it; a text item takes "A"."""

    def read(*, session: Session) -> Any:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None, attempt_id
        shown = slot_presentation(session, attempt, slot)
        one = shown.interactions.get(shown.single or "")
        if one is None or not one.choices:
            return "A"
        authored = sorted(one.choices)[n % len(one.choices)]
        return one.choice_ids[authored]

    return db.call(read, write=False)
