"""stored rollups of consumption

Building-year totals and district-month totals, filled here from the records already stored;
from then on every writer keeps them in step (app.services.rollups).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 08:19:31.152580
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL_BUILDING_YEAR_TOTALS = """
INSERT INTO building_year_totals (year, building_id, carrier_code, grain, months_reported, months_mask, quantity,
    kgce_calorific, kgce_generation, lighting_kwh, hvac_kwh, power_kwh, special_kwh)
SELECT year, building_id, carrier_code, max(grain),
    sum(CASE WHEN sub_item = '' THEN 1 ELSE 0 END),
    sum(CASE WHEN sub_item = '' THEN (1 << month) ELSE 0 END),
    sum(CASE WHEN sub_item = '' THEN quantity END),
    sum(CASE WHEN sub_item = '' THEN kgce_calorific END),
    sum(CASE WHEN sub_item = '' THEN kgce_generation END),
    sum(CASE WHEN sub_item = 'A' THEN quantity END),
    sum(CASE WHEN sub_item = 'B' THEN quantity END),
    sum(CASE WHEN sub_item = 'C' THEN quantity END),
    sum(CASE WHEN sub_item = 'D' THEN quantity END)
FROM consumption_records GROUP BY year, building_id, carrier_code
"""
FILL_AREA_MONTH_TOTALS = """
INSERT INTO area_month_totals (year, month, carrier_code, district_code, province_code, city_code, buildings,
    quantity, kgce_calorific, kgce_generation)
SELECT r.year, r.month, r.carrier_code, b.district_code, b.province_code, b.city_code, count(*),
    sum(r.quantity), sum(r.kgce_calorific), sum(r.kgce_generation)
FROM consumption_records r JOIN buildings b ON b.id = r.building_id
WHERE r.sub_item = ''
GROUP BY r.year, r.month, r.carrier_code, b.district_code, b.province_code, b.city_code
"""


def upgrade() -> None:
    op.create_table('area_month_totals',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('carrier_code', sa.String(length=32), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=False),
    sa.Column('city_code', sa.String(length=6), nullable=False),
    sa.Column('buildings', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('kgce_calorific', sa.Float(), nullable=False),
    sa.Column('kgce_generation', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'month', 'carrier_code', 'district_code', name=op.f('pk_area_month_totals'))
    )
    op.create_table('building_year_totals',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('carrier_code', sa.String(length=32), nullable=False),
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('months_reported', sa.Integer(), nullable=False),
    sa.Column('months_mask', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=True),
    sa.Column('kgce_calorific', sa.Float(), nullable=True),
    sa.Column('kgce_generation', sa.Float(), nullable=True),
    sa.Column('lighting_kwh', sa.Float(), nullable=True),
    sa.Column('hvac_kwh', sa.Float(), nullable=True),
    sa.Column('power_kwh', sa.Float(), nullable=True),
    sa.Column('special_kwh', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('year', 'building_id', 'carrier_code', name=op.f('pk_building_year_totals'))
    )
    with op.batch_alter_table('building_year_totals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_year_totals_building_id'), ['building_id'], unique=False)
    op.execute(FILL_BUILDING_YEAR_TOTALS)
    op.execute(FILL_AREA_MONTH_TOTALS)


def downgrade() -> None:
    with op.batch_alter_table('building_year_totals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_year_totals_building_id'))

    op.drop_table('building_year_totals')
    op.drop_table('area_month_totals')
