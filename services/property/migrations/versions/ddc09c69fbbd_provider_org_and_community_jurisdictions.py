"""provider org and community jurisdictions

Providers are registered with their organisation id (`org`, what their staff's tokens carry)
and each trial keeps its provider's org; the community jurisdictions projection decides where
the offices act. A provider registered before it had an org gets its own id as its org: that
is the org property complaints were routed to until now, so nothing changes for it.

Revision ID: ddc09c69fbbd
Revises: a6613e5518d5
Create Date: 2026-12-08 01:47:26.240929
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.tables

revision: str = 'ddc09c69fbbd'
down_revision: str | None = 'a6613e5518d5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORG = sqlmodel.sql.sqltypes.AutoString(length=64)


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
    # Added NOT NULL with a placeholder default and filled at once: on SQLite, making a column
    # NOT NULL afterwards recreates the table, which the trials' foreign keys refuse.
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org', _ORG, nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_providers_org'), ['org'], unique=False)
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_org', _ORG, nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_trials_provider_org'), ['provider_org'],
                              unique=False)

    op.execute("UPDATE providers SET org = id")
    op.execute("UPDATE trials SET provider_org = (SELECT providers.org FROM providers"
               " WHERE providers.id = trials.provider_id)")

    # Every insert names the org: no default stays where dropping it is a plain ALTER.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column('providers', 'org', server_default=None)
        op.alter_column('trials', 'provider_org', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trials_provider_org'))
        batch_op.drop_column('provider_org')

    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_providers_org'))
        batch_op.drop_column('org')

    op.drop_table('community_jurisdictions')
