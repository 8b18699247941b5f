"""The side-by-side benchmark runs on both engines at a tiny size, through `examengine bench` as the issue names
it: every figure is there (answers per second and server CPU per request for the engine and each baseline, the
ratios, the starts) and every acknowledged save is stored. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ENGINES, REPO_ROOT, fresh_database

TINY = ["--candidates", "12", "--seconds", "0.5", "--rounds", "2", "--connections", "4", "--json"]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_side_by_side_benchmark_runs(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> None:
    with fresh_database(request, engine, "examengine_side_bench", tmp_path) as url:
        result = subprocess.run(
            [sys.executable, "-m", "examengine.cli", "bench", "side", *TINY, "--database-url", url],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "EXAMENGINE_ARGON2_MEMORY_KIB": "1024", "EXAMENGINE_ARGON2_TIME_COST": "1"},
            timeout=600,
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout)
    engine_figures, bare = figures["engine"], figures["baseline"]
    for loop in (engine_figures["save"], engine_figures["item_page"], bare["save"], bare["page"]):
        assert loop["errors"] == 0 and loop["answered_per_s"] > 0 and loop["server_cpu_ms_per_request"] > 0
        assert len(loop["rounds"]) == 2
    assert set(figures["ratios"]) == {"saves_answered", "server_cpu_per_save", "pages_answered", "server_cpu_per_page"}
    assert all(value > 0 for value in figures["ratios"].values())
    starts = engine_figures["starts"]
    assert starts["started"] == 12 and starts["errors"] == 0 and starts["server_cpu_ms_per_start_and_first_item"] > 0
    assert figures["integrity"]["lost_saves"] == 0 and figures["integrity"]["acknowledged_saves"] > 0
    assert "| durable save |" in result.stderr and "CPU/request" in result.stderr


def test_examengine_bench_hands_over_to_the_checkout_s_benchmarks() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "examengine.cli", "bench", "side", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0 and shown.stdout.startswith("usage: python -m bench side"), shown.stderr
