"""programs: appeals

Revision ID: 0027_appeals
Revises: 0026_bookings
Create Date: 2026-12-07

The appeal table (API.md "Score reports, incidents, appeals"), with a partial unique index that keeps one open
appeal (filed or assigned) per subject.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db

revision = "0027_appeals"
down_revision = "0026_bookings"
branch_labels = None
depends_on = None

OPEN_WHERE = sa.text("status IN ('filed', 'assigned')")


def upgrade() -> None:
    op.create_table(
        "appeal",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("scheme_id", sa.String(length=32), nullable=True),
        sa.Column("appellant_id", sa.String(length=32), nullable=False),
        sa.Column("grounds", sa.String(length=30), nullable=False),
        sa.Column("statement", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("filed_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decision_by", sa.String(length=32), nullable=True),
        sa.Column("decision_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("appeal_until", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewer_id", sa.String(length=32), nullable=True),
        sa.Column("assigned_by", sa.String(length=32), nullable=True),
        sa.Column("assigned_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("remedy", sa.String(length=20), nullable=True),
        sa.Column("remedy_detail", sa.JSON(), nullable=False),
        sa.Column("decided_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["appellant_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assigned_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decision_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["scheme_id"], ["scheme.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_appeal_appellant_id"), "appeal", ["appellant_id"], unique=False)
    op.create_index(op.f("ix_appeal_reviewer_id"), "appeal", ["reviewer_id"], unique=False)
    op.create_index(op.f("ix_appeal_status"), "appeal", ["status"], unique=False)
    op.create_index(
        "uq_appeal_open_subject",
        "appeal",
        ["subject_type", "subject_id"],
        unique=True,
        sqlite_where=OPEN_WHERE,
        postgresql_where=OPEN_WHERE,
    )


def downgrade() -> None:
    op.drop_index("uq_appeal_open_subject", table_name="appeal")
    op.drop_index(op.f("ix_appeal_status"), table_name="appeal")
    op.drop_index(op.f("ix_appeal_reviewer_id"), table_name="appeal")
    op.drop_index(op.f("ix_appeal_appellant_id"), table_name="appeal")
    op.drop_table("appeal")
