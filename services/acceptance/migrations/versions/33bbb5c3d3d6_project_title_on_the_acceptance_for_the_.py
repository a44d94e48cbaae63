"""project title on the acceptance, for the record

Revision ID: 33bbb5c3d3d6
Revises: 16c996141445
Create Date: 2026-12-08 03:03:04.718389
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '33bbb5c3d3d6'
down_revision: str | None = '16c996141445'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('acceptances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_title', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('acceptances', schema=None) as batch_op:
        batch_op.drop_column('project_title')
