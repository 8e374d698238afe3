"""consumption records checked through their series

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 06:14:48.482715
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('consumption_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_consumption_records_building_id_buildings'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_consumption_records_carrier_code_energy_carriers'), type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('consumption_records', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_consumption_records_carrier_code_energy_carriers'), 'energy_carriers', ['carrier_code'], ['code'])
        batch_op.create_foreign_key(batch_op.f('fk_consumption_records_building_id_buildings'), 'buildings', ['building_id'], ['id'])
