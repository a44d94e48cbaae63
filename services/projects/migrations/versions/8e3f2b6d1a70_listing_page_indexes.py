"""listing page indexes: (filter, created_at, id)

Revision ID: 8e3f2b6d1a70
Revises: 35e2122e975e
Create Date: 2026-11-28 10:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '8e3f2b6d1a70'
down_revision: str | None = '35e2122e975e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_projects_status_page', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_projects_community_page', ['community_id', 'status', 'created_at', 'id'], unique=False)
        batch_op.drop_index('ix_projects_community_status')


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_community_status', ['community_id', 'status'], unique=False)
        batch_op.drop_index('ix_projects_created')
        batch_op.drop_index('ix_projects_status_page')
        batch_op.drop_index('ix_projects_community_page')
