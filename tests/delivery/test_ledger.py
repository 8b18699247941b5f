"""The time ledger as a table: the exam's clock, timed sections opening one after another, pauses, extensions and
the sitting's close, each deadline computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from examengine.delivery import ledger
from examengine.delivery.ledger import TimeLedger

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CLOSES = T0 + timedelta(hours=8)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def make(**changes: object) -> TimeLedger:
    base: dict[str, object] = {
        "started_at": T0,
        "allowed_seconds": 3600,
        "extension_seconds": 0,
        "credited_seconds": 0,
        "paused_seconds": 0,
        "paused_at": None,
        "window_closes_at": CLOSES,
    }
    return TimeLedger(**{**base, **changes})  # type: ignore[arg-type]


def test_section_allowances_share_extra_minutes_in_proportion_to_the_limits() -> None:
    assert ledger.section_allowances([None, None], 1.0, 10) is None
    assert ledger.section_allowances([20, 40], 1.0, 0) == (1200, 2400)
    assert ledger.section_allowances([20, 40], 1.5, 0) == (1800, 3600)
    assert ledger.section_allowances([20, 40], 1.0, 15) == (1200 + 300, 2400 + 600)
    assert ledger.section_allowances([30, None, 30], 1.25, 10) == (2250 + 300, None, 2250 + 300)


TWO_SECTIONS = (1200, 1800)  # 20 and 30 minutes, inside a 60-minute exam


@pytest.mark.parametrize(
    ("changes", "now", "section", "deadline", "final"),
    [
        # untimed sections: the exam's clock alone
        ({}, 10, None, 60, True),
        # the first section's clock, then the second opens at the first's deadline, before any write
        ({"section_allowed": TWO_SECTIONS}, 0, 0, 20, False),
        ({"section_allowed": TWO_SECTIONS}, 19.99, 0, 20, False),
        ({"section_allowed": TWO_SECTIONS}, 20, 1, 50, True),
        ({"section_allowed": TWO_SECTIONS}, 55, 1, 50, True),
        # finished early at minute 5: the second section runs 30 minutes from then
        ({"section_allowed": TWO_SECTIONS, "section": 1, "section_started_at": at(5)}, 6, 1, 35, True),
        # the exam's limit caps a long last section
        ({"section_allowed": (1200, 3000)}, 30, 1, 60, True),
        # the exam's limit ends a first section that is longer than the exam
        ({"section_allowed": (4000, 600)}, 10, 0, 60, True),
        # a 10-minute pause in the first section moves both clocks
        ({"section_allowed": TWO_SECTIONS, "paused_seconds": 600}, 25, 0, 30, False),
        ({"section_allowed": TWO_SECTIONS, "paused_seconds": 600}, 30, 1, 60, True),
        # an open pause stops the clock: it never runs out while paused
        ({"section_allowed": TWO_SECTIONS, "paused_at": at(15)}, 45, 0, 50, False),
        # a proctor extension given in the second section lengthens it (offset: nothing added before it opened)
        (
            {"section_allowed": TWO_SECTIONS, "section": 1, "section_started_at": at(20), "extension_seconds": 300},
            30,
            1,
            55,
            True,
        ),
        # an extension given in the first section stays with it: the second opened with it already counted
        (
            {
                "section_allowed": TWO_SECTIONS,
                "section": 1,
                "section_started_at": at(25),
                "extension_seconds": 300,
                "section_offset_seconds": 300,
            },
            30,
            1,
            55,
            True,
        ),
        # a section without its own limit stays open until the candidate finishes it
        ({"section_allowed": (None, 600)}, 45, 0, 60, True),
        # untimed exam with timed sections: the sitting's close is the exam's deadline
        ({"allowed_seconds": None, "section_allowed": TWO_SECTIONS}, 30, 1, 50, True),
        # the sitting's close caps every clock
        ({"section_allowed": TWO_SECTIONS, "window_closes_at": at(10)}, 5, 0, 10, True),
    ],
)
def test_the_open_clock(
    changes: dict[str, object], now: float, section: int | None, deadline: float, final: bool
) -> None:
    the_ledger = make(**changes)
    clock = ledger.open_section(the_ledger, at(now))
    assert (None if clock is None else clock.index) == section
    assert ledger.deadline(the_ledger, at(now)) == at(deadline)
    assert ledger.is_final_clock(the_ledger, at(now)) is final
    assert ledger.remaining_seconds(the_ledger, at(now)) == max(0, int((at(deadline) - at(now)).total_seconds()))


def test_before_the_start_there_is_no_clock() -> None:
    waiting = make(started_at=None, section_allowed=TWO_SECTIONS)
    assert ledger.deadline(waiting, T0) is None and ledger.open_section(waiting, T0) is None
    assert ledger.remaining_seconds(waiting, T0) is None


def test_warnings_are_shares_of_the_open_clock() -> None:
    assert ledger.budget_seconds(make(extension_seconds=120), at(1)) == 3720
    assert ledger.budget_seconds(make(section_allowed=TWO_SECTIONS), at(1)) == 1200
    assert ledger.budget_seconds(make(section_allowed=TWO_SECTIONS), at(21)) == 1800
    assert ledger.budget_seconds(make(allowed_seconds=None), at(1)) is None
