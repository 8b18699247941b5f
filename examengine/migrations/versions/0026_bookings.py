"""bookings: bookable sittings with booking and cancellation cut-offs, and seat bookings

Revision ID: 0026_bookings
Revises: 0025_credentials
Create Date: 2026-12-07

A sitting may be `bookable` by candidates holding an authorization to test; `booking_closes_at` and
`cancel_closes_at` are its cut-offs (NULL: the sitting's opening). A `booking` holds one seat under one
authorization, confirmed or cancelled (API.md "Seats").
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db

revision = "0026_bookings"
down_revision = "0025_credentials"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "sitting",
        sa.Column("bookable", sa.Boolean(), nullable=False, server_default=sa.text("0") if sqlite else sa.false()),
    )
    op.add_column("sitting", sa.Column("booking_closes_at", examengine.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column("sitting", sa.Column("cancel_closes_at", examengine.db.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "booking",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("authorization_id", sa.String(length=32), nullable=False),
        sa.Column("sitting_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["authorization_id"], ["test_authorization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_booking_authorization_id"), "booking", ["authorization_id"], unique=False)
    op.create_index(op.f("ix_booking_sitting_id"), "booking", ["sitting_id"], unique=False)
    op.create_index(op.f("ix_booking_user_id"), "booking", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("booking")
    for column in ("cancel_closes_at", "booking_closes_at", "bookable"):
        op.execute(f"ALTER TABLE sitting DROP COLUMN {column}")
