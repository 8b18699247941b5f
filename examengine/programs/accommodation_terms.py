"""What an accommodation request asks for and what a reviewer grants: extra time as a multiplier of the time limit
and/or extra minutes, and other needs in words. Pure checks, shared by the request, the decision and both doors.

The limits are the enrolment's own (exams.sittings accepts a multiplier from 1.0 to 4.0 and 0 to 600 extra minutes),
so whatever is granted can be enrolled as it stands. A grant is never more than the request, field by field: a
multiplier no larger, no more minutes, and other needs only when other needs were asked for (their wording is the
reviewer's: a person judges whether "a reader" is less than "a reader and a scribe").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from examengine.errors import InvalidInput

MIN_MULTIPLIER = 1.0
MAX_MULTIPLIER = 4.0
MAX_EXTRA_MINUTES = 600
MAX_OTHER = 1000
MAX_STATEMENT = 4000


@dataclass(frozen=True)
class Terms:
    time_multiplier: float | None = None
    extra_minutes: int | None = None
    other: str | None = None

    @property
    def multiplier(self) -> float:
        return self.time_multiplier or 1.0

    @property
    def minutes(self) -> int:
        return self.extra_minutes or 0

    def stored(self) -> dict[str, Any]:
        """The JSON kept on the request: only what is asked or granted."""
        found: dict[str, Any] = {}
        if self.multiplier > 1.0:
            found["time_multiplier"] = self.multiplier
        if self.minutes:
            found["extra_minutes"] = self.minutes
        if self.other:
            found["other"] = self.other
        return found

    @property
    def time_words(self) -> str:
        """The extra time in words ("1.5 times the time limit, 20 extra minutes"), or "" without extra time."""
        parts = []
        if self.multiplier > 1.0:
            parts.append(f"{self.multiplier:g} times the time limit")
        if self.minutes:
            parts.append(f"{self.minutes} extra minutes")
        return ", ".join(parts)


def from_stored(stored: dict[str, Any] | None) -> Terms:
    stored = stored or {}
    multiplier = stored.get("time_multiplier")
    minutes = stored.get("extra_minutes")
    return Terms(
        None if multiplier is None else float(multiplier),
        None if minutes is None else int(minutes),
        stored.get("other"),
    )


def checked(terms: Terms, *, field: str) -> Terms:
    """The terms with the text trimmed; InvalidInput naming the field (`details.field`, e.g. requested.extra_minutes)
    when a value is out of range or nothing at all is asked for."""
    multiplier = terms.time_multiplier
    if multiplier is not None and not (math.isfinite(multiplier) and MIN_MULTIPLIER <= multiplier <= MAX_MULTIPLIER):
        raise InvalidInput(
            f"The time multiplier must be between {MIN_MULTIPLIER:g} and {MAX_MULTIPLIER:g} (1.5 is half as much "
            "time again).",
            code="invalid_time_multiplier",
            details={"field": f"{field}.time_multiplier"},
        )
    minutes = terms.extra_minutes
    if minutes is not None and not 0 <= minutes <= MAX_EXTRA_MINUTES:
        raise InvalidInput(
            f"Extra minutes must be a whole number from 0 to {MAX_EXTRA_MINUTES}.",
            code="invalid_extra_minutes",
            details={"field": f"{field}.extra_minutes"},
        )
    other = (terms.other or "").strip() or None
    if other is not None and len(other) > MAX_OTHER:
        raise InvalidInput(
            f"Describe other needs in at most {MAX_OTHER:,} characters (this has {len(other):,}).",
            code="other_too_long",
            details={"field": f"{field}.other"},
        )
    found = Terms(multiplier, minutes, other)
    if not found.stored():
        raise InvalidInput(
            "Ask for at least one accommodation: a time multiplier above 1, extra minutes, or other needs.",
            code="accommodation_empty",
            details={"field": field},
        )
    return found


def check_statement(statement: str | None) -> str:
    text = (statement or "").strip()
    if not text:
        raise InvalidInput(
            "Say why you need these accommodations: the statement is required.",
            code="statement_required",
            details={"field": "statement"},
        )
    if len(text) > MAX_STATEMENT:
        raise InvalidInput(
            f"The statement may be at most {MAX_STATEMENT:,} characters (this has {len(text):,}).",
            code="statement_too_long",
            details={"field": "statement"},
        )
    return text


def check_within(granted: Terms, requested: Terms) -> None:
    """InvalidInput (`more_than_requested`) when the grant gives more of anything than was asked for."""
    more = []
    if granted.multiplier > requested.multiplier:
        more.append(f"a time multiplier of {granted.multiplier:g} (asked: {requested.multiplier:g})")
    if granted.minutes > requested.minutes:
        more.append(f"{granted.minutes} extra minutes (asked: {requested.minutes})")
    if granted.other and not requested.other:
        more.append("other needs (none were asked for)")
    if more:
        raise InvalidInput(
            f"An approval may grant less than was asked, never more: {'; '.join(more)}.",
            code="more_than_requested",
            details={"field": "approved"},
        )
