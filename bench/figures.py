"""What every benchmark reports with: latency percentiles, and progress lines on stderr."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def percentile(ordered: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) of sorted values, interpolating between the closest ranks."""
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "p50_ms": round(percentile(ordered, 50), 2),
        "p95_ms": round(percentile(ordered, 95), 2),
        "p99_ms": round(percentile(ordered, 99), 2),
        "max_ms": round(ordered[-1], 2) if ordered else math.nan,
        "mean_ms": round(sum(ordered) / len(ordered), 2) if ordered else math.nan,
    }
