"""programs: credentials: continuing education, counters, awards considered, reminders sent

Revision ID: 0025_credentials
Revises: 0024_registry
Create Date: 2026-12-07

The tables of examengine.programs.credential_models: `ce_activity` (a holder's continuing-education activities),
`credential_counter` (the per-scheme-and-year number sequences and the status-list index), `credential_award`
(each passing attempt of a scheme's exam considered once) and `credential_notice` (reminders sent once each).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db

revision = "0025_credentials"
down_revision = "0024_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ce_activity",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("credits", sa.Float(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["program_credential.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_ce_activity_credential_id"), "ce_activity", ["credential_id"], unique=False)
    op.create_table(
        "credential_counter",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "credential_award",
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.String(length=32), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["credential_id"], ["program_credential.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("attempt_id"),
    )
    op.create_table(
        "credential_notice",
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("valid_until", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["program_credential.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("credential_id", "kind", "valid_until"),
    )


def downgrade() -> None:
    op.drop_table("credential_notice")
    op.drop_table("credential_award")
    op.drop_table("credential_counter")
    op.drop_index(op.f("ix_ce_activity_credential_id"), table_name="ce_activity")
    op.drop_table("ce_activity")
