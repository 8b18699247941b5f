"""item search: latest-version flag and item number on versions and labels, partial indexes, text index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

Upgrades a database with data: the new columns are filled from item (number, latest_version) and the text index
from the latest versions. The columns are added with a constant default (SQLite's ALTER TABLE ADD COLUMN), so no
table is copied: on SQLite a copy would drop item_version with its foreign keys on, and that cascades.

Text index: on SQLite an FTS5 trigram table `item_search` (rowid = item number, latest versions only); on PostgreSQL
a pg_trgm GIN index on the latest versions' search_text, when the extension exists or may be created (otherwise a
warning is logged and the search works without it, by scanning).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

log = logging.getLogger("examengine.migrations")

LATEST_INDEXES = {
    "ix_item_version_latest_number": ["item_number"],
    "ix_item_version_latest_status": ["status", "item_number"],
    "ix_item_version_latest_domain": ["domain", "item_number"],
    "ix_item_version_latest_author": ["author_id", "item_number"],
}


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def upgrade() -> None:
    sqlite = _sqlite()
    op.add_column("item_version", sa.Column("item_number", sa.Integer(), nullable=False, server_default=sa.text("0")))
    op.add_column(
        "item_version",
        sa.Column("is_latest", sa.Boolean(), nullable=False, server_default=sa.text("0") if sqlite else sa.false()),
    )
    op.add_column(
        "item_version_label", sa.Column("item_number", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )
    op.execute(
        "UPDATE item_version SET "
        "item_number = (SELECT item.number FROM item WHERE item.id = item_version.item_id), "
        "is_latest = (item_version.version = "
        "(SELECT item.latest_version FROM item WHERE item.id = item_version.item_id))"
    )
    op.execute(
        "UPDATE item_version_label SET "
        "item_number = (SELECT item.number FROM item WHERE item.id = item_version_label.item_id)"
    )
    for name, columns in LATEST_INDEXES.items():
        op.create_index(
            name,
            "item_version",
            columns,
            unique=name == "ix_item_version_latest_number",
            sqlite_where=sa.text("is_latest = 1"),
            postgresql_where=sa.text("is_latest"),
        )
    op.drop_index("ix_item_version_label_lookup", table_name="item_version_label")
    op.create_index("ix_item_version_label_lookup", "item_version_label", ["kind", "label", "item_number"])
    if sqlite:
        op.execute("CREATE VIRTUAL TABLE item_search USING fts5(search_text, tokenize='trigram')")
        op.execute(
            "INSERT INTO item_search (rowid, search_text) "
            "SELECT item_number, search_text FROM item_version WHERE is_latest = 1"
        )
    else:
        _create_trgm_index()


def _create_trgm_index() -> None:
    bind = op.get_bind()
    if not bind.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")):
        if not bind.scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")):
            log.warning("pg_trgm is not installed on this server: the item text search will scan (no index)")
            return
        savepoint = bind.begin_nested()
        try:
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except sa.exc.DBAPIError as error:
            savepoint.rollback()
            log.warning(
                "CREATE EXTENSION pg_trgm was refused (%s): the item text search will scan (no index); "
                "a superuser can create the extension and run this migration's index by hand",
                str(error.orig).strip(),
            )
            return
        savepoint.commit()
    op.execute(
        "CREATE INDEX ix_item_version_search_trgm ON item_version USING gin (search_text gin_trgm_ops) WHERE is_latest"
    )


def downgrade() -> None:
    if _sqlite():
        op.execute("DROP TABLE IF EXISTS item_search")
    else:
        # The extension stays: other objects may use it, and this migration cannot tell whether it created it.
        op.execute("DROP INDEX IF EXISTS ix_item_version_search_trgm")
    op.drop_index("ix_item_version_label_lookup", table_name="item_version_label")
    op.create_index("ix_item_version_label_lookup", "item_version_label", ["kind", "label"])
    for name in LATEST_INDEXES:
        op.drop_index(name, table_name="item_version")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table copy, so nothing cascades.
    op.drop_column("item_version_label", "item_number")
    op.drop_column("item_version", "is_latest")
    op.drop_column("item_version", "item_number")
