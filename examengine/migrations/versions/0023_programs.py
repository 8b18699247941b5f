"""programs: schemes, applications, authorizations to test, accommodation requests, credentials

Revision ID: 0023_programs
Revises: 0022_sittings
Create Date: 2026-12-07

The credential-program tables (API.md "Credential programs"). The authorization table is `test_authorization`
(AUTHORIZATION is a reserved word in SQL). `user_role.role` widens to 32 characters for the new roles
eligibility_reviewer and appeals_reviewer.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import examengine.db

revision = "0023_programs"
down_revision = "0022_sittings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheme",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("designation", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("course_title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("course_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("pathways", sa.JSON(), nullable=False),
        sa.Column("authorization_period", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("attempts_per_authorization", sa.Integer(), nullable=False),
        sa.Column("cycle", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("grace_period", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("reinstatement_period", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("recertification", sa.JSON(), nullable=True),
        sa.Column("appeal_period", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "accommodation_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("scheme_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("requested", sa.JSON(), nullable=False),
        sa.Column("approved", sa.JSON(), nullable=True),
        sa.Column("statement", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appeal_until", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["scheme_id"], ["scheme.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_accommodation_request_scheme_id"), "accommodation_request", ["scheme_id"], unique=False)
    op.create_index(op.f("ix_accommodation_request_status"), "accommodation_request", ["status"], unique=False)
    op.create_index(op.f("ix_accommodation_request_user_id"), "accommodation_request", ["user_id"], unique=False)
    op.create_table(
        "application",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("scheme_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("pathway", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handbook_version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appeal_until", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["scheme_id"], ["scheme.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_application_scheme_id"), "application", ["scheme_id"], unique=False)
    op.create_index(op.f("ix_application_status"), "application", ["status"], unique=False)
    op.create_index(op.f("ix_application_user_id"), "application", ["user_id"], unique=False)
    op.create_table(
        "scheme_exam",
        sa.Column("exam_id", sa.String(length=32), nullable=False),
        sa.Column("scheme_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["exam_id"], ["exam.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["scheme_id"], ["scheme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("exam_id"),
    )
    op.create_index(op.f("ix_scheme_exam_scheme_id"), "scheme_exam", ["scheme_id"], unique=False)
    op.create_table(
        "scheme_handbook",
        sa.Column("scheme_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=200000), nullable=False),
        sa.Column("published_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["published_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["scheme_id"], ["scheme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scheme_id", "version"),
    )
    op.create_table(
        "test_authorization",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("scheme_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("application_id", sa.String(length=32), nullable=True),
        sa.Column("appeal_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("eligible_from", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("eligible_until", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts_allowed", sa.Integer(), nullable=False),
        sa.Column("issued_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=32), nullable=True),
        sa.Column("revoked_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["issued_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["scheme_id"], ["scheme.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_test_authorization_scheme_id"), "test_authorization", ["scheme_id"], unique=False)
    op.create_index(op.f("ix_test_authorization_user_id"), "test_authorization", ["user_id"], unique=False)
    op.create_table(
        "program_credential",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("scheme_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("attempt_id", sa.String(length=32), nullable=True),
        sa.Column("holder_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("granted_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cycle_starts", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("suspended_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["scheme_id"], ["scheme.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("scheme_id", "user_id", name="uq_program_credential_holder"),
        sa.UniqueConstraint("status_index"),
    )
    op.create_index(op.f("ix_program_credential_scheme_id"), "program_credential", ["scheme_id"], unique=False)
    op.create_index(op.f("ix_program_credential_user_id"), "program_credential", ["user_id"], unique=False)
    op.create_table(
        "credential_event",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["credential_id"], ["program_credential.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_credential_event_credential_id"), "credential_event", ["credential_id"], unique=False)
    op.create_table(
        "evidence_file",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("requirement", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("attestation", sa.Boolean(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=32), nullable=False),
        sa.Column("uploaded_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_evidence_file_subject_id"), "evidence_file", ["subject_id"], unique=False)
    op.create_table(
        "incident_decision",
        sa.Column("attempt_id", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", examengine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("appeal_until", examengine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("attempt_id"),
    )
    with op.batch_alter_table("user_role") as batch:
        batch.alter_column(
            "role", existing_type=sa.String(length=16), type_=sa.String(length=32), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_role") as batch:
        batch.alter_column(
            "role", existing_type=sa.String(length=32), type_=sa.String(length=16), existing_nullable=False
        )
    op.drop_table("incident_decision")
    op.drop_index(op.f("ix_evidence_file_subject_id"), table_name="evidence_file")
    op.drop_table("evidence_file")
    op.drop_index(op.f("ix_credential_event_credential_id"), table_name="credential_event")
    op.drop_table("credential_event")
    op.drop_index(op.f("ix_program_credential_user_id"), table_name="program_credential")
    op.drop_index(op.f("ix_program_credential_scheme_id"), table_name="program_credential")
    op.drop_table("program_credential")
    op.drop_index(op.f("ix_test_authorization_user_id"), table_name="test_authorization")
    op.drop_index(op.f("ix_test_authorization_scheme_id"), table_name="test_authorization")
    op.drop_table("test_authorization")
    op.drop_table("scheme_handbook")
    op.drop_index(op.f("ix_scheme_exam_scheme_id"), table_name="scheme_exam")
    op.drop_table("scheme_exam")
    op.drop_index(op.f("ix_application_user_id"), table_name="application")
    op.drop_index(op.f("ix_application_status"), table_name="application")
    op.drop_index(op.f("ix_application_scheme_id"), table_name="application")
    op.drop_table("application")
    op.drop_index(op.f("ix_accommodation_request_user_id"), table_name="accommodation_request")
    op.drop_index(op.f("ix_accommodation_request_status"), table_name="accommodation_request")
    op.drop_index(op.f("ix_accommodation_request_scheme_id"), table_name="accommodation_request")
    op.drop_table("accommodation_request")
    op.drop_table("scheme")
