"""weather: monthly degree-days per location, their history, typical-year degree-days; measure dates

Monthly HDD18/CDD26 per GB/T 2260 location (uploaded as the ``weather`` survey kind, or demo series),
superseded months kept in ``weather_history``, typical-year annual degree-days from GB 50176-2016 as
reference data, and the date a retrofit measure was carried out (for verified savings).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weather_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("hdd18", sa.Float(), nullable=False),
        sa.Column("cdd26", sa.Float(), nullable=False),
        sa.Column("mean_temp_c", sa.Float(), nullable=True),
        sa.Column("is_derived", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_weather_months_month")),
        sa.CheckConstraint("hdd18 >= 0 AND cdd26 >= 0", name=op.f("ck_weather_months_degree_days")),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name=op.f("fk_weather_months_upload_id_uploads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weather_months")),
        sa.UniqueConstraint("location_code", "year", "month", name=op.f("uq_weather_months_location_code_year_month")),
    )
    op.create_index(op.f("ix_weather_months_location_code"), "weather_months", ["location_code"], unique=False)
    op.create_table(
        "weather_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("hdd18", sa.Float(), nullable=False),
        sa.Column("cdd26", sa.Float(), nullable=False),
        sa.Column("mean_temp_c", sa.Float(), nullable=True),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_upload_id", sa.Integer(), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name=op.f("fk_weather_history_upload_id_uploads")),
        sa.ForeignKeyConstraint(["superseded_by_upload_id"], ["uploads.id"],
                                name=op.f("fk_weather_history_superseded_by_upload_id_uploads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weather_history")),
    )
    op.create_index(op.f("ix_weather_history_location_code"), "weather_history", ["location_code"], unique=False)
    op.create_table(
        "typical_degree_days",
        sa.Column("location_code", sa.String(length=6), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column("hdd18", sa.Float(), nullable=False),
        sa.Column("cdd26", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("needs_verification", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("location_code", name=op.f("pk_typical_degree_days")),
    )
    with op.batch_alter_table("retrofit_measures") as batch:
        batch.add_column(sa.Column("implemented_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("retrofit_measures") as batch:
        batch.drop_column("implemented_on")
    op.drop_table("typical_degree_days")
    op.drop_index(op.f("ix_weather_history_location_code"), table_name="weather_history")
    op.drop_table("weather_history")
    op.drop_index(op.f("ix_weather_months_location_code"), table_name="weather_months")
    op.drop_table("weather_months")
