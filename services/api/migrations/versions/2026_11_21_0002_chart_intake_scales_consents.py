"""Chart: patient profile, intake and screening flags, rating scales, safety tasks, consents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:58:54.050796
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.api.core.db

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_signatures",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("typed_name", sa.String(length=200), nullable=False),
        sa.Column("signed_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.user_id"],
            name=op.f("fk_consent_signatures_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_signatures")),
        sa.UniqueConstraint("patient_id", "kind", "version", name=op.f("uq_consent_signatures_patient_id")),
    )
    with op.batch_alter_table("consent_signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_signatures_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "intakes",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("form_version", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", services.api.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rule_set_version", sa.String(length=20), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.user_id"], name=op.f("fk_intakes_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intakes")),
    )
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.create_index("ix_intakes_patient_id_created_at", ["patient_id", "created_at"], unique=False)
        batch_op.create_index(
            "uq_intakes_patient_id_draft",
            ["patient_id"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )

    op.create_table(
        "safety_tasks",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(length=30), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_at", services.api.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledgement_note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["acknowledged_by"], ["users.id"], name=op.f("fk_safety_tasks_acknowledged_by_users")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.user_id"], name=op.f("fk_safety_tasks_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_tasks")),
    )
    with op.batch_alter_table("safety_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_tasks_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            "ix_safety_tasks_status_priority_created_at", ["status", "priority", "created_at"], unique=False
        )

    op.create_table(
        "scale_results",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("scale", sa.String(length=20), nullable=False),
        sa.Column("scale_version", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=30), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("entered_by_role", sa.String(length=20), nullable=False),
        sa.Column("entered_by_id", sa.Uuid(), nullable=False),
        sa.Column("entered_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["entered_by_id"], ["users.id"], name=op.f("fk_scale_results_entered_by_id_users")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.user_id"], name=op.f("fk_scale_results_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["scale_results.id"], name=op.f("fk_scale_results_supersedes_id_scale_results")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scale_results")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_scale_results_supersedes_id")),
    )
    with op.batch_alter_table("scale_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scale_results_patient_id_scale_entered_at", ["patient_id", "scale", "entered_at"], unique=False
        )

    op.create_table(
        "safety_task_assignees",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("psychiatrist_id", sa.Uuid(), nullable=False),
        sa.Column("routed_because", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["psychiatrist_id"],
            ["users.id"],
            name=op.f("fk_safety_task_assignees_psychiatrist_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["safety_tasks.id"],
            name=op.f("fk_safety_task_assignees_task_id_safety_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_task_assignees")),
        sa.UniqueConstraint("task_id", "psychiatrist_id", name=op.f("uq_safety_task_assignees_task_id")),
    )
    with op.batch_alter_table("safety_task_assignees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_task_assignees_psychiatrist_id"), ["psychiatrist_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_safety_task_assignees_task_id"), ["task_id"], unique=False)

    op.create_table(
        "scale_assignments",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("scale", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("assigned_by", sa.Uuid(), nullable=False),
        sa.Column("assigned_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", services.api.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["assigned_by"], ["users.id"], name=op.f("fk_scale_assignments_assigned_by_users")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.user_id"],
            name=op.f("fk_scale_assignments_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["result_id"], ["scale_results.id"], name=op.f("fk_scale_assignments_result_id_scale_results")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scale_assignments")),
    )
    with op.batch_alter_table("scale_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scale_assignments_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "screening_flags",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.String(length=60), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("rule_set_version", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", services.api.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_screening_flags_intake_id_intakes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.user_id"],
            name=op.f("fk_screening_flags_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["reviewed_by"], ["users.id"], name=op.f("fk_screening_flags_reviewed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_flags")),
    )
    with op.batch_alter_table("screening_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_flags_intake_id"), ["intake_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_flags_patient_id"), ["patient_id"], unique=False)

    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("preferred_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("sex", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("current_state", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("emergency_contact_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("emergency_contact_phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("emergency_contact_relationship", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("primary_care_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("primary_care_phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("pharmacy_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("pharmacy_phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("pharmacy_address", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("profile_updated_at", services.api.core.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("profile_updated_at")
        batch_op.drop_column("pharmacy_address")
        batch_op.drop_column("pharmacy_phone")
        batch_op.drop_column("pharmacy_name")
        batch_op.drop_column("primary_care_phone")
        batch_op.drop_column("primary_care_name")
        batch_op.drop_column("emergency_contact_relationship")
        batch_op.drop_column("emergency_contact_phone")
        batch_op.drop_column("emergency_contact_name")
        batch_op.drop_column("phone")
        batch_op.drop_column("current_state")
        batch_op.drop_column("sex")
        batch_op.drop_column("preferred_name")
        batch_op.drop_column("legal_name")

    with op.batch_alter_table("screening_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_flags_patient_id"))
        batch_op.drop_index(batch_op.f("ix_screening_flags_intake_id"))

    op.drop_table("screening_flags")
    with op.batch_alter_table("scale_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scale_assignments_patient_id"))

    op.drop_table("scale_assignments")
    with op.batch_alter_table("safety_task_assignees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_task_assignees_task_id"))
        batch_op.drop_index(batch_op.f("ix_safety_task_assignees_psychiatrist_id"))

    op.drop_table("safety_task_assignees")
    with op.batch_alter_table("scale_results", schema=None) as batch_op:
        batch_op.drop_index("ix_scale_results_patient_id_scale_entered_at")

    op.drop_table("scale_results")
    with op.batch_alter_table("safety_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_safety_tasks_status_priority_created_at")
        batch_op.drop_index(batch_op.f("ix_safety_tasks_patient_id"))

    op.drop_table("safety_tasks")
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_intakes_patient_id_draft",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index("ix_intakes_patient_id_created_at")

    op.drop_table("intakes")
    with op.batch_alter_table("consent_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_signatures_patient_id"))

    op.drop_table("consent_signatures")
