"""certificates for passing attempts, verifiable by code

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("exam_id", sa.String(length=32), nullable=False),
        sa.Column("exam_version", sa.Integer(), nullable=False),
        sa.Column("exam_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("credential", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("holder_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("issued_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=32), nullable=True),
        sa.Column("revoked_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["exam_id"], ["exam.id"]),
        sa.ForeignKeyConstraint(["revoked_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt_id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_exam_id"), ["exam_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_user_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_exam_id"))
    op.drop_table("certificate")
