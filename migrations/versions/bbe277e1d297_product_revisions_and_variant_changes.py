"""product revisions and variant changes: product_revisions, variant_changes

product_revisions holds a published product's curated content changes until a curator
decides (at most one pending per product: uq_product_revisions_pending); variant_changes
logs every price and stock change. Two new tables, nothing existing is altered.

Revision ID: bbe277e1d297
Revises: 6236b4729a09
Create Date: 2026-11-23 12:20:08.762533

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bbe277e1d297'
down_revision = '6236b4729a09'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('product_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'changes_requested', 'rejected', 'withdrawn', name='revisiondecision', native_enum=False, length=32), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('curator_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint('(decision IS NULL) = (decided_at IS NULL)', name=op.f('ck_product_revisions_decided_with_time')),
    sa.ForeignKeyConstraint(['curator_id'], ['users.id'], name=op.f('fk_product_revisions_curator_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_revisions_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_product_revisions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_revisions'))
    )
    with op.batch_alter_table('product_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_revisions_curator_id'), ['curator_id'], unique=False)
        batch_op.create_index('ix_product_revisions_product_id_submitted_at', ['product_id', 'submitted_at'], unique=False)
        batch_op.create_index('uq_product_revisions_pending', ['product_id'], unique=True, sqlite_where=sa.text('decision IS NULL'), postgresql_where=sa.text('decision IS NULL'))

    op.create_table('variant_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=16), nullable=False),
    sa.Column('old_value', sa.BigInteger(), nullable=False),
    sa.Column('new_value', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_variant_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_variant_changes_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['product_variants.id'], name=op.f('fk_variant_changes_variant_id_product_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variant_changes'))
    )
    with op.batch_alter_table('variant_changes', schema=None) as batch_op:
        batch_op.create_index('ix_variant_changes_product_id_created_at', ['product_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_variant_changes_variant_id'), ['variant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('variant_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variant_changes_variant_id'))
        batch_op.drop_index('ix_variant_changes_product_id_created_at')

    op.drop_table('variant_changes')
    with op.batch_alter_table('product_revisions', schema=None) as batch_op:
        batch_op.drop_index('uq_product_revisions_pending', sqlite_where=sa.text('decision IS NULL'), postgresql_where=sa.text('decision IS NULL'))
        batch_op.drop_index('ix_product_revisions_product_id_submitted_at')
        batch_op.drop_index(batch_op.f('ix_product_revisions_curator_id'))

    op.drop_table('product_revisions')
