"""certificate lapse: products.lapses_on and lapse_notified_on; event log indexes

``lapses_on`` is the last day a published product's required certificates hold; the
listing projection hides the product after it. Existing rows start with NULL (nothing
lapses) until their next refresh: run `flask --app opopmart curation check-expiry` once
after upgrading, as cron does daily.

The products table is altered in place (``recreate='never'``): rebuilding it on SQLite
would cascade to its variants, images and events.

Revision ID: 6236b4729a09
Revises: 2f94b4784ed7
Create Date: 2026-11-23 12:10:21.061540

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6236b4729a09'
down_revision = '2f94b4784ed7'
branch_labels = None
depends_on = None


def upgrade():
    # The admins' event log reads both event tables newest first.
    op.create_index('ix_product_events_created_at', 'product_events', ['created_at', 'id'])
    op.create_index('ix_producer_events_created_at', 'producer_events', ['created_at', 'id'])
    with op.batch_alter_table('products', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('lapses_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lapse_notified_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_products_listed_lapses', ['lapses_on'], unique=False,
                              sqlite_where=sa.text('is_listed = 1'), postgresql_where=sa.text('is_listed'))


def downgrade():
    op.drop_index('ix_producer_events_created_at', table_name='producer_events')
    op.drop_index('ix_product_events_created_at', table_name='product_events')
    with op.batch_alter_table('products', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_products_listed_lapses', sqlite_where=sa.text('is_listed = 1'),
                            postgresql_where=sa.text('is_listed'))
        batch_op.drop_column('lapse_notified_on')
        batch_op.drop_column('lapses_on')
