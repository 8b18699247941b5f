"""The dashboard benchmark runs end to end at a tiny size on each engine and prints p50/p95/p99 and the statements per
refresh (no timing thresholds here: the machine is shared)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import dashboard
from tests.conftest import ENGINES, fresh_database


@pytest.fixture(params=ENGINES)
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("EXAMENGINE_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("EXAMENGINE_ARGON2_TIME_COST", "1")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the server's log
    with fresh_database(request, request.param, "examengine_dashboard_bench", tmp_path) as url:
        yield url


@pytest.mark.slow
def test_the_benchmark_reports_latency_percentiles_and_statements(
    scratch_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny = ["--candidates", "4", "--refreshes", "5", "--proctors", "5", "--seconds", "2", "--json"]
    dashboard.main([*tiny, "--database-url", scratch_url])
    figures = json.loads(capsys.readouterr().out)
    assert figures["candidates"] == 4 and len(figures["load_average_before"]) == 3
    assert set(figures["in_process"]) == {"dashboard page", "rows fragment (htmx refresh)", "live rows API"}
    for row in figures["in_process"].values():
        assert row["n"] == 5 and 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert row["sql_per_request"] == 4  # the rows, and the session with its roles, sitting and proctor checks
        assert row["bytes"] > 1000 and row["cpu_ms_per_request"] > 0
    sequential, polling = figures["over_http"].values()
    assert sequential["n"] == 5 and polling["n"] == 2  # 5 proctors every 5 s for 2 s
    assert sequential["errors"] == polling["errors"] == {}
    assert sequential["p50_ms"] <= sequential["p99_ms"]


def test_the_table_names_every_figure() -> None:
    row = {"n": 5, "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "max_ms": 4.0}
    table = dashboard._table(
        {
            "candidates": 500,
            "refreshes": 5,
            "cpus": 2,
            "load_average_before": [1.0, 1.0, 1.0],
            "load_average_after": [2.0, 1.0, 1.0],
            "in_process": {
                "rows fragment (htmx refresh)": {
                    **row,
                    "cpu_ms_per_request": 9.5,
                    "sql_per_request": 5.0,
                    "transaction_control_per_request": 2.0,
                    "bytes": 2048,
                }
            },
            "over_http": {"one client, sequential": {**row, "errors": {}, "server_cpu_ms_per_request": 7.5}},
        }
    )
    for label in ("p50 ms", "p95 ms", "p99 ms", "CPU ms", "SQL", "load average [1.0, 1.0, 1.0]"):
        assert label in table
    fragment = next(line for line in table.splitlines() if "rows fragment" in line)
    assert fragment.split()[-8:] == ["1.0", "2.0", "3.0", "4.0", "9.5", "5.0", "2.0", "2"]
