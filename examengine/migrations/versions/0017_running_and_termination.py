"""one running attempt per candidate per exam; an admin's decision about a terminated attempt

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

`uq_attempt_running` makes "one running attempt per candidate per exam, across sittings" true by construction (a
partial unique index, on both engines). If a database already holds two running attempts of one candidate at one
exam, the upgrade stops and names them: a proctor or admin ends one, then the upgrade runs again.

`attempt.termination_decision` holds an admin's decision about a terminated attempt (uphold, allow_retake, void);
until one is recorded the candidate may not start another attempt at the exam. Attempts terminated before this
upgrade are marked "uphold", which is what a termination meant before (the attempt counts, retake rules apply).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

RUNNING_WHERE = "status IN ('waiting', 'in_progress', 'paused')"


def upgrade() -> None:
    running = f"SELECT user_id, exam_id FROM attempt WHERE {RUNNING_WHERE} GROUP BY user_id, exam_id"
    doubled = op.get_bind().execute(sa.text(running + " HAVING COUNT(*) > 1")).all()
    if doubled:
        pairs = ", ".join(f"user {user_id} at exam {exam_id}" for user_id, exam_id in doubled)
        raise RuntimeError(
            f"Candidates with two running attempts at one exam ({pairs}): end one of each, then upgrade."
        )
    op.add_column("attempt", sa.Column("termination_decision", sa.String(length=16), nullable=True))
    op.execute("UPDATE attempt SET termination_decision = 'uphold' WHERE status = 'terminated'")
    op.create_index(
        "uq_attempt_running",
        "attempt",
        ["user_id", "exam_id"],
        unique=True,
        sqlite_where=sa.text(RUNNING_WHERE),
        postgresql_where=sa.text(RUNNING_WHERE),
    )


def downgrade() -> None:
    op.drop_index("uq_attempt_running", table_name="attempt")
    op.execute("ALTER TABLE attempt DROP COLUMN termination_decision")
