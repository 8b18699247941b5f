"""marking queue, double marking, rescoring decisions and records, retake exceptions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Text = sqlmodel.sql.sqltypes.AutoString
Moment = examengine.db.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "slot_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("marker_id", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("comment", Text(length=2000), nullable=False),
        sa.Column("marked_at", Moment(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["marker_id"], ["app_user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt_id", "slot", "stage", name="uq_slot_mark_stage"),
        sa.UniqueConstraint("attempt_id", "slot", "marker_id", name="uq_slot_mark_marker"),
    )
    op.create_table(
        "marking_script",
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("script_id", Text(length=16), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("attempt_id"),
        sa.UniqueConstraint("script_id"),
    )
    op.create_table(
        "marking_claim",
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("marker_id", sa.String(length=32), nullable=False),
        sa.Column("expires_at", Moment(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["marker_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("attempt_id", "slot"),
    )
    op.create_table(
        "rescore_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.String(length=32), nullable=False),
        sa.Column("exam_version", sa.Integer(), nullable=False),
        sa.Column("item_id", Text(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=True),
        sa.Column("reason", Text(length=2000), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", Moment(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["exam_id"], ["exam.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rescore_decision_exam", "rescore_decision", ["exam_id", "exam_version", "item_id"])
    op.create_table(
        "rescore_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("raw_before", sa.Float(), nullable=False),
        sa.Column("max_before", sa.Float(), nullable=False),
        sa.Column("percent_before", sa.Float(), nullable=True),
        sa.Column("scaled_before", sa.Float(), nullable=True),
        sa.Column("passed_before", sa.Boolean(), nullable=True),
        sa.Column("raw_after", sa.Float(), nullable=False),
        sa.Column("max_after", sa.Float(), nullable=False),
        sa.Column("percent_after", sa.Float(), nullable=True),
        sa.Column("scaled_after", sa.Float(), nullable=True),
        sa.Column("passed_after", sa.Boolean(), nullable=True),
        sa.Column("reason", Text(length=2000), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("at", Moment(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["rescore_decision.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rescore_record_attempt", "rescore_record", ["attempt_id"])
    op.create_index("ix_rescore_record_decision_id", "rescore_record", ["decision_id"])
    op.create_table(
        "retake_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("exam_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", Text(length=2000), nullable=False),
        sa.Column("granted_by", sa.String(length=32), nullable=True),
        sa.Column("granted_at", Moment(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["exam_id"], ["exam.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["granted_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retake_exception_user_exam", "retake_exception", ["user_id", "exam_id"])


def downgrade() -> None:
    op.drop_index("ix_retake_exception_user_exam", table_name="retake_exception")
    op.drop_table("retake_exception")
    op.drop_index("ix_rescore_record_decision_id", table_name="rescore_record")
    op.drop_index("ix_rescore_record_attempt", table_name="rescore_record")
    op.drop_table("rescore_record")
    op.drop_index("ix_rescore_decision_exam", table_name="rescore_decision")
    op.drop_table("rescore_decision")
    op.drop_table("marking_claim")
    op.drop_table("marking_script")
    op.drop_table("slot_mark")
