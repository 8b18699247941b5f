"""Restore drills on each engine: seed through the services, back up with the command, change and delete data,
restore, and find every table exactly as it was at backup time with the audit trail still verifying."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, text, update
from sqlmodel import col

from bench.seed import seed
from examengine import cli, migrate
from examengine.accounts.models import User
from examengine.context import Services
from examengine.db import Database
from examengine.delivery.models import AttemptSlot
from examengine.delivery.start import start_attempt
from examengine.models import metadata
from examengine.scoring import retake
from examengine.settings import Settings
from tests.conftest import ENGINES, fresh_database, run_async, save_answer
from tests.shown import shown_option


@pytest.fixture(params=ENGINES)
def drill_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own (a restore replaces all of it), migrated, and named in DATABASE_URL for the command."""
    monkeypatch.setenv("EXAMENGINE_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("EXAMENGINE_ARGON2_TIME_COST", "1")
    with fresh_database(request, request.param, "examengine_backup", tmp_path) as url:
        database = Database(url)
        migrate.upgrade(database.engine)
        database.dispose()
        monkeypatch.setenv("DATABASE_URL", url)
        yield url


def _seed_with_answers(services: Services) -> str:
    """Users, an approved bank, a published exam, a sitting, and one attempt holding saved answers."""
    seeded = seed(services.db, services.passwords, candidates=3, bank=100, time_limit_minutes=60)
    candidate = seeded.candidates[0]
    started = run_async(
        lambda: start_attempt(
            services.db, sitting_id=seeded.sitting_id, user_id=candidate.user_id, eligible=retake.eligibility
        )
    )
    attempt_id = started.view.attempt_id
    for number, slot in enumerate((1, 2, 3)):
        save_answer(
            services.db,
            attempt_id=attempt_id,
            user_id=candidate.user_id,
            slot=slot,
            response=shown_option(services.db, attempt_id, slot, number),
            seq=1,
        )
    return attempt_id


def _contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            return {
                table.name: sorted(
                    (tuple(map(repr, row)) for row in connection.execute(table.select())),
                )
                for table in metadata.sorted_tables
            }
    finally:
        database.dispose()


def _command(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out + err


def test_restore_drill(drill_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    services = Services.build(Settings.from_env())
    _seed_with_answers(services)
    services.db.dispose()
    at_backup = _contents(drill_url)
    assert at_backup["attempt_slot"] and at_backup["app_user"] and at_backup["audit_record"]
    backup_file = tmp_path / "nightly.backup"

    status, said = _command("backup", str(backup_file), capsys=capsys)
    assert status == 0, said
    assert f"revision {migrate.head_revision()}" in said and "tables" in said

    changed = Database(drill_url)
    with changed.unit_of_work() as session:
        session.execute(delete(AttemptSlot).where(col(AttemptSlot.slot) == 2))
        session.execute(update(AttemptSlot).values(response="D"))
        session.execute(update(User).values(name="Someone Else"))
    changed.dispose()
    assert _contents(drill_url) != at_backup

    status, said = _command("restore", str(backup_file), capsys=capsys)
    assert status == 0, said
    assert _contents(drill_url) == at_backup
    kept = tmp_path / "nightly.backup.before-restore"
    assert kept.is_file() and str(kept) in said

    status, said = _command("audit", "verify", capsys=capsys)
    assert (status, said[:3]) == (0, "OK:"), said


def test_backup_never_overwrites_and_restore_refuses_a_non_backup(
    drill_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken.backup"
    taken.write_bytes(b"an older backup")
    status, said = _command("backup", str(taken), capsys=capsys)
    assert status == 2 and "already exists" in said
    assert taken.read_bytes() == b"an older backup"

    status, said = _command("restore", str(taken), capsys=capsys)
    assert status == 2 and "examengine:" in said
    assert not (tmp_path / "taken.backup.before-restore").exists()
    status, said = _command("restore", str(tmp_path / "missing.backup"), capsys=capsys)
    assert (status, "no backup file" in said) == (2, True)


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    database.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_sqlite_backup_while_another_connection_writes(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = Database(sqlite_url)
    with writer.engine.begin() as connection:
        connection.execute(text("CREATE TABLE drill_writes (n INTEGER PRIMARY KEY)"))
    stop = threading.Event()
    written = 0

    def keep_writing() -> None:
        nonlocal written
        while not stop.is_set():
            with writer.engine.begin() as connection:
                connection.execute(text("INSERT INTO drill_writes (n) VALUES (:n)"), {"n": written})
            written += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        while written < 20:
            stop.wait(0.01)
        backups = [tmp_path / f"live-{n}.backup" for n in range(3)]
        outcomes = [_command("backup", str(path), capsys=capsys) for path in backups]
    finally:
        stop.set()
        thread.join()
        writer.dispose()
    assert [status for status, _said in outcomes] == [0, 0, 0], outcomes
    counts = []
    for path in backups:
        copy = sqlite3.connect(path)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            rows = [row[0] for row in copy.execute("SELECT n FROM drill_writes ORDER BY n")]
        finally:
            copy.close()
        assert rows == list(range(len(rows)))  # a snapshot: every write up to a moment, none after it
        counts.append(len(rows))
    assert 20 <= counts[0] <= counts[1] <= counts[2] <= written


def test_sqlite_restore_refuses_while_the_database_is_open(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup_file = tmp_path / "before.backup"
    assert _command("backup", str(backup_file), capsys=capsys)[0] == 0
    server = Database(sqlite_url)
    with server.engine.connect() as idle:  # a server's pooled connection, doing nothing
        idle.execute(text("SELECT 1")).all()
        status, said = _command("restore", str(backup_file), capsys=capsys)
    server.dispose()
    assert status == 2 and "in use" in said and "stop the server" in said
    assert not (tmp_path / "before.backup.before-restore").exists()
    assert _command("restore", str(backup_file), capsys=capsys)[0] == 0
