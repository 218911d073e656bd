"""Visit notes (signed notes and addenda locked by triggers), treatment plans, infusion sessions and vitals

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-21 23:57:53.343951
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.api.core.db

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "treatment_plans",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("indication", sa.String(length=40), nullable=False),
        sa.Column("indication_detail", sa.Text(), nullable=False),
        sa.Column("induction_infusions", sa.Integer(), nullable=False),
        sa.Column("dose_mg_per_kg", sa.Numeric(precision=5, scale=3), nullable=False),
        sa.Column("infusion_minutes", sa.Integer(), nullable=False),
        sa.Column("infusions_per_week", sa.Integer(), nullable=False),
        sa.Column("schedule_notes", sa.Text(), nullable=False),
        sa.Column("maintenance_interval_weeks", sa.Integer(), nullable=True),
        sa.Column("maintenance_notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_at", services.api.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_treatment_plans_created_by_users")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.user_id"], name=op.f("fk_treatment_plans_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_plans")),
    )
    with op.batch_alter_table("treatment_plans", schema=None) as batch_op:
        batch_op.create_index("ix_treatment_plans_patient_id_status", ["patient_id", "status"], unique=False)

    op.create_table(
        "visit_notes",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("consult_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("template", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("visit_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modality", sa.String(length=12), nullable=False),
        sa.Column("place_of_service", sa.String(length=2), nullable=False),
        sa.Column("subjective", sa.Text(), nullable=False),
        sa.Column("objective", sa.Text(), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("diagnoses", sa.JSON(), nullable=False),
        sa.Column("billing_codes", sa.JSON(), nullable=False),
        sa.Column("summary_sections", sa.JSON(), nullable=False),
        sa.Column("patient_instructions", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_at", services.api.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("signer_name", sa.String(length=260), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_visit_notes_author_id_users")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.user_id"], name=op.f("fk_visit_notes_patient_id_patients")),
        sa.ForeignKeyConstraint(["signed_by"], ["users.id"], name=op.f("fk_visit_notes_signed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_notes")),
    )
    with op.batch_alter_table("visit_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_notes_consult_id"), ["consult_id"], unique=False)
        batch_op.create_index("ix_visit_notes_patient_id_visit_at", ["patient_id", "visit_at"], unique=False)

    op.create_table(
        "infusion_sessions",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("weight_kg", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("dose_mg_per_kg", sa.Numeric(precision=5, scale=3), nullable=False),
        sa.Column("dose_mg", sa.Numeric(precision=6, scale=1), nullable=False),
        sa.Column("lot_number", sa.String(length=40), nullable=True),
        sa.Column("started_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", services.api.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("bp_override_reason", sa.Text(), nullable=True),
        sa.Column("cadss6_items", sa.JSON(), nullable=True),
        sa.Column("cadss6_score", sa.Integer(), nullable=True),
        sa.Column("side_effects", sa.JSON(), nullable=False),
        sa.Column("interventions", sa.JSON(), nullable=False),
        sa.Column("serious_event", sa.Boolean(), nullable=False),
        sa.Column("discharge_alert", sa.Boolean(), nullable=True),
        sa.Column("discharge_vitals_near_baseline", sa.Boolean(), nullable=True),
        sa.Column("discharge_escort_present", sa.Boolean(), nullable=True),
        sa.Column("discharged_at", services.api.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("clinician_notes", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_infusion_sessions_created_by_users")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.user_id"], name=op.f("fk_infusion_sessions_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["treatment_plans.id"], name=op.f("fk_infusion_sessions_plan_id_treatment_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_infusion_sessions")),
        sa.UniqueConstraint("plan_id", "sequence", name=op.f("uq_infusion_sessions_plan_id")),
    )
    with op.batch_alter_table("infusion_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_infusion_sessions_patient_id_started_at", ["patient_id", "started_at"], unique=False)

    op.create_table(
        "treatment_plan_status_changes",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=False),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=False),
        sa.Column("changed_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["users.id"], name=op.f("fk_treatment_plan_status_changes_changed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["treatment_plans.id"], name=op.f("fk_treatment_plan_status_changes_plan_id_treatment_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_plan_status_changes")),
    )
    with op.batch_alter_table("treatment_plan_status_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_treatment_plan_status_changes_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "visit_note_addenda",
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("author_name", sa.String(length=260), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("include_in_summary", sa.Boolean(), nullable=False),
        sa.Column("signed_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_visit_note_addenda_author_id_users")),
        sa.ForeignKeyConstraint(
            ["note_id"], ["visit_notes.id"], name=op.f("fk_visit_note_addenda_note_id_visit_notes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_note_addenda")),
    )
    with op.batch_alter_table("visit_note_addenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_note_addenda_note_id"), ["note_id"], unique=False)

    op.create_table(
        "infusion_vitals",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("timepoint", sa.String(length=10), nullable=False),
        sa.Column("systolic", sa.Integer(), nullable=False),
        sa.Column("diastolic", sa.Integer(), nullable=False),
        sa.Column("heart_rate", sa.Integer(), nullable=False),
        sa.Column("spo2", sa.Integer(), nullable=False),
        sa.Column("recorded_at", services.api.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_infusion_vitals_recorded_by_users")),
        sa.ForeignKeyConstraint(
            ["session_id"], ["infusion_sessions.id"], name=op.f("fk_infusion_vitals_session_id_infusion_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_infusion_vitals")),
        sa.UniqueConstraint("session_id", "timepoint", name=op.f("uq_infusion_vitals_session_id")),
    )
    with op.batch_alter_table("infusion_vitals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_infusion_vitals_session_id"), ["session_id"], unique=False)
    _lock_signed_records()


# A signed note is never updated or deleted, and an addendum never changes: the database refuses
# it too, whatever code runs. (A later SQLite batch migration that rebuilds these tables must
# create the triggers again.)
_SQLITE_TRIGGERS = (
    """CREATE TRIGGER visit_notes_signed_no_update BEFORE UPDATE ON visit_notes
    WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, 'a signed visit note cannot be changed'); END""",
    """CREATE TRIGGER visit_notes_signed_no_delete BEFORE DELETE ON visit_notes
    WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, 'a signed visit note cannot be deleted'); END""",
    """CREATE TRIGGER visit_note_addenda_no_update BEFORE UPDATE ON visit_note_addenda
    BEGIN SELECT RAISE(ABORT, 'an addendum cannot be changed'); END""",
    """CREATE TRIGGER visit_note_addenda_no_delete BEFORE DELETE ON visit_note_addenda
    BEGIN SELECT RAISE(ABORT, 'an addendum cannot be deleted'); END""",
)

_POSTGRES_TRIGGERS = (
    """CREATE FUNCTION halcyon_refuse_signed_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status = 'signed' THEN
            RAISE EXCEPTION 'a signed visit note cannot be changed or deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER visit_notes_signed_locked BEFORE UPDATE OR DELETE ON visit_notes
    FOR EACH ROW EXECUTE FUNCTION halcyon_refuse_signed_note_change()""",
    """CREATE FUNCTION halcyon_refuse_addendum_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'an addendum cannot be changed or deleted' USING ERRCODE = 'restrict_violation';
    END $$""",
    """CREATE TRIGGER visit_note_addenda_locked BEFORE UPDATE OR DELETE ON visit_note_addenda
    FOR EACH ROW EXECUTE FUNCTION halcyon_refuse_addendum_change()""",
)


def _lock_signed_records() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def _unlock_signed_records() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS visit_note_addenda_locked ON visit_note_addenda")
        op.execute("DROP TRIGGER IF EXISTS visit_notes_signed_locked ON visit_notes")
        op.execute("DROP FUNCTION IF EXISTS halcyon_refuse_addendum_change()")
        op.execute("DROP FUNCTION IF EXISTS halcyon_refuse_signed_note_change()")
    else:
        for name in (
            "visit_notes_signed_no_update",
            "visit_notes_signed_no_delete",
            "visit_note_addenda_no_update",
            "visit_note_addenda_no_delete",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def downgrade() -> None:
    _unlock_signed_records()
    with op.batch_alter_table("infusion_vitals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_infusion_vitals_session_id"))

    op.drop_table("infusion_vitals")
    with op.batch_alter_table("visit_note_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_note_addenda_note_id"))

    op.drop_table("visit_note_addenda")
    with op.batch_alter_table("treatment_plan_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_plan_status_changes_plan_id"))

    op.drop_table("treatment_plan_status_changes")
    with op.batch_alter_table("infusion_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_infusion_sessions_patient_id_started_at")

    op.drop_table("infusion_sessions")
    with op.batch_alter_table("visit_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_notes_patient_id_visit_at")
        batch_op.drop_index(batch_op.f("ix_visit_notes_consult_id"))

    op.drop_table("visit_notes")
    with op.batch_alter_table("treatment_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_treatment_plans_patient_id_status")

    op.drop_table("treatment_plans")
