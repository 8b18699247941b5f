"""The scratch databases of a benchmark run: the engine's (a new SQLite file in a temporary directory unless a URL
is given, migrated) and the baseline's beside it, both gone when the run's ExitStack closes."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.baseline import drop_table
from examengine import migrate
from examengine.db import Database, is_sqlite


def database(stack: ExitStack, url: str, prefix: str) -> tuple[str, Database]:
    """The run's database (`url`, or a new SQLite file that lives as long as `stack`), migrated."""
    if not url:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix)))
        url = f"sqlite:///{directory / 'bench.db'}"
    db = Database(url)
    stack.callback(db.dispose)
    migrate.upgrade(db.engine)
    return url, db


def baseline_database(stack: ExitStack, url: str) -> str:
    """Where the baseline's table lives, dropped (and its SQLite file removed) when `stack` closes."""
    found = _baseline_url(url)
    stack.callback(_remove_baseline, found)
    return found


def _baseline_url(url: str) -> str:
    """The baseline's table lives beside the engine's: in the same PostgreSQL database, or in a SQLite file in the
    same directory (the same disk, so the same fsync)."""
    if not is_sqlite(url):
        return url
    engine_file = Path(make_url(url).database or "")
    return f"sqlite:///{engine_file.with_name(engine_file.stem + '-baseline.db')}"


def _remove_baseline(url: str) -> None:
    drop_table(url)
    if is_sqlite(url):
        for suffix in ("", "-wal", "-shm"):
            Path((make_url(url).database or "") + suffix).unlink(missing_ok=True)
