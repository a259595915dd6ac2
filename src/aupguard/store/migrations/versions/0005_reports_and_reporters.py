"""reports and reporters: abuse reports (triage, resolution, dedup) and reporter reputation

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 06:34:21.029929
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aupguard.store.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "reporters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column(
            "first_seen", aupguard.store.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_seen", aupguard.store.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("voided", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.Column("muted_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporters")),
        sa.UniqueConstraint("key", name=op.f("uq_reporters_key")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column(
            "received", aupguard.store.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("filed_by", sa.String(length=100), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_address", sa.String(length=320), nullable=True),
        sa.Column("reporter_name", sa.String(length=200), nullable=True),
        sa.Column("reporter_org", sa.String(length=200), nullable=True),
        sa.Column("source_ip", sa.String(length=45), nullable=True),
        sa.Column("source_network", sa.String(length=50), nullable=True),
        sa.Column("mapping_key", sa.String(length=100), nullable=True),
        sa.Column("clause", sa.String(length=40), nullable=True),
        sa.Column(
            "incident_time", aupguard.store.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("report_id", sa.String(length=500), nullable=True),
        sa.Column("summary", sa.String(length=600), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("tenant_copy", sa.String(length=20000), nullable=True),
        sa.Column("dkim", sa.String(length=10), nullable=False),
        sa.Column("dkim_domain", sa.String(length=253), nullable=True),
        sa.Column("provider", sa.String(length=100), nullable=True),
        sa.Column("authenticated", sa.Boolean(), nullable=False),
        sa.Column("route", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("resolved_how", sa.String(length=20), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=True),
        sa.Column("identity", sa.String(length=320), nullable=True),
        sa.Column("campaign", sa.String(length=128), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("count_note", sa.String(length=300), nullable=True),
        sa.Column("strike_ref", sa.String(length=128), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("campaign_key", sa.String(length=64), nullable=True),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("rejection_field", sa.String(length=300), nullable=True),
        sa.Column("rejection_reason", sa.String(length=2000), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column(
            "updated_at", aupguard.store.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_reports_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["reporters.id"], name=op.f("fk_reports_reporter_id_reporters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("reference", name=op.f("uq_reports_reference")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_event", ["event_id"], unique=False)
        batch_op.create_index("ix_reports_reporter", ["reporter_id"], unique=False)
        batch_op.create_index("ix_reports_state_received", ["state", "received"], unique=False)
        batch_op.create_index(
            "ix_reports_tenant_clause_received", ["tenant_id", "clause", "received"], unique=False
        )
        batch_op.create_index(
            "uq_reports_incident",
            ["digest"],
            unique=True,
            sqlite_where=sa.text("duplicate_of IS NULL"),
            postgresql_where=sa.text("duplicate_of IS NULL"),
        )


def downgrade() -> None:

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_reports_incident",
            sqlite_where=sa.text("duplicate_of IS NULL"),
            postgresql_where=sa.text("duplicate_of IS NULL"),
        )
        batch_op.drop_index("ix_reports_tenant_clause_received")
        batch_op.drop_index("ix_reports_state_received")
        batch_op.drop_index("ix_reports_reporter")
        batch_op.drop_index("ix_reports_event")

    op.drop_table("reports")
    op.drop_table("reporters")
