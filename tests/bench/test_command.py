"""The smoke test of the one benchmark command, as a person runs it from a checkout: `python -m bench` names every
benchmark, each answers --help under its own name, and one runs at a tiny size and prints its figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cli import BENCHMARKS
from tests.conftest import REPO_ROOT


def _bench(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *arguments], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )


def test_the_command_lists_every_benchmark() -> None:
    result = _bench("--help")
    assert result.returncode == 0, result.stderr
    for name in ("side", "load", "assembly", "itembank", "dashboard", "starts", "crash"):
        assert re.search(rf"^\s+{name}\b", result.stdout, re.MULTILINE), f"{name} missing from:\n{result.stdout}"
    assert set(BENCHMARKS) == {"side", "load", "assembly", "itembank", "dashboard", "starts", "crash"}


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_each_benchmark_answers_help_under_the_command(name: str) -> None:
    result = _bench(name, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m bench {name} ")


def test_an_unknown_benchmark_is_refused_with_the_choices() -> None:
    result = _bench("nonsense")
    assert result.returncode == 2
    assert "invalid choice: 'nonsense'" in result.stderr and "'itembank'" in result.stderr


def test_a_tiny_run_prints_its_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'smoke.db'}"
    result = _bench("itembank", "--items", "20", "--bank", "60", "--searches", "5", "--database-url", url)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"^\s+total\s+[\d.]+\s+[\d,]+", result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^\s+ALL\s+5\s+[\d.]+", result.stdout, re.MULTILINE), result.stdout
    assert "Bank: 60 versions" in result.stdout


def test_the_benchmark_is_not_installed_with_the_product() -> None:
    import tomllib

    from setuptools import find_packages

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    shipped = {name.split(".")[0] for name in find_packages(where=str(REPO_ROOT), include=include)}
    assert shipped == {"examengine", "itembank"}
