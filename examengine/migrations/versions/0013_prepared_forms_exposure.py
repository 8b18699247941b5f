"""prepared forms and exposure counters: forms pre-assembled before a sitting opens, forms per (sitting, item)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23

The counters are backfilled from the attempts already stored (sittings under way and past), so the exposure cap of
a sitting in progress keeps counting the forms handed out before the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exposure_count",
        sa.Column("sitting_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("forms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sitting_id", "item_id"),
    )
    op.create_table(
        "prepared_form",
        sa.Column("sitting_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("exam_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("exam_version", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("prepared_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sitting_id", "user_id"], ["enrollment.sitting_id", "enrollment.user_id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("sitting_id", "user_id"),
    )
    op.execute(
        "INSERT INTO exposure_count (sitting_id, item_id, forms) "
        "SELECT attempt.sitting_id, attempt_slot.item_id, COUNT(DISTINCT attempt.id) "
        "FROM attempt_slot JOIN attempt ON attempt.id = attempt_slot.attempt_id "
        "GROUP BY attempt.sitting_id, attempt_slot.item_id"
    )


def downgrade() -> None:
    op.drop_table("prepared_form")
    op.drop_table("exposure_count")
