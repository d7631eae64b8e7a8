"""seller studio: producer invites

An owner invites staff by email; only the sha256 of the link's token is stored (unique,
so a token finds its row through the index). A new table: no rows to backfill, so no
server defaults are needed. Invites go with their producer (CASCADE); the users who sent
or accepted one may be deleted without losing the row (SET NULL).

Revision ID: 3ff4dc1943c7
Revises: 20186366bc96
Create Date: 2026-11-23 09:02:55.473459

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3ff4dc1943c7'
down_revision = '20186366bc96'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('producer_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_producer_invites_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_producer_invites_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_producer_invites_producer_id_producers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_invites')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_producer_invites_token_hash'))
    )
    with op.batch_alter_table('producer_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producer_invites_producer_id'), ['producer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('producer_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producer_invites_producer_id'))

    op.drop_table('producer_invites')
