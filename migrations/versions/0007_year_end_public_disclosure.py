"""year-end public disclosure

Disclosure lists per region and year, their entries, and the published versions with their
immutable item snapshots (能效公示).

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02 13:21:42.058156
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('disclosure_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('change_note', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'published', 'withdrawn')", name=op.f('ck_disclosure_lists_status')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_disclosure_lists_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_lists')),
    sa.UniqueConstraint('region_code', 'year', name=op.f('uq_disclosure_lists_region_code_year'))
    )
    op.create_table('disclosure_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('is_included', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("source IN ('proposed', 'added')", name=op.f('ck_disclosure_entries_source')),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_disclosure_entries_building_id_buildings')),
    sa.ForeignKeyConstraint(['list_id'], ['disclosure_lists.id'], name=op.f('fk_disclosure_entries_list_id_disclosure_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_entries')),
    sa.UniqueConstraint('list_id', 'building_id', name=op.f('uq_disclosure_entries_list_id_building_id'))
    )
    with op.batch_alter_table('disclosure_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_entries_list_id'), ['list_id'], unique=False)

    op.create_table('disclosure_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('benchmark_edition', sa.String(length=32), nullable=False),
    sa.Column('factor_versions', sa.JSON(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=True),
    sa.Column('building_count', sa.Integer(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=64), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['disclosure_lists.id'], name=op.f('fk_disclosure_versions_list_id_disclosure_lists')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_disclosure_versions_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_versions')),
    sa.UniqueConstraint('region_code', 'year', 'version', name=op.f('uq_disclosure_versions_region_code_year_version'))
    )
    with op.batch_alter_table('disclosure_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_versions_list_id'), ['list_id'], unique=False)

    op.create_table('disclosure_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('building_code', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('building_class', sa.String(length=1), nullable=False),
    sa.Column('is_government_office', sa.Boolean(), nullable=False),
    sa.Column('is_large_public', sa.Boolean(), nullable=False),
    sa.Column('climate_zone', sa.String(length=32), nullable=True),
    sa.Column('floor_area_m2', sa.Float(), nullable=False),
    sa.Column('energy_kgce', sa.Float(), nullable=True),
    sa.Column('energy_kwh_m2', sa.Float(), nullable=True),
    sa.Column('energy_kgce_m2', sa.Float(), nullable=True),
    sa.Column('comparable_kwh_m2', sa.Float(), nullable=True),
    sa.Column('constraint_kwh_m2', sa.Float(), nullable=True),
    sa.Column('guide_kwh_m2', sa.Float(), nullable=True),
    sa.Column('benchmark_status', sa.String(length=24), nullable=True),
    sa.Column('is_audited', sa.Boolean(), nullable=False),
    sa.Column('is_comparable', sa.Boolean(), nullable=False),
    sa.Column('comparison_reason', sa.String(length=32), nullable=True),
    sa.Column('kgce_previous', sa.Float(), nullable=True),
    sa.Column('change_pct', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['disclosure_versions.id'], name=op.f('fk_disclosure_items_version_id_disclosure_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_items')),
    sa.UniqueConstraint('version_id', 'building_code', name=op.f('uq_disclosure_items_version_id_building_code'))
    )
    with op.batch_alter_table('disclosure_items', schema=None) as batch_op:
        batch_op.create_index('ix_disclosure_items_code_version', ['building_code', 'version_id'], unique=False)
        batch_op.create_index('ix_disclosure_items_version_kwh', ['version_id', 'energy_kwh_m2'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('disclosure_items', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_items_version_kwh')
        batch_op.drop_index('ix_disclosure_items_code_version')

    op.drop_table('disclosure_items')
    with op.batch_alter_table('disclosure_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_versions_list_id'))

    op.drop_table('disclosure_versions')
    with op.batch_alter_table('disclosure_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_entries_list_id'))

    op.drop_table('disclosure_entries')
    op.drop_table('disclosure_lists')
