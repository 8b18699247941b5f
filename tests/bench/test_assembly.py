"""The assembly benchmark times forms from its generated banks (no timing thresholds here: the machine is shared)."""

from __future__ import annotations

from bench.assembly import time_forms


def test_the_benchmark_runs() -> None:
    timings = time_forms((600, 6_000), 3)
    assert {name: (size, len(seconds)) for name, (size, seconds) in timings.items()} == {
        "600": (100, 3),
        "6,000": (1_000, 3),
        "6,000 / 100": (10, 3),
    }
