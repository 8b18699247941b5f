"""sittings: capacity, time zone and cancellation

Revision ID: 0022_sittings
Revises: 0021_itemrules
Create Date: 2026-12-06

A sitting can now be changed after it was scheduled: `capacity` caps its enrolments (NULL: no limit), `time_zone`
names the IANA zone its times are shown and entered in (existing sittings: UTC, as they were shown), and a
cancelled sitting keeps its row with `cancelled_at` and `cancel_reason` (who cancelled it is on the audit record).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import examengine.db

revision = "0022_sittings"
down_revision = "0021_itemrules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sitting", sa.Column("capacity", sa.Integer(), nullable=True))
    op.add_column("sitting", sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC"))
    op.add_column("sitting", sa.Column("cancelled_at", examengine.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column("sitting", sa.Column("cancel_reason", sa.String(length=1000), nullable=False, server_default=""))


def downgrade() -> None:
    for column in ("cancel_reason", "cancelled_at", "time_zone", "capacity"):
        op.execute(f"ALTER TABLE sitting DROP COLUMN {column}")
