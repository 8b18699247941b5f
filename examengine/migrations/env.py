"""Alembic environment: run by `examengine migrate` (and by tests) with the URL of the target database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from examengine.db import make_engine
from examengine.models import metadata
from itembank.models import include_name

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,  # the text-search objects are migration-only
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported: run `examengine migrate`.")
run_online()
