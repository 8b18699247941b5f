"""The start burst benchmark runs on both engines and its checks hold (no timing is asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ENGINES, REPO_ROOT, fresh_database


@pytest.mark.parametrize("engine", ENGINES)
def test_the_start_burst_benchmark_runs(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> None:
    with fresh_database(request, engine, "examengine_starts_bench", tmp_path) as url:
        command = ["-m", "bench", "starts", "--starts", "4", "--bank", "100", "--json", "--database-url", url]
        result = subprocess.run(
            [sys.executable, *command],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "EXAMENGINE_ARGON2_MEMORY_KIB": "1024", "EXAMENGINE_ARGON2_TIME_COST": "1"},
            timeout=300,
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert figures["pre-assembly job"]["forms"] == 4
    assert figures["assembly at start"]["n"] == figures["prepared forms"]["n"] == 4
    assert figures["checks"]["assembly at start"]["took_prepared_form"] == 0
    assert figures["checks"]["prepared forms"]["took_prepared_form"] == 4
    assert all(check["counters_equal_join"] for check in figures["checks"].values())
