"""covering index for yearly aggregation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 07:11:33.958671
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('consumption_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consumption_records_year_carrier'))
        batch_op.create_index('ix_consumption_records_year_building', ['year', 'building_id', 'carrier_code', 'sub_item', 'grain', 'quantity', 'kgce_calorific', 'kgce_generation'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consumption_records', schema=None) as batch_op:
        batch_op.drop_index('ix_consumption_records_year_building')
        batch_op.create_index(batch_op.f('ix_consumption_records_year_carrier'), ['year', 'carrier_code'], unique=False)
