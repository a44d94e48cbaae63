"""reporter contact lifecycle (erased_at, partial index of reports holding a contact), report
token generation, contact view audit, community jurisdictions projection

Revision ID: c9b51360789e
Revises: 8483a5a624cb
Create Date: 2026-12-08 01:43:38.589952
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db


revision: str = 'c9b51360789e'
down_revision: str | None = '8483a5a624cb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('community_jurisdictions',
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('district', sa.String(length=64), nullable=False),
    sa.Column('district_bureau_org', sa.String(length=64), nullable=False),
    sa.Column('subdistrict_org', sa.String(length=64), nullable=False),
    sa.Column('community_org', sa.String(length=64), nullable=False),
    sa.Column('set_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('community_id')
    )
    op.create_table('contact_views',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('complaint_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('viewer_sub', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('viewer_org', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('viewer_roles', sa.JSON(), nullable=False),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('viewed_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact_views', schema=None) as batch_op:
        batch_op.create_index('ix_contact_views_complaint', ['complaint_id', 'viewed_at', 'id'], unique=False)
        batch_op.create_index('ix_contact_views_page', ['viewed_at', 'id'], unique=False)
        batch_op.create_index('ix_contact_views_viewer', ['viewer_sub', 'viewed_at', 'id'], unique=False)

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_erased_at', shared.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('token_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_complaints_contact_due', ['closed_at'], unique=False, sqlite_where=sa.text('contact_name IS NOT NULL OR contact_phone IS NOT NULL OR contact_email IS NOT NULL'), postgresql_where=sa.text('contact_name IS NOT NULL OR contact_phone IS NOT NULL OR contact_email IS NOT NULL'))



def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_contact_due', sqlite_where=sa.text('contact_name IS NOT NULL OR contact_phone IS NOT NULL OR contact_email IS NOT NULL'), postgresql_where=sa.text('contact_name IS NOT NULL OR contact_phone IS NOT NULL OR contact_email IS NOT NULL'))
        batch_op.drop_column('token_generation')
        batch_op.drop_column('contact_erased_at')

    with op.batch_alter_table('contact_views', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_views_viewer')
        batch_op.drop_index('ix_contact_views_page')
        batch_op.drop_index('ix_contact_views_complaint')

    op.drop_table('contact_views')
    op.drop_table('community_jurisdictions')
