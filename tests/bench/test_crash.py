"""The crash-durability run at a tiny size on each engine: the server is SIGKILLed twice while candidates save, and
no acknowledged answer may be lost, duplicated or moved back."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import crash
from tests.conftest import ENGINES, fresh_database


@pytest.fixture(params=ENGINES)
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the servers' logs
    with fresh_database(request, request.param, "examengine_crash", tmp_path) as url:
        yield url


def test_no_acknowledged_save_is_lost_across_kills(scratch_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = crash.main(["--database-url", scratch_url, "--rounds", "2", "--candidates", "5", "--seed", "7", "--json"])
    figures = json.loads(capsys.readouterr().out)
    assert figures["problems"] == [] and status == 0
    assert (figures["kills"], figures["restarts"]) == (2, 2)
    assert figures["saves_acknowledged"] > 0 and figures["slots_checked"] > 0
    assert (figures["lost"], figures["corrupted"], figures["duplicates"]) == (0, 0, 0)
    assert figures["submitted_acknowledged"] >= 1 and figures["status_went_backwards"] == []
    assert figures["integrity_check"] == ("ok" if scratch_url.startswith("sqlite") else "n/a (PostgreSQL)")


def test_the_check_reports_a_lost_save() -> None:
    figures = {
        "lost": 1,
        "corrupted": 0,
        "duplicates": 0,
        "status_went_backwards": ["a1: submitted -> in_progress"],
        "integrity_check": "row 3 missing from index",
        "saves_acknowledged": 10,
    }
    assert crash.failures(figures) == [
        "1 lost",
        "status went backwards: a1: submitted -> in_progress",
        "integrity_check: row 3 missing from index",
    ]
