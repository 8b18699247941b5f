"""The load benchmark runs end to end at a tiny size on each engine and reports every phase, baseline and ratio,
with every acknowledged save found in the database (no timing thresholds here: the machine is shared)."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import cli, report
from bench.options import build_parser, check_arguments
from tests.conftest import ENGINES, fresh_database

CANDIDATES = 12
TINY = [
    "load",
    "--candidates",
    str(CANDIDATES),
    "--burst",
    "8",
    "--logins",
    "4",
    "--duration",
    "3",
    "--think",
    "1",
    "--bank",
    "100",
    "--step-seconds",
    "0.3",
    "--step-requests",
    "15",
    "--max-rate",
    "100",
    "--submit-rate",
    "50",
    "--live-seconds",
    "3",
    "--stored-responses",
    "400",
    "--json",
]


@pytest.fixture(params=ENGINES)
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # Cheap argon2 for the run; the server process inherits it, and the raw baseline uses the same.
    monkeypatch.setenv("EXAMENGINE_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("EXAMENGINE_ARGON2_TIME_COST", "1")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the servers' logs
    with fresh_database(request, request.param, "examengine_bench", tmp_path) as url:
        yield url


def _phase_ok(phase: dict[str, Any]) -> None:
    assert phase["requests"] == phase["ok"] > 0
    assert phase["errors"] == 0, phase["error_kinds"]
    assert 0 < phase["p50_ms"] <= phase["p95_ms"] <= phase["p99_ms"] <= phase["max_ms"]
    assert phase["requests_per_s"] > 0
    assert phase["server_peak_rss_mib"] > 10


@pytest.mark.slow
def test_bench_reports_every_phase_baseline_and_ratio(
    scratch_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "bench.json"

    assert cli.main([*TINY, "--database-url", scratch_url, "--output", str(output)]) == 0

    captured = capsys.readouterr()
    figures = json.loads(captured.out)
    assert figures == json.loads(output.read_text())
    assert set(figures["phases"]) == set(report.PHASE_LABELS)
    assert figures["setup"]["stored_responses"] == 400 and figures["setup"]["form_items"] == 20
    for phase in figures["phases"].values():
        _phase_ok(phase)
    phases = figures["phases"]
    assert phases["login"]["requests"] == 4
    assert phases["start_burst"]["requests"] == phases["first_item_burst"]["requests"] == 8
    assert phases["start_rest"]["requests"] == phases["first_item_rest"]["requests"] == CANDIDATES - 8
    assert phases["submit"]["requests"] == CANDIDATES
    assert phases["open_page"]["requests"] == CANDIDATES  # every browser opened its exam page once, after Start
    saves = phases["save"]  # latency by window of intended send time, and the server's CPU by process
    assert sum(window["n"] for window in saves["timeline"]) == saves["ok"]
    assert [window["from_s"] for window in saves["timeline"]] == sorted({w["from_s"] for w in saves["timeline"]})
    assert sum(saves["server_cpu_cores_by_process"]) == pytest.approx(saves["server_cpu_cores"], abs=0.02)
    # a save per candidate per think time (±50%) for 3 s: about 36 offered
    assert 15 <= phases["save"]["requests"] <= 70

    # every started page polls its live channel every 3 s for 3 s: one poll each
    assert phases["live_poll"]["requests"] == CANDIDATES
    for name in ("app_save", "app_page", "app_live", "baseline_save", "baseline_page", "baseline_live"):
        sweep = figures["capacity"][name]
        assert [s["offered_per_s"] for s in sweep["steps"]][:1] == [25]
        assert max(s["offered_per_s"] for s in sweep["steps"]) <= 100
        assert all(step["requests"] >= 15 for step in sweep["steps"])
        assert sweep["rate_per_s"] in {0} | {s["offered_per_s"] for s in sweep["steps"] if s["passed"]}
        assert sweep["peak_ok_per_s"] == max(s["ok_per_s"] for s in sweep["steps"]) > 0
    baselines = figures["baselines"]
    assert baselines["argon2_verify_per_s"] > 0 and baselines["argon2"]["memory_kib"] == 1024
    assert baselines["page_bytes"] > 1000
    for name, value in figures["ratios"].items():  # 0 when the engine missed p99 even at the lowest rate
        assert math.isnan(value) or value >= 0, name
    assert figures["ratios"]["login"] == pytest.approx(
        phases["login"]["requests_per_s"] / baselines["argon2_verify_per_s"], abs=0.001
    )

    integrity = figures["integrity"]
    sweep_saves = sum(step["ok"] for step in figures["capacity"]["app_save"]["steps"])
    assert integrity["acknowledged_saves"] >= phases["save"]["ok"] + sweep_saves  # plus the sweep's warm-up
    assert integrity["lost_saves"] == 0 and integrity["corrupted_saves"] == 0
    assert integrity["attempts"] == {"submitted": CANDIDATES}, integrity
    assert integrity["finish_events"] == integrity["results"] == CANDIDATES, integrity
    assert set(figures["ratios"]) == {"save", "render", "save_peak", "render_peak", "live", "live_peak", "login"}
    live = figures["live_channel"]
    assert live["this_run"]["open_pages"] == CANDIDATES and live["this_run"]["errors"] == 0
    assert live["this_run"]["server_cpu_ms_per_poll"] >= 0
    assert all(value >= 0 for value in live["server_cpu_ms"].values()), live
    scale = live["at_scale"]
    assert (scale["open_pages"], scale["polls_per_s"]) == (10_000, pytest.approx(3333.3))
    assert scale["server_cores"] == pytest.approx(live["server_cpu_ms"]["poll"] * 10_000 / 3 / 1000, abs=0.01)
    assert scale["machine_share"] == pytest.approx(scale["server_cores"] / figures["machine"]["cpus"], abs=0.01)
    streams = live["streams"]  # every open page holds its stream; a proctor's messages reach theirs
    assert streams["streams"] == CANDIDATES and streams["refused"] == {} and streams["dropped"] == 0, streams
    assert streams["delivery_ms"]["n"] == streams["active"]["actions"] > 0 and streams["not_delivered"] == 0, streams
    assert 0 < streams["delivery_ms"]["p50_ms"] <= streams["delivery_ms"]["p99_ms"] < 5_000, streams
    for window in (streams["quiet"], streams["active"]):
        assert window["server_cpu_ms_per_page_per_s"] >= 0
        assert window["one_core_share_at_10000_pages"] == pytest.approx(
            window["server_cpu_ms_per_page_per_s"] * 10, abs=0.001
        )
    assert streams["rss_mib"]["with_streams"] > 10
    assert set(figures["targets"]) >= {"save_p99_ms", "lost_saves", "save_ratio", "login_ratio", "server_peak_rss_mib"}
    assert figures["targets"]["lost_saves"]["met"] is True

    table = captured.err
    labels = ["save, p99 <= 50 ms", "save, most answered", "live poll vs bare read, most", "login vs raw argon2"]
    for label in [*report.PHASE_LABELS.values(), *labels, "at 10,000 open pages: 3,333.3 polls/s need"]:
        assert label in table
    assert "0 lost" in table
    assert "live stream (GET /candidate/attempts/{id}/events, held by every open page): 12 streams" in table
    assert all(Path(log).parent == tmp_path for log in figures["server"]["logs"].values())


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--candidates", "0", "--candidates must be at least 1"),
        ("--workers", "0", "--workers must be at least 1"),
        ("--think", "0", "--think must be more than 0"),
        ("--duration", "-1", "--duration must be more than 0"),
        ("--live-seconds", "0", "--live-seconds must be more than 0"),
        ("--step-requests", "0", "--step-requests must be at least 1"),
        ("--stored-responses", "-1", "--stored-responses must be 0 or more"),
        ("--database-url", "nonsense", "--database-url 'nonsense' is not a database URL"),
        ("--database-url", "sqlite://", "--database-url: the server processes need a SQLite file"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(option: str, value: str, message: str) -> None:
    assert (check_arguments(build_parser().parse_args([option, value])) or "").startswith(message)


def test_defaults_run_the_documented_scale() -> None:
    args = build_parser().parse_args([])
    assert (args.candidates, args.duration, args.think, args.workers, args.burst) == (2000, 60, 20, 1, 1000)
    assert check_arguments(args) is None
