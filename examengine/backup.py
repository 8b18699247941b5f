"""Backups and restores of the whole database: SQLite through its online backup API, PostgreSQL through pg_dump and
pg_restore. Each backup is verified as it is written and again before it replaces anything, and a restore keeps the
database it replaces next to the backup (`PATH.before-restore`), so a restore can itself be undone."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from examengine.db import is_sqlite

BEFORE_RESTORE = ".before-restore"


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    """What a backup holds, or what a restore put in place."""

    path: Path
    size_bytes: int
    tables: int
    revision: str

    def describe(self) -> str:
        return f"{self.path} ({self.size_bytes:,} bytes, {self.tables} tables, schema revision {self.revision})"


def backup(database_url: str, path: Path) -> Summary:
    """Write a consistent, verified copy of the database to `path` (which must not exist yet); safe while the server
    runs. Raises BackupError."""
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name (backups are never overwritten).")
    if not path.parent.is_dir():
        raise BackupError(f"the directory {path.parent} does not exist.")
    partial = path.with_name(path.name + ".partial")
    try:
        if is_sqlite(database_url):
            summary = _sqlite_backup(_sqlite_file(database_url), partial)
        else:
            summary = _pg_backup(make_url(database_url), partial)
        _fsync(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Summary(path, summary.size_bytes, summary.tables, summary.revision)


def restore(database_url: str, path: Path) -> tuple[Summary, Path]:
    """Replace the database with the backup at `path` after verifying it; returns what was restored and where the
    replaced database was kept. Refuses (BackupError) while a server uses a SQLite database."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}.")
    kept = _free_name(path.with_name(path.name + BEFORE_RESTORE))
    if is_sqlite(database_url):
        return _sqlite_restore(_sqlite_file(database_url), path, kept), kept
    return _pg_restore(make_url(database_url), path, kept), kept


def _free_name(wanted: Path) -> Path:
    """`wanted`, or `wanted.1`, `wanted.2`, ... : an earlier restore's safety copy is never overwritten."""
    candidate, number = wanted, 0
    while candidate.exists():
        number += 1
        candidate = wanted.with_name(f"{wanted.name}.{number}")
    return candidate


def _fsync(path: Path) -> None:
    with open(path, "rb") as written:
        os.fsync(written.fileno())


# SQLite


def _sqlite_file(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored.")
    return Path(name)


def _sqlite_facts(connection: sqlite3.Connection, path: Path) -> Summary:
    """Check the file's integrity and read its schema revision; raises BackupError naming the file."""
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        revisions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a usable examengine database: {error}.") from None
    if problems != ["ok"]:
        raise BackupError(f"{path} fails SQLite's integrity check: {'; '.join(problems[:5])}.")
    if len(revisions) != 1:
        raise BackupError(f"{path} has no schema revision (alembic_version); it is not an examengine database.")
    return Summary(path, path.stat().st_size, int(tables), str(revisions[0]))


def _sqlite_backup(source_path: Path, target: Path) -> Summary:
    if not source_path.is_file():
        raise BackupError(f"no database at {source_path}.")
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the copy is a snapshot of one read transaction, and in WAL mode writers go on meanwhile.
        source.backup(copy, pages=-1)
        # A backup is one self-contained file: no -wal beside it to lose when it is moved.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_facts(copy, target)
    except sqlite3.Error as error:
        raise BackupError(f"the backup of {source_path} failed: {error}.") from None
    finally:
        copy.close()
        source.close()


def _ensure_unused(database: Path) -> None:
    """Refuse while any connection (a server, a scheduler) has the database open. An exclusive-mode connection cannot
    take the lock while another one holds the file, even idle; closing it folds a crashed server's WAL back in."""
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("PRAGMA locking_mode=EXCLUSIVE")
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        raise BackupError(
            f"{database} is in use ({error}): stop the server and the scheduler first, then restore again."
        ) from None
    finally:
        probe.close()
    wal = Path(f"{database}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise BackupError(f"{wal} still holds changes: stop every process using {database}, then restore again.")


def _sqlite_restore(database: Path, backup_path: Path, kept: Path) -> Summary:
    with sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True) as checked:
        facts = _sqlite_facts(checked, backup_path)
    checked.close()
    staged = database.with_name(database.name + ".restoring")
    shutil.copyfile(backup_path, staged)
    _fsync(staged)
    try:
        if database.exists():
            _ensure_unused(database)
            shutil.copyfile(database, kept)
            _fsync(kept)
            Path(f"{database}-shm").unlink(missing_ok=True)
            Path(f"{database}-wal").unlink(missing_ok=True)
        os.replace(staged, database)
    finally:
        staged.unlink(missing_ok=True)
    return facts


# PostgreSQL


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools (e.g. apt install postgresql-client)."
        )
    return found


def _pg_run(command: list[str], url: URL, *, what: str) -> str:
    """Run a client tool with the connection in libpq's variables: the password never appears in a command line."""
    env = {**os.environ, "PGDATABASE": url.database or "", "PGCONNECT_TIMEOUT": "10"}
    for variable, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username)):
        if value:
            env[variable] = str(value)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    answer = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if answer.returncode != 0:
        raise BackupError(f"{what} failed: {answer.stderr.strip() or f'exit status {answer.returncode}'}")
    return answer.stdout


def _pg_facts(url: URL, path: Path) -> Summary:
    """Read the archive's table of contents and its schema revision (from the archive itself, not the server)."""
    pg_restore = _pg_tool("pg_restore")
    listing = _pg_run([pg_restore, "--list", str(path)], url, what=f"reading the archive {path}")
    tables = sum(1 for line in listing.splitlines() if re.search(r"\d+ TABLE (?!DATA )\S+ \S+ ", line))
    data = _pg_run(
        [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(path)],
        url,
        what=f"reading the schema revision in {path}",
    )
    rows = re.search(r"^COPY \S*alembic_version .*? FROM stdin;\n(.*?)^\\\.$", data, re.MULTILINE | re.DOTALL)
    revisions = rows.group(1).split() if rows else []
    if len(revisions) != 1:
        raise BackupError(f"{path} has no schema revision (alembic_version); it is not an examengine backup.")
    return Summary(path, path.stat().st_size, tables, revisions[0])


def _pg_backup(url: URL, target: Path) -> Summary:
    pg_dump = _pg_tool("pg_dump")
    _pg_run([pg_dump, "--format=custom", f"--file={target}"], url, what=f"pg_dump of {url.database}")
    return _pg_facts(url, target)


def _pg_other_sessions(url: URL) -> int:
    psql = shutil.which("psql")
    if psql is None:  # the check is a courtesy; pg_restore's own locks keep the restore correct
        return 0
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    return int(_pg_run([psql, "--no-psqlrc", "-At", "-c", query], url, what="checking for other sessions").strip())


def _pg_restore(url: URL, backup_path: Path, kept: Path) -> Summary:
    facts = _pg_facts(url, backup_path)
    others = _pg_other_sessions(url)
    if others:
        raise BackupError(
            f"{others} other session(s) are connected to {url.database}: stop the server and the scheduler first."
        )
    _pg_run(
        [_pg_tool("pg_dump"), "--format=custom", f"--file={kept}"], url, what=f"saving {url.database} before restore"
    )
    _pg_run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url.database}",
            str(backup_path),
        ],
        url,
        what=f"pg_restore into {url.database} (nothing was changed; the database is as before)",
    )
    return Summary(backup_path, facts.size_bytes, facts.tables, facts.revision)
