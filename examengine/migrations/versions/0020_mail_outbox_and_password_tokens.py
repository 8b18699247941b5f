"""accounts by mail: the mail outbox and single-use set-your-password links

Revision ID: 0020_mail
Revises: 0019_identity
Create Date: 2026-12-06

`mail_outbox` holds each mail from the unit of work that wrote it until it is sent (retried with backoff);
`password_token` holds the SHA-256 of each password-reset or invitation link, its expiry and when it was used.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_mail"
down_revision = "0019_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
    )
    op.create_index("ix_mail_outbox_next_attempt_at", "mail_outbox", ["next_attempt_at"])
    op.create_table(
        "password_token",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("user_id", sa.String(length=32), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_password_token_user_id", "password_token", ["user_id"])


def downgrade() -> None:
    op.drop_table("password_token")
    op.drop_table("mail_outbox")
