"""direct sales recorded by producers (expo, pesantren store) for programme insight

Revision ID: 7a1e5c3d9b20
Revises: 2704ebf8c6ed
Create Date: 2026-11-23 17:05:00.000000

Also the indexes the admins' market data reads orders, shipments and lines by
(``orders.paid_at`` first), each holding every column those queries read.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a1e5c3d9b20'
down_revision = '2704ebf8c6ed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('direct_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('sold_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.Enum('expo', 'pesantren_store', 'trade_mission', 'reseller', 'other', name='salechannel', native_enum=False, length=24), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('commodity', sa.String(length=160), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('buyer_region_code', sa.String(length=5), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.Column('voided_by_id', sa.Integer(), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("commodity <> ''", name=op.f('ck_direct_sales_commodity_present')),
    sa.CheckConstraint("voided_at IS NULL OR void_reason <> ''", name=op.f('ck_direct_sales_void_has_reason')),
    sa.CheckConstraint('quantity > 0 AND quantity <= 100000000', name=op.f('ck_direct_sales_quantity_in_range')),
    sa.CheckConstraint('value > 0 AND value <= 10000000000000', name=op.f('ck_direct_sales_value_in_range')),
    sa.ForeignKeyConstraint(['buyer_region_code'], ['regions.code'], name=op.f('fk_direct_sales_buyer_region_code_regions')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_direct_sales_producer_id_producers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_direct_sales_product_id_products'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_direct_sales_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['voided_by_id'], ['users.id'], name=op.f('fk_direct_sales_voided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_sales'))
    )
    with op.batch_alter_table('direct_sales', schema=None) as batch_op:
        batch_op.create_index('ix_direct_sales_producer_id_sold_on', ['producer_id', 'sold_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_sales_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_direct_sales_sold_on', ['sold_on', 'channel', 'value', 'producer_id', 'voided_at'], unique=False)

    # The market data's reads, answered from indexes alone (see insight/models.py).
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_paid_at', ['paid_at', 'status', 'refunded_total', 'items_total', 'user_id', 'province_code', 'region_code'], unique=False)
        batch_op.create_index('ix_orders_province_code_region_code_paid_at', ['province_code', 'region_code', 'paid_at', 'status', 'refunded_total', 'items_total'], unique=False)
        batch_op.create_index('ix_orders_refunded_paid_at', ['paid_at', 'status', 'province_code', 'region_code', 'refunded_total'], unique=False, sqlite_where=sa.text('refunded_total > 0'), postgresql_where=sa.text('refunded_total > 0'))
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index('ix_shipments_order_id_producer_id_status', ['order_id', 'producer_id', 'status', 'items_subtotal'], unique=False)
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_order_lines_order_id_product_id', ['order_id', 'product_id', 'quantity', 'line_total'], unique=False)


def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_order_lines_order_id_product_id')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index('ix_shipments_order_id_producer_id_status')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_refunded_paid_at', sqlite_where=sa.text('refunded_total > 0'), postgresql_where=sa.text('refunded_total > 0'))
        batch_op.drop_index('ix_orders_province_code_region_code_paid_at')
        batch_op.drop_index('ix_orders_paid_at')

    with op.batch_alter_table('direct_sales', schema=None) as batch_op:
        batch_op.drop_index('ix_direct_sales_sold_on')
        batch_op.drop_index(batch_op.f('ix_direct_sales_product_id'))
        batch_op.drop_index('ix_direct_sales_producer_id_sold_on')

    op.drop_table('direct_sales')
