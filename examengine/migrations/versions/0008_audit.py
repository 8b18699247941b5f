"""the tamper-evident audit trail: attempt event chains, the global audit chain, its head and checkpoints

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23

Existing attempt events are chained here (per attempt, in id order) so that `examengine audit verify` holds from
the start; the global chain starts empty.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db
from examengine.audit import chain

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _chain_existing_events() -> None:
    events = sa.table(
        "attempt_event",
        sa.column("id", sa.Integer()),
        sa.column("attempt_id", sa.String()),
        sa.column("at", examengine.db.UTCDateTime(timezone=True)),
        sa.column("actor_id", sa.String()),
        sa.column("type", sa.String()),
        sa.column("client_time", examengine.db.UTCDateTime(timezone=True)),
        sa.column("detail", sa.JSON()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            events.c.id,
            events.c.attempt_id,
            events.c.at,
            events.c.actor_id,
            events.c.type,
            events.c.client_time,
            events.c.detail,
        )
        .where(events.c.type != chain.UNCHAINED_EVENT)
        .order_by(events.c.attempt_id, events.c.id)
    ).all()
    updates, current, previous = [], None, ""
    for event_id, attempt_id, at, actor_id, kind, client_time, detail in rows:
        if attempt_id != current:
            current, previous = attempt_id, chain.attempt_genesis(attempt_id)
        normalized = chain.normalize(detail)
        digest = chain.attempt_event_hash(
            attempt_id=attempt_id,
            at=at,
            actor_id=actor_id,
            type=kind,
            client_time=client_time,
            detail=normalized,
            prev_hash=previous,
        )
        updates.append({"event_id": event_id, "detail": normalized, "prev_hash": previous, "hash": digest})
        previous = digest
    statement = (
        events.update()
        .where(events.c.id == sa.bindparam("event_id"))
        .values(detail=sa.bindparam("detail"), prev_hash=sa.bindparam("prev_hash"), hash=sa.bindparam("hash"))
    )
    for start in range(0, len(updates), 1000):
        connection.execute(statement, updates[start : start + 1000])


def upgrade() -> None:
    with op.batch_alter_table("attempt_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=False, server_default=""))
    _chain_existing_events()
    with op.batch_alter_table("attempt_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attempt_event_chain",
            ["attempt_id", "id"],
            unique=False,
            sqlite_where=sa.text("type != 'answer_saved'"),
            postgresql_where=sa.text("type != 'answer_saved'"),
        )

    op.create_table(
        "audit_record",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.create_index("ix_audit_record_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_record_kind_at", ["kind", "at"], unique=False)
        batch_op.create_index("ix_audit_record_subject", ["subject"], unique=False)

    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(head, [{"id": 1, "last_id": 0, "last_hash": chain.RECORD_GENESIS}])

    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("upto_id", sa.BigInteger(), nullable=False),
        sa.Column("upto_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sealed_count", sa.BigInteger(), nullable=False),
        sa.Column("sealed_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_record_subject")
        batch_op.drop_index("ix_audit_record_kind_at")
        batch_op.drop_index("ix_audit_record_at")
    op.drop_table("audit_record")
    with op.batch_alter_table("attempt_event", schema=None) as batch_op:
        batch_op.drop_index("ix_attempt_event_chain")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
