"""open311 media uploads: report_media (photos re-encoded without metadata)

Revision ID: 8483a5a624cb
Revises: 5d1c0a7e9b42
Create Date: 2026-12-08 01:43:01.223187
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db


revision: str = '8483a5a624cb'
down_revision: str | None = '5d1c0a7e9b42'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_media',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('complaint_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('report_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_media_complaint_id'), ['complaint_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('report_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_media_complaint_id'))

    op.drop_table('report_media')
