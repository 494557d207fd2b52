"""The warehouse's tables (SQLAlchemy Core): dossiers, their documents, one event per stage.
The schema itself is Alembic's (``storage/migrations``); these definitions must match it."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa

from schemas.states import DocumentStatus, DossierStatus

metadata = sa.MetaData()


def known(states: type[StrEnum], name: str) -> sa.CheckConstraint:
    """The column ``status`` holds one of ``states`` and nothing else (migration 0009)."""
    listed = ", ".join(f"'{state.value}'" for state in states)
    return sa.CheckConstraint(f"status IN ({listed})", name=name)

dossiers = sa.Table(
    "dossiers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency", sa.String(30), nullable=False),
    sa.Column("code", sa.String(255), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("procedure_code", sa.String(30)),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("manifest", sa.JSON),
    sa.Column("error_reason", sa.String(40)),
    sa.Column("error", sa.Text),
    # [warehouse] from the one-stop shop's register (sohoa register import)
    sa.Column("channel", sa.String(10)),
    sa.Column("registered_at", sa.DateTime(timezone=True)),
    sa.Column("register_components", sa.Integer),
    sa.Column("register_components_digitised", sa.Integer),
    sa.Column("register_components_reused", sa.Integer),
    sa.Column("register_result_electronic", sa.Boolean),
    sa.UniqueConstraint("agency", "code", name="uq_dossier_agency_code"),
    known(DossierStatus, "ck_dossiers_status"),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_id", sa.ForeignKey("dossiers.id"), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("input_sha256", sa.String(64), nullable=False),
    sa.Column("pipeline_version", sa.String(20), nullable=False),
    sa.Column("result_version", sa.Integer),
    sa.Column("page_count", sa.Integer),
    sa.Column("mean_confidence", sa.Float),
    sa.Column("metadata", sa.JSON),
    sa.Column("signature", sa.JSON),
    sa.Column("inputs", sa.JSON, nullable=False),
    sa.Column("result_key", sa.Text),
    sa.Column("result_sha256", sa.String(64)),
    sa.Column("stage_seconds", sa.JSON),
    sa.Column("error_reason", sa.String(40)),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("lease_owner", sa.String(120)),
    sa.Column("lease_until", sa.DateTime(timezone=True)),
    # [warehouse] a component of the dossier or the agency's result; reused from earlier data
    sa.Column("role", sa.String(10)),
    sa.Column("reused_from", sa.String(255)),
    # [integrity] the first document of another dossier (or name) with the same input bytes
    sa.Column("duplicate_of", sa.ForeignKey("documents.id", name="fk_documents_duplicate_of")),
    # a document is its dossier's: the same bytes elsewhere are a document of their own
    sa.UniqueConstraint(
        "dossier_id", "name", "input_sha256", "pipeline_version", name="uq_document_identity"
    ),
    sa.Index("ix_documents_input_sha256", "input_sha256"),
    sa.UniqueConstraint("dossier_id", "name", "result_version", name="uq_document_result_version"),
    known(DocumentStatus, "ck_documents_status"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_id", sa.ForeignKey("dossiers.id"), nullable=False, index=True),
    sa.Column("document_id", sa.ForeignKey("documents.id"), index=True),
    sa.Column("stage", sa.String(30), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("seconds", sa.Float),
    sa.Column("detail", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

users = sa.Table(  # [desk] accounts of the web desk (sohoa users)
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("agency", sa.String(30), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("username", name="uq_users_username"),
)

audit = sa.Table(  # [desk] who did what at the desk (and to accounts): one row per action
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("user_id", sa.ForeignKey("users.id", name="fk_audit_user"), index=True),
    sa.Column("username", sa.String(80), nullable=False),  # as typed, for a failed login
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("agency", sa.String(30), index=True),  # whose data; else the user's agency
    sa.Column("dossier_id", sa.ForeignKey("dossiers.id", name="fk_audit_dossier"), index=True),
    sa.Column("document_id", sa.ForeignKey("documents.id", name="fk_audit_document")),
    sa.Column("detail", sa.Text),
)
