"""timed sections: the open section of an attempt, when it opened and the time added before it opened

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23

Attempts under way keep working: their forms carry no section allowances, so they stay on the exam's clock alone
(`open_section` NULL), as they were started.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import examengine.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN with a constant default: no table copy on SQLite (a copy would cascade to the attempt's rows).
    op.add_column("attempt", sa.Column("open_section", sa.Integer(), nullable=True))
    op.add_column("attempt", sa.Column("section_opened_at", examengine.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column(
        "attempt", sa.Column("section_offset_seconds", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )


def downgrade() -> None:
    with op.batch_alter_table("attempt", recreate="never") as batch_op:
        batch_op.drop_column("section_offset_seconds")
        batch_op.drop_column("section_opened_at")
        batch_op.drop_column("open_section")
