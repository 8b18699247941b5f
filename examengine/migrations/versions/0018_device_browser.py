"""device lock: the browser a web session signed in on

Revision ID: 0018_device
Revises: 0017
Create Date: 2026-12-06

`credential.device_hash` is the SHA-256 of the device cookie the browser held (or was given) when the session signed
in, so that a new session of the same browser resumes its attempt without the proctor. Sessions of before the
upgrade have none: they behave as before (another sign-in needs the proctor).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_device"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("credential", sa.Column("device_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE credential DROP COLUMN device_hash")
