"""the organisation's identity: one row of name, contact, accent and signatory, and its images

Revision ID: 0019_identity
Revises: 0018_device
Create Date: 2026-12-06

No row is written: until an admin saves the settings page, the engine shows its defaults. A certificate keeps the
organisation's name at issue (`certificate.issuer_name`); those issued before show the current name.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from examengine.db import UTCDateTime

revision = "0019_identity"
down_revision = "0018_device"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("accent_colour", sa.String(length=7), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("signatory_name", sa.String(length=120), nullable=False),
        sa.Column("signatory_title", sa.String(length=120), nullable=False),
        sa.Column("logo_sha256", sa.String(length=64), nullable=True),
        sa.Column("signature_sha256", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "organisation_image",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.add_column("certificate", sa.Column("issuer_name", sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE certificate DROP COLUMN issuer_name")
    op.drop_table("organisation_image")
    op.drop_table("organisation")
