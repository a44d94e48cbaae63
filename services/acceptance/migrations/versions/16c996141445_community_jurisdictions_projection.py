"""community jurisdictions projection: who signs and reads for each community's offices

Revision ID: 16c996141445
Revises: 2b14e02aa578
Create Date: 2026-12-08 01:42:05.878766
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.tables

revision: str = '16c996141445'
down_revision: str | None = '2b14e02aa578'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('community_jurisdictions',
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('district', sa.String(length=64), nullable=False),
    sa.Column('district_bureau_org', sa.String(length=64), nullable=False),
    sa.Column('subdistrict_org', sa.String(length=64), nullable=False),
    sa.Column('community_org', sa.String(length=64), nullable=False),
    sa.Column('set_at', shared.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('community_id')
    )


def downgrade() -> None:
    op.drop_table('community_jurisdictions')
