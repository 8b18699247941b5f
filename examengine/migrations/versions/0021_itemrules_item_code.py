"""item code given by its author: an item created through POST /api/v1/items keeps its native `id` as its code

Revision ID: 0021_itemrules
Revises: 0020_mail
Create Date: 2026-12-06

Items imported from files keep the bank's numbered codes (ITM-000123): `given_code` stays NULL for them, and for
every item stored before the upgrade. A unique index keeps two items from sharing a given code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_itemrules"
down_revision = "0020_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("item", sa.Column("given_code", sa.String(length=200), nullable=True))
    op.create_index("ix_item_given_code", "item", ["given_code"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_item_given_code", table_name="item")
    op.execute("ALTER TABLE item DROP COLUMN given_code")
