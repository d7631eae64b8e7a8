"""search queue

One row per change to a product's public state, written in the change's transaction
by catalogue.services.refresh_products and deleted (by row id) once the search index
has it (opopmart.search.indexer). A new table: nothing to backfill; an index built
before this migration is brought up to date by `flask search reindex`. No foreign key
on product_id: a deleted product must still leave the index. Rows are read in id
order and deleted by id, so the primary key is the only index needed; ids are never
reused (AUTOINCREMENT on SQLite; a sequence on PostgreSQL never goes back).

Revision ID: 2f94b4784ed7
Revises: fe02a8c562f3
Create Date: 2026-11-23 11:59:43.792151

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2f94b4784ed7'
down_revision = 'fe02a8c562f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_queue')),
    sqlite_autoincrement=True,
    )


def downgrade():
    op.drop_table('search_queue')
