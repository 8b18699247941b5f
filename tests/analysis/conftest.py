"""Reference data written by others lives in ../shared/refdata beside the repository; a fresh clone has none."""

from __future__ import annotations

from pathlib import Path

import pytest

PSYCHOMETRIC = Path(__file__).resolve().parents[2].parent / "shared" / "refdata" / "psychometric"


@pytest.fixture
def refdata() -> Path:
    if not PSYCHOMETRIC.is_dir():
        pytest.skip(f"reference data absent: {PSYCHOMETRIC} (shared/refdata beside the repository) is not there")
    return PSYCHOMETRIC
