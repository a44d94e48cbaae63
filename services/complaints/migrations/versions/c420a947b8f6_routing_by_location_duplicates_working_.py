"""routing by location, duplicates, working-day SLA clock

Community boundaries (projection of `community.boundary_set`); a site board's location; a
report's point (lat/lng, for routing and "nearby"), supporters and `duplicate_of`; the SLA
clock as a period (`sla`: "4h", "3wd") with the district escalation's own deadline and the
`calendar_estimated` flag, replacing `sla_hours`. Existing reports keep their clock: `sla`
becomes "<sla_hours>h", the district deadline `due_at + sla_hours`, and their point is read
from their `location`.

Revision ID: c420a947b8f6
Revises: c9b51360789e
Create Date: 2026-12-08 01:49:48.890307
"""
from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.tables

revision: str = 'c420a947b8f6'
down_revision: str | None = 'c9b51360789e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POSTGRES_BACKFILL = """
UPDATE complaints SET
    sla = sla_hours || 'h',
    district_due_at = due_at + make_interval(hours => sla_hours),
    lat = CASE WHEN json_typeof(location -> 'lat') = 'number'
               THEN (location ->> 'lat')::double precision END,
    lng = CASE WHEN json_typeof(location -> 'lng') = 'number'
               THEN (location ->> 'lng')::double precision END
"""


def _backfill() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(_POSTGRES_BACKFILL)
        return
    complaints = sa.table(
        'complaints', sa.column('id', sa.String()), sa.column('sla_hours', sa.Integer()),
        sa.column('due_at', shared.tables.UTCDateTime()), sa.column('location', sa.JSON()),
        sa.column('sla', sa.String()), sa.column('district_due_at', shared.tables.UTCDateTime()),
        sa.column('lat', sa.Float()), sa.column('lng', sa.Float()))
    rows = bind.execute(sa.select(complaints.c.id, complaints.c.sla_hours, complaints.c.due_at,
                                  complaints.c.location)).all()
    for complaint_id, hours, due_at, location in rows:
        point = location if isinstance(location, dict) else {}
        lat, lng = point.get('lat'), point.get('lng')
        bind.execute(complaints.update().where(complaints.c.id == complaint_id).values(
            sla=f"{hours}h", district_due_at=due_at + timedelta(hours=hours),
            lat=lat if isinstance(lat, int | float) else None,
            lng=lng if isinstance(lng, int | float) else None))


def upgrade() -> None:
    op.create_table('community_boundaries',
    sa.Column('community_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('boundary', sa.JSON(), nullable=False),
    sa.Column('set_at', shared.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('community_id')
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lng', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('supporters', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('duplicate_of', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('sla', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.add_column(sa.Column('district_due_at', shared.tables.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('calendar_estimated', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_complaints_duplicate_of'), ['duplicate_of'], unique=False)
        batch_op.create_index('ix_complaints_nearby', ['category', 'lat', 'lng'], unique=False)
        batch_op.create_index('ix_complaints_estimated', ['due_at'], unique=False,
                              sqlite_where=sa.text('calendar_estimated'),
                              postgresql_where=sa.text('calendar_estimated'))

    _backfill()

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('sla', existing_type=sqlmodel.sql.sqltypes.AutoString(length=8),
                              nullable=False)
        batch_op.alter_column('district_due_at',
                              existing_type=shared.tables.UTCDateTime(timezone=True),
                              nullable=False)
        batch_op.drop_column('sla_hours')

    with op.batch_alter_table('site_boards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lng', sa.Float(), nullable=True))
        batch_op.create_index('ix_site_boards_location', ['lat', 'lng'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('site_boards', schema=None) as batch_op:
        batch_op.drop_index('ix_site_boards_location')
        batch_op.drop_column('lng')
        batch_op.drop_column('lat')

    # Hours only: a working-day period comes back as its length in days of 24 hours.
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_hours', sa.INTEGER(), nullable=True))
    op.execute("UPDATE complaints SET sla_hours = CASE WHEN sla LIKE '%wd' "
               "THEN CAST(REPLACE(sla, 'wd', '') AS INTEGER) * 24 "
               "ELSE CAST(REPLACE(sla, 'h', '') AS INTEGER) END")
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('sla_hours', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_index('ix_complaints_estimated', sqlite_where=sa.text('calendar_estimated'),
                            postgresql_where=sa.text('calendar_estimated'))
        batch_op.drop_index('ix_complaints_nearby')
        batch_op.drop_index(batch_op.f('ix_complaints_duplicate_of'))
        batch_op.drop_column('calendar_estimated')
        batch_op.drop_column('district_due_at')
        batch_op.drop_column('sla')
        batch_op.drop_column('duplicate_of')
        batch_op.drop_column('supporters')
        batch_op.drop_column('lng')
        batch_op.drop_column('lat')

    op.drop_table('community_boundaries')
