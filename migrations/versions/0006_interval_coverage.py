"""coverage of months summed from interval readings

A consumption record summed from 15-minute, hourly or daily readings keeps the share of its month
that the readings cover; below 1 the month is incomplete and is not counted as a reported month.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-02 13:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consumption_records") as batch:
        batch.add_column(sa.Column("coverage", sa.Float(), nullable=True))
    with op.batch_alter_table("consumption_history") as batch:
        batch.add_column(sa.Column("coverage", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consumption_history") as batch:
        batch.drop_column("coverage")
    with op.batch_alter_table("consumption_records") as batch:
        batch.drop_column("coverage")
