"""device lock: the web session holding an attempt, and the session waiting to take it over

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23

`attempt.client_id` (the last browser tab that saved) becomes `holder_session` (the web session holding the
attempt). The old values named tabs, never sessions, so they are cleared: each attempt under way is taken by the
next session that opens it, instead of locking every candidate out at the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # RENAME/DROP COLUMN are native on SQLite >= 3.35 and PostgreSQL; a batch rebuild of `attempt` is not needed.
    op.execute("ALTER TABLE attempt RENAME COLUMN client_id TO holder_session")
    op.execute("UPDATE attempt SET holder_session = NULL")
    op.add_column("attempt", sa.Column("waiting_session", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE attempt DROP COLUMN waiting_session")
    op.execute("UPDATE attempt SET holder_session = NULL")
    op.execute("ALTER TABLE attempt RENAME COLUMN holder_session TO client_id")
