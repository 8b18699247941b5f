"""linear navigation: the slot a candidate on a forward-only exam is at

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23

Attempts under way keep free navigation (NULL), as they were started.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("attempt", sa.Column("linear_slot", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.drop_column("linear_slot")
