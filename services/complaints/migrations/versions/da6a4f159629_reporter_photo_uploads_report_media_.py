"""reporter photo uploads: report_media.complaint_id null until cited

A photo uploaded with `POST /complaints/photos` waits, uncited, for the report that cites it;
the retention scan deletes the uncited ones after a day (the partial index serves it).

Revision ID: da6a4f159629
Revises: c420a947b8f6
Create Date: 2026-12-08 02:52:52.380786
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'da6a4f159629'
down_revision: str | None = 'c420a947b8f6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNCITED = sa.text('complaint_id IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('report_media', schema=None) as batch_op:
        batch_op.alter_column('complaint_id',
               existing_type=sa.VARCHAR(length=64),
               nullable=True)
        batch_op.create_index('ix_report_media_uncited', ['created_at'], unique=False,
                              sqlite_where=UNCITED, postgresql_where=UNCITED)


def downgrade() -> None:
    op.execute("DELETE FROM report_media WHERE complaint_id IS NULL")  # uploads nobody cited
    with op.batch_alter_table('report_media', schema=None) as batch_op:
        batch_op.drop_index('ix_report_media_uncited', sqlite_where=UNCITED,
                            postgresql_where=UNCITED)
        batch_op.alter_column('complaint_id',
               existing_type=sa.VARCHAR(length=64),
               nullable=False)
