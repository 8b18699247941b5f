"""Migrations build the schema from nothing on both engines, match the models, and the app refuses to run without."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from starlette.testclient import TestClient

from examengine import migrate
from examengine.app import create_app
from examengine.db import Database
from examengine.models import metadata
from examengine.settings import Settings
from itembank.models import include_name
from tests.conftest import ENGINES, fresh_database


@pytest.fixture(params=ENGINES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with fresh_database(request, request.param, "examengine_migrations", tmp_path) as url:
        database = Database(url)
        yield database
        database.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database: Database) -> None:
    assert migrate.current_revision(empty_database.engine) is None
    migrate.upgrade(empty_database.engine)
    assert migrate.current_revision(empty_database.engine) == migrate.head_revision()
    with empty_database.engine.connect() as connection:
        # as env.py does: skip the migration-only text-search objects (SQLite FTS5 tables, pg_trgm index)
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, metadata)
    assert differences == [], "a model changed without a migration: run alembic revision --autogenerate"


def test_downgrade_to_nothing_and_back(empty_database: Database) -> None:
    migrate.upgrade(empty_database.engine)
    config = migrate.alembic_config(empty_database.url)
    with empty_database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert migrate.current_revision(empty_database.engine) is None
    migrate.upgrade(empty_database.engine)
    assert migrate.current_revision(empty_database.engine) == migrate.head_revision()


def test_the_app_refuses_an_unmigrated_database(empty_database: Database) -> None:
    settings = Settings(database_url=empty_database.url, scheduler="off")
    with pytest.raises(migrate.NotMigrated, match="Run `examengine migrate` first"), TestClient(create_app(settings)):
        pass


def test_sqlite_runs_in_wal_with_full_synchronous(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'durable.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    database.dispose()
