"""search documents for the PostgreSQL full-text backend (SEARCH_BACKEND=postgres)

Three new tables, filled only by the PostgreSQL backend (opopmart.search.postgres_backend)
when `flask search reindex` runs with SEARCH_BACKEND=postgres: nothing to backfill here.

- search_documents: one row per public product; ``document`` is a weighted tsvector
  (to_tsvector('indonesian', ...)) searched through a GIN index, ``words`` the folded
  unstemmed words; plain columns for filters, facets and sorts. The foreign key
  cascades: a deleted product leaves the index with its row.
- search_terms: document counts per word and per lexeme (rarity, corrections,
  typeahead prefixes); compared byte by byte (COLLATE "C") so a prefix walks the key.
- search_facet_counts: documents per combination of facet values (browsing without
  words counts its facets from these rows, not from every document).
- search_index_state: one row once an index has been built (generation, count, format).

The same revision runs on SQLite, where the tables are created but never used: the
two tsvector columns are TEXT there and the GIN index is only created on PostgreSQL
(SQLite has neither). Creating the tables everywhere keeps one schema, so
autogenerate on either database compares against the same models. No extension is
needed (no pg_trgm): the `indonesian` configuration ships with PostgreSQL.

Revision ID: 9c3a7e5f1d42
Revises: 8b2f6d4e0c31
Create Date: 2026-11-23 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '9c3a7e5f1d42'
down_revision = '8b2f6d4e0c31'
branch_labels = None
depends_on = None


def upgrade():
    on_postgres = op.get_bind().dialect.name == "postgresql"
    tsvector = postgresql.TSVECTOR() if on_postgres else sa.Text()
    op.create_table('search_documents',
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slug', sa.String(length=180), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=5), nullable=False),
    sa.Column('producer_kind', sa.String(length=16), nullable=False),
    sa.Column('cert_flags', sa.SmallInteger(), nullable=False),
    sa.Column('min_price', sa.BigInteger(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('in_stock', sa.Boolean(), nullable=False),
    sa.Column('short_name', sa.Boolean(), nullable=False),
    sa.Column('document', tsvector, nullable=False),
    sa.Column('words', tsvector, nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'],
                            name=op.f('fk_search_documents_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_search_documents')),
    )
    op.create_index('ix_search_documents_newest', 'search_documents', ['published_at', 'product_id'],
                    unique=False)
    op.create_index('ix_search_documents_price', 'search_documents', ['min_price', 'product_id'],
                    unique=False)
    op.create_index(op.f('ix_search_documents_category_id'), 'search_documents', ['category_id'],
                    unique=False)
    op.create_index(op.f('ix_search_documents_region_code'), 'search_documents', ['region_code'],
                    unique=False)
    if on_postgres:
        op.create_index('ix_search_documents_document', 'search_documents', ['document'],
                        unique=False, postgresql_using='gin')

    op.create_table('search_terms',
    sa.Column('word', sa.Text(collation='C') if on_postgres else sa.Text(), nullable=False),
    sa.Column('surface_docs', sa.Integer(), nullable=False),
    sa.Column('lexeme_docs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_terms')),
    )
    op.create_table('search_facet_counts',
    sa.Column('category_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region_code', sa.String(length=5), nullable=False),
    sa.Column('producer_kind', sa.String(length=16), nullable=False),
    sa.Column('cert_flags', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('price_bucket', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('category_id', 'region_code', 'producer_kind', 'cert_flags', 'price_bucket',
                            name=op.f('pk_search_facet_counts')),
    )
    op.create_table('search_index_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.Column('format', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_index_state')),
    )


def downgrade():
    op.drop_table('search_index_state')
    op.drop_table('search_facet_counts')
    op.drop_table('search_terms')
    # Its indexes (the GIN one included, on PostgreSQL) go with the table.
    op.drop_table('search_documents')
