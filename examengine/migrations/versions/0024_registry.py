"""programs: registry: the Ed25519 keys that sign Open Badges credentials and status lists

Revision ID: 0024_registry
Revises: 0023_programs
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db

revision = "0024_registry"
down_revision = "0023_programs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_key",
        sa.Column("kid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid"),
    )


def downgrade() -> None:
    op.drop_table("signing_key")
