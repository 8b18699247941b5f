"""programs: reports: the official score reports issued, one row per version

Revision ID: 0028_reports
Revises: 0027_appeals
Create Date: 2026-12-07

`score_report` keeps each version of an attempt's score report as issued (a rescore issues the next version under
the same report id). Incident decisions use the foundation's `incident_decision` table and the attempt's events.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import examengine.db

revision = "0028_reports"
down_revision = "0027_appeals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "score_report",
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("issued_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("attempt_id", "version"),
    )
    op.create_index(op.f("ix_score_report_report_id"), "score_report", ["report_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_score_report_report_id"), table_name="score_report")
    op.drop_table("score_report")
