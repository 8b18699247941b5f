"""The code base stays lint-clean: ruff's rules from pyproject.toml over everything that is committed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    packages = [name for name in ("examengine", "itembank", "bench", "tests") if (REPO_ROOT / name).is_dir()]
    result = subprocess.run([ruff, "check", "--no-cache", *packages], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
