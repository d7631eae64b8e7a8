"""accounts: roles, producer members, rate limits

Users get two role flags (every existing user starts as a plain shopper: the server
defaults fill the rows already there); sellers are members of a producer; login and
registration attempts are counted per key and window in rate_limit_hits.

Revision ID: 20186366bc96
Revises: c1bd1fa9fceb
Create Date: 2026-11-23 08:36:49.820429

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20186366bc96'
down_revision = 'c1bd1fa9fceb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_hits',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_rate_limit_hits'))
    )
    with op.batch_alter_table('rate_limit_hits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_hits_expires_at'), ['expires_at'], unique=False)

    op.create_table('producer_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'staff', name='memberrole', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_producer_members_producer_id_producers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_producer_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_members')),
    sa.UniqueConstraint('user_id', 'producer_id', name=op.f('uq_producer_members_user_id_producer_id'))
    )
    # user_id needs no index of its own: the unique constraint's index leads with it.
    with op.batch_alter_table('producer_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producer_members_producer_id'), ['producer_id'], unique=False)

    # sa.false() renders as 0 on SQLite and false on PostgreSQL (where 0 is not a boolean).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_curator', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_admin')
        batch_op.drop_column('is_curator')

    with op.batch_alter_table('producer_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producer_members_producer_id'))

    op.drop_table('producer_members')
    with op.batch_alter_table('rate_limit_hits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_hits_expires_at'))

    op.drop_table('rate_limit_hits')
