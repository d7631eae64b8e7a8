"""curation: producer status and events, product reviews

Producers get a status (pending, verified, refused) next to ``verified``, which stays
the projection the catalogue reads: existing verified producers become ``verified``
(with one event dated when they were verified), all others ``pending``. Every later
change is a ``producer_events`` row.

``product_reviews`` holds one row per submission and its decision. The partial unique
index ``uq_product_reviews_pending`` (WHERE decision IS NULL, on SQLite and PostgreSQL)
allows one pending review per product. Products already waiting (status submitted) get
their pending review, dated by their last move to submitted.

The downgrade drops ``producers.status`` in place (SQLite 3.35+ ``DROP COLUMN``):
rebuilding ``producers`` with foreign keys on would cascade into its children.

Revision ID: fe02a8c562f3
Revises: 6f715a5ba64c
Create Date: 2026-11-23 11:32:08.439462

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fe02a8c562f3'
down_revision = '6f715a5ba64c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('producer_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.Enum('pending', 'verified', 'refused', name='producerstatus', native_enum=False, length=16), nullable=True),
    sa.Column('to_status', sa.Enum('pending', 'verified', 'refused', name='producerstatus', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_producer_events_actor_id_users')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_producer_events_producer_id_producers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_events'))
    )
    with op.batch_alter_table('producer_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producer_events_producer_id'), ['producer_id'], unique=False)

    op.create_table('product_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('curator_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.Enum('approved', 'changes_requested', 'rejected', name='reviewdecision', native_enum=False, length=32), nullable=True),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('confirmed_certificates', sa.JSON(), nullable=False),
    sa.CheckConstraint('(decision IS NULL) = (decided_at IS NULL)', name=op.f('ck_product_reviews_decided_with_time')),
    sa.ForeignKeyConstraint(['curator_id'], ['users.id'], name=op.f('fk_product_reviews_curator_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_reviews_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_product_reviews_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_reviews'))
    )
    with op.batch_alter_table('product_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_reviews_curator_id'), ['curator_id'], unique=False)
        batch_op.create_index('ix_product_reviews_product_id_submitted_at', ['product_id', 'submitted_at'], unique=False)
        batch_op.create_index('uq_product_reviews_pending', ['product_id'], unique=True, sqlite_where=sa.text('decision IS NULL'), postgresql_where=sa.text('decision IS NULL'))

    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('pending', 'verified', 'refused', name='producerstatus', native_enum=False, length=16), server_default='pending', nullable=False))
        batch_op.create_index(batch_op.f('ix_producers_status'), ['status'], unique=False)

    # Existing rows: verified -> verified (with its event), everything else stays pending.
    producers = sa.table('producers', sa.column('id', sa.Integer), sa.column('status', sa.String),
                         sa.column('verified', sa.Boolean), sa.column('verified_at', sa.DateTime),
                         sa.column('updated_at', sa.DateTime))
    op.execute(producers.update().where(producers.c.verified == sa.true()).values(status='verified'))
    events = sa.table('producer_events', sa.column('producer_id', sa.Integer),
                      sa.column('from_status', sa.String), sa.column('to_status', sa.String),
                      sa.column('reason', sa.Text), sa.column('created_at', sa.DateTime))
    op.execute(events.insert().from_select(
        ['producer_id', 'from_status', 'to_status', 'reason', 'created_at'],
        sa.select(producers.c.id, sa.literal('pending'), sa.literal('verified'), sa.literal(''),
                  sa.func.coalesce(producers.c.verified_at, producers.c.updated_at))
        .where(producers.c.verified == sa.true())))

    # Products already waiting get their pending review.
    empty_object, empty_list = ("CAST('{}' AS JSON)", "CAST('[]' AS JSON)") \
        if op.get_bind().dialect.name == 'postgresql' else ("'{}'", "'[]'")
    op.execute(f"""
        INSERT INTO product_reviews (product_id, submitted_at, checklist, notes, reason,
                                     override_reason, confirmed_certificates)
        SELECT p.id,
               COALESCE((SELECT MAX(e.created_at) FROM product_events e
                         WHERE e.product_id = p.id AND e.to_status = 'submitted'), p.updated_at),
               {empty_object}, {empty_object}, '', '', {empty_list}
        FROM products p WHERE p.status = 'submitted'
    """)


def downgrade():
    with op.batch_alter_table('producers', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_producers_status'))
        batch_op.drop_column('status')

    with op.batch_alter_table('product_reviews', schema=None) as batch_op:
        batch_op.drop_index('uq_product_reviews_pending', sqlite_where=sa.text('decision IS NULL'), postgresql_where=sa.text('decision IS NULL'))
        batch_op.drop_index('ix_product_reviews_product_id_submitted_at')
        batch_op.drop_index(batch_op.f('ix_product_reviews_curator_id'))

    op.drop_table('product_reviews')
    with op.batch_alter_table('producer_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producer_events_producer_id'))

    op.drop_table('producer_events')
