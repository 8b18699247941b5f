"""ISO 8601 durations as the credential-program contract writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from examengine.errors import InvalidInput
from examengine.programs import durations

GRANTED = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P3Y", datetime(2027, 2, 28, 12, 0, tzinfo=UTC)),  # no 29 Feb in 2027: the month's last day
        ("P4Y", datetime(2028, 2, 29, 12, 0, tzinfo=UTC)),
        ("P1M", datetime(2024, 3, 29, 12, 0, tzinfo=UTC)),
        ("P1Y6M", datetime(2025, 8, 29, 12, 0, tzinfo=UTC)),
        ("P90D", datetime(2024, 5, 29, 12, 0, tzinfo=UTC)),
        ("P2W", datetime(2024, 3, 14, 12, 0, tzinfo=UTC)),
        ("PT30S", datetime(2024, 2, 29, 12, 0, 30, tzinfo=UTC)),
        ("PT1H30M", datetime(2024, 2, 29, 13, 30, tzinfo=UTC)),
        ("PT0.5S", datetime(2024, 2, 29, 12, 0, 0, 500000, tzinfo=UTC)),
        ("p1d", datetime(2024, 3, 1, 12, 0, tzinfo=UTC)),
    ],
)
def test_a_duration_after_a_moment(text: str, expected: datetime) -> None:
    assert durations.after(GRANTED, text) == expected


def test_before_undoes_after_for_exact_units() -> None:
    duration = durations.parse("P1DT2H")
    assert duration.before(duration.after(GRANTED)) == GRANTED


@pytest.mark.parametrize("text", ["", "P", "PT", "3Y", "P-1D", "P1.5Y", "P1H", "PT1D", "P1Y2", "one year"])
def test_what_is_not_a_duration_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        durations.parse(text)
    assert refused.value.code == "invalid_duration"
    assert "P3Y" in refused.value.message
