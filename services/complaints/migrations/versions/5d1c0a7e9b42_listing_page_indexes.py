"""listing page indexes: (filter, created_at, id)

Revision ID: 5d1c0a7e9b42
Revises: b9639f072c11
Create Date: 2026-11-28 10:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '5d1c0a7e9b42'
down_revision: str | None = 'b9639f072c11'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_project_page', ['project_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_complaints_community_page', ['community_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_complaints_routed_page', ['routed_org', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_complaints_assignee_page', ['assignee_org', 'created_at', 'id'], unique=False)
        batch_op.drop_index('ix_complaints_project_id')
        batch_op.drop_index('ix_complaints_community_id')
        batch_op.drop_index('ix_complaints_routed_org')
        batch_op.drop_index('ix_complaints_assignee_org')


def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_project_id', ['project_id'], unique=False)
        batch_op.create_index('ix_complaints_community_id', ['community_id'], unique=False)
        batch_op.create_index('ix_complaints_routed_org', ['routed_org'], unique=False)
        batch_op.create_index('ix_complaints_assignee_org', ['assignee_org'], unique=False)
        batch_op.drop_index('ix_complaints_project_page')
        batch_op.drop_index('ix_complaints_community_page')
        batch_op.drop_index('ix_complaints_routed_page')
        batch_op.drop_index('ix_complaints_assignee_page')
