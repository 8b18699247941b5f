"""item statistics history and standard setting studies (analysis)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _judge_column() -> sa.Column[str]:
    return sa.Column("judge_id", sa.String(length=32), nullable=False)


def upgrade() -> None:
    op.create_table(
        "item_stats_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("exam_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("exam_version", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=True),
        sa.Column("discrimination", sa.Float(), nullable=True),
        sa.Column("missing_rule", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sitting_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("since", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("until", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("computed_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["computed_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["item_id", "item_version"], ["item_version.item_id", "item_version.version"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("item_stats_record", schema=None) as batch_op:
        batch_op.create_index("ix_item_stats_record_item", ["item_id", "item_version", "computed_at"], unique=False)

    op.create_table(
        "standard_setting_study",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("exam_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("exam_version", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("current_round", sa.Integer(), nullable=False),
        sa.Column("created_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("changed_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["changed_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["exam_id", "exam_version"], ["exam_version.exam_id", "exam_version.version"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("standard_setting_study", schema=None) as batch_op:
        batch_op.create_index("ix_standard_setting_study_exam", ["exam_id", "exam_version"], unique=False)

    op.create_table(
        "standard_setting_judge",
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("added_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["added_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["study_id"], ["standard_setting_study.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("study_id", "user_id"),
    )
    op.create_table(
        "angoff_rating",
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("round", sa.Integer(), autoincrement=False, nullable=False),
        _judge_column(),
        sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=False),
        sa.Column("rated_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["judge_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["study_id"], ["standard_setting_study.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("study_id", "round", "judge_id", "item_id"),
    )
    op.create_table(
        "hofstee_judgement",
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("round", sa.Integer(), autoincrement=False, nullable=False),
        _judge_column(),
        sa.Column("min_cut", sa.Float(), nullable=False),
        sa.Column("max_cut", sa.Float(), nullable=False),
        sa.Column("min_fail", sa.Float(), nullable=False),
        sa.Column("max_fail", sa.Float(), nullable=False),
        sa.Column("rated_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["judge_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["study_id"], ["standard_setting_study.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("study_id", "round", "judge_id"),
    )


def downgrade() -> None:
    op.drop_table("hofstee_judgement")
    op.drop_table("angoff_rating")
    op.drop_table("standard_setting_judge")
    with op.batch_alter_table("standard_setting_study", schema=None) as batch_op:
        batch_op.drop_index("ix_standard_setting_study_exam")
    op.drop_table("standard_setting_study")
    with op.batch_alter_table("item_stats_record", schema=None) as batch_op:
        batch_op.drop_index("ix_item_stats_record_item")
    op.drop_table("item_stats_record")
