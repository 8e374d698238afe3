"""mapping profiles in the database, external IDs of buildings, month coverage

Mapping profiles saved from the upload page (per region, or shared nationally). A building may carry
its identity in another system (source + ID). A consumption record summed from 15-minute, hourly or
daily readings keeps the share of its month that the readings cover; below 1 the month is incomplete
and is not counted as a reported month.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mapping_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("is_shared", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mapping_profiles")),
        sa.UniqueConstraint("name", "region_code", name=op.f("uq_mapping_profiles_name_region_code")),
    )
    op.create_index(op.f("ix_mapping_profiles_region_code"), "mapping_profiles", ["region_code"], unique=False)
    with op.batch_alter_table("buildings") as batch:
        batch.add_column(sa.Column("external_source", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(batch.f("uq_buildings_external_source_external_id"), ["external_source", "external_id"])
    with op.batch_alter_table("consumption_records") as batch:
        batch.add_column(sa.Column("coverage", sa.Float(), nullable=True))
    with op.batch_alter_table("consumption_history") as batch:
        batch.add_column(sa.Column("coverage", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("buildings") as batch:
        batch.drop_constraint(batch.f("uq_buildings_external_source_external_id"), type_="unique")
        batch.drop_column("external_id")
        batch.drop_column("external_source")
    op.drop_index(op.f("ix_mapping_profiles_region_code"), table_name="mapping_profiles")
    op.drop_table("mapping_profiles")
    with op.batch_alter_table("consumption_history") as batch:
        batch.drop_column("coverage")
    with op.batch_alter_table("consumption_records") as batch:
        batch.drop_column("coverage")
