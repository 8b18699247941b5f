"""Shared fixtures: a real database per engine (SQLite in a temp file, PostgreSQL started by the run).

Every database test runs on both engines: the `db` fixture is parametrized, and pytest groups the tests by
engine so each database is created and migrated once. After each test every table is emptied.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio
import pytest
from pytest_postgresql import factories
from pytest_postgresql.janitor import DatabaseJanitor
from sqlalchemy import text
from starlette.testclient import TestClient

from examengine import migrate
from examengine.accounts import service
from examengine.accounts.service import UserView
from examengine.app import create_app
from examengine.clock import utcnow
from examengine.context import Services
from examengine.db import Database
from examengine.delivery import answers
from examengine.delivery.answers import SaveResult
from examengine.models import metadata
from examengine.scoring import service as score
from examengine.scoring.models import AttemptResult
from examengine.settings import Argon2Cost, Settings
from tests.mailbox import Mailbox, smtp_server

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parent.parent
REFDATA = REPO_ROOT.parent / "shared" / "refdata"  # the third-party reference data (tests.itembank.refdata)
# Cheap hashing keeps the suite fast; tests of the cost itself build their own hasher.
TEST_ARGON2 = Argon2Cost(time_cost=1, memory_kib=1024, parallelism=1)
TEST_PASSWORD = "correct horse battery"
ENGINES = ["sqlite", "postgresql"]

# PostgreSQL: a server started for this run. Under `pg_virtualenv` (scripts/test, also as root) the run's
# throwaway cluster is in PG* variables; otherwise pytest-postgresql starts one itself (not possible as root).
postgresql_noproc = factories.postgresql_noproc(
    host=os.environ.get("PGHOST"),
    port=os.environ.get("PGPORT", "5432"),
    user=os.environ.get("PGUSER"),
    password=os.environ.get("PGPASSWORD"),
    dbname=f"tests_{os.getpid()}",  # its template database too: several runs may share one server
)
postgresql_proc = factories.postgresql_proc(executable=shutil.which("pg_ctl") or "/usr/lib/postgresql/15/bin/pg_ctl")


def _postgres_server(request: pytest.FixtureRequest) -> Any:
    if os.environ.get("PGHOST"):
        return request.getfixturevalue("postgresql_noproc")
    if os.geteuid() != 0 and shutil.which("pg_ctl"):
        return request.getfixturevalue("postgresql_proc")
    message = "no PostgreSQL server for this run: run the suite through scripts/test (pg_virtualenv)"
    if os.environ.get("EXAMENGINE_REQUIRE_POSTGRES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Without ../shared about 500 reference-data cases skip; CI sets EXAMENGINE_REQUIRE_REFDATA=1 so that a missing
    folder fails the run instead of quietly shrinking it."""
    if os.environ.get("EXAMENGINE_REQUIRE_REFDATA") == "1" and not REFDATA.is_dir():
        raise pytest.UsageError(f"EXAMENGINE_REQUIRE_REFDATA=1 but the reference data folder {REFDATA} is absent")


@contextmanager
def fresh_database(request: pytest.FixtureRequest, engine: str, name: str, tmp_dir: Path) -> Iterator[str]:
    """The URL of a new, empty database on `engine`, dropped afterwards."""
    if engine == "sqlite":
        yield f"sqlite:///{tmp_dir / (name + '.db')}"
        return
    server = _postgres_server(request)
    dbname = f"{name}_{os.getpid()}"
    with DatabaseJanitor(
        user=server.user,
        host=server.host,
        port=server.port,
        dbname=dbname,
        password=server.password,
    ):
        password = f":{server.password}" if server.password else ""
        yield f"postgresql+psycopg://{server.user}{password}@{server.host}:{server.port}/{dbname}"


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an empty database on one engine (not migrated)."""
    with fresh_database(request, request.param, "examengine_test", tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    database = Database(database_url)
    migrate.upgrade(database.engine)
    database.dispose()
    return database_url


@pytest.fixture(scope="session")
def session_db(migrated_url: str) -> Iterator[Database]:
    database = Database(migrated_url)
    yield database
    database.dispose()


def empty_all_tables(database: Database) -> None:
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if database.is_sqlite:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
        else:
            connection.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " CASCADE"))


@pytest.fixture
def db(session_db: Database) -> Iterator[Database]:
    """A migrated, empty database on each engine; emptied again after the test."""
    yield session_db
    empty_all_tables(session_db)
    session_db.caches.clear()


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Settings:
    return replace(Settings(), database_url=migrated_url, argon2=TEST_ARGON2, scheduler="off")


@pytest.fixture
def services(settings: Settings, db: Database) -> Iterator[Services]:
    built = Services.build(settings)
    yield built
    built.db.dispose()


@pytest.fixture
def make_user(services: Services) -> Callable[..., UserView]:
    """Create a user with a password (TEST_PASSWORD unless given) and roles."""

    def make(email: str, *roles: str, password: str = TEST_PASSWORD, name: str = "Test User") -> UserView:
        password_hash = services.passwords.hash(password)
        return services.db.call(
            service.create_user, email=email, name=name, roles=roles or ("candidate",), password_hash=password_hash
        )

    return make


@pytest.fixture
def app_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


@pytest.fixture
def mail_settings(settings: Settings) -> Iterator[tuple[Mailbox, Settings]]:
    """Settings that send mail through a real SMTP server started for the test, and what arrives at it."""
    with smtp_server() as (box, server):
        yield box, replace(settings, smtp=server, mail_from="exams@example.org", organisation_name="Safety Board")


@pytest.fixture
def mailbox(mail_settings: tuple[Mailbox, Settings]) -> Mailbox:
    return mail_settings[0]


@pytest.fixture
def mail_client(mail_settings: tuple[Mailbox, Settings], db: Database) -> Iterator[TestClient]:
    """A client of an app whose mail goes to `mailbox`."""
    with TestClient(create_app(mail_settings[1]), base_url="http://testserver") as client:
        yield client


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine function to completion from a test, in a thread of its own: the browser tests' Playwright keeps
    an event loop running in the main thread for the rest of the session, and anyio.run refuses to nest in it."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(anyio.run, fn).result()


def save_answer(db: Database, **kwargs: Any) -> SaveResult:
    """Save an answer as the autosave routes do (`answers.save_answer`), from a test's thread."""
    return run_async(functools.partial(answers.save_answer, db, **kwargs))


def score_submitted(db: Database, *, attempt_id: str, now: datetime | None = None) -> AttemptResult:
    """Score a finished attempt as the submit routes do (`scoring.score_submitted`), from a test's thread."""
    return run_async(functools.partial(score.score_submitted, db, attempt_id=attempt_id, now=now or utcnow()))


def import_approved(services: Services, specs: list[dict[str, object]], *, author: str, admin: str) -> dict[str, str]:
    """Import items in the project's JSON format and approve version 1 of each; returns spec id -> item id."""
    from itembank import importing, workflow
    from itembank.models import ItemStatus

    upload = importing.read_upload("bank.json", json.dumps({"items": specs}).encode())
    report = services.db.call(importing.import_items, result=upload, actor_id=author)
    items = {str(spec["id"]): ref.item_id for spec, ref in zip(specs, report.imported, strict=True)}
    for item_id in items.values():
        for to, actor in ((ItemStatus.REVIEW, author), (ItemStatus.APPROVED, admin)):
            services.db.call(workflow.transition, item_id=item_id, version=1, to=to, actor_id=actor)
    return items
