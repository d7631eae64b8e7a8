"""catalogue, regions, users

The first schema. Reference data is written here, not read from the package, so that
this revision means the same thing forever: Indonesia's provinces (Kemendagri codes),
Jawa Timur's 38 kabupaten/kota, a few other cities buyers come from, and the
catalogue cache counter.

Revision ID: c1bd1fa9fceb
Revises: 
Create Date: 2026-11-23 07:32:53.019070

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1bd1fa9fceb'
down_revision = None
branch_labels = None
depends_on = None

# (code, name, kind, province_code); provinces first for the self-reference.
REGIONS = [
    ('11', 'Aceh', 'provinsi', '11'),
    ('12', 'Sumatera Utara', 'provinsi', '12'),
    ('13', 'Sumatera Barat', 'provinsi', '13'),
    ('14', 'Riau', 'provinsi', '14'),
    ('15', 'Jambi', 'provinsi', '15'),
    ('16', 'Sumatera Selatan', 'provinsi', '16'),
    ('17', 'Bengkulu', 'provinsi', '17'),
    ('18', 'Lampung', 'provinsi', '18'),
    ('19', 'Kepulauan Bangka Belitung', 'provinsi', '19'),
    ('21', 'Kepulauan Riau', 'provinsi', '21'),
    ('31', 'DKI Jakarta', 'provinsi', '31'),
    ('32', 'Jawa Barat', 'provinsi', '32'),
    ('33', 'Jawa Tengah', 'provinsi', '33'),
    ('34', 'DI Yogyakarta', 'provinsi', '34'),
    ('35', 'Jawa Timur', 'provinsi', '35'),
    ('36', 'Banten', 'provinsi', '36'),
    ('51', 'Bali', 'provinsi', '51'),
    ('52', 'Nusa Tenggara Barat', 'provinsi', '52'),
    ('53', 'Nusa Tenggara Timur', 'provinsi', '53'),
    ('61', 'Kalimantan Barat', 'provinsi', '61'),
    ('62', 'Kalimantan Tengah', 'provinsi', '62'),
    ('63', 'Kalimantan Selatan', 'provinsi', '63'),
    ('64', 'Kalimantan Timur', 'provinsi', '64'),
    ('65', 'Kalimantan Utara', 'provinsi', '65'),
    ('71', 'Sulawesi Utara', 'provinsi', '71'),
    ('72', 'Sulawesi Tengah', 'provinsi', '72'),
    ('73', 'Sulawesi Selatan', 'provinsi', '73'),
    ('74', 'Sulawesi Tenggara', 'provinsi', '74'),
    ('75', 'Gorontalo', 'provinsi', '75'),
    ('76', 'Sulawesi Barat', 'provinsi', '76'),
    ('81', 'Maluku', 'provinsi', '81'),
    ('82', 'Maluku Utara', 'provinsi', '82'),
    ('91', 'Papua', 'provinsi', '91'),
    ('92', 'Papua Barat', 'provinsi', '92'),
    ('93', 'Papua Selatan', 'provinsi', '93'),
    ('94', 'Papua Tengah', 'provinsi', '94'),
    ('95', 'Papua Pegunungan', 'provinsi', '95'),
    ('96', 'Papua Barat Daya', 'provinsi', '96'),
    ('35.01', 'Pacitan', 'kabupaten', '35'),
    ('35.02', 'Ponorogo', 'kabupaten', '35'),
    ('35.03', 'Trenggalek', 'kabupaten', '35'),
    ('35.04', 'Tulungagung', 'kabupaten', '35'),
    ('35.05', 'Blitar', 'kabupaten', '35'),
    ('35.06', 'Kediri', 'kabupaten', '35'),
    ('35.07', 'Malang', 'kabupaten', '35'),
    ('35.08', 'Lumajang', 'kabupaten', '35'),
    ('35.09', 'Jember', 'kabupaten', '35'),
    ('35.10', 'Banyuwangi', 'kabupaten', '35'),
    ('35.11', 'Bondowoso', 'kabupaten', '35'),
    ('35.12', 'Situbondo', 'kabupaten', '35'),
    ('35.13', 'Probolinggo', 'kabupaten', '35'),
    ('35.14', 'Pasuruan', 'kabupaten', '35'),
    ('35.15', 'Sidoarjo', 'kabupaten', '35'),
    ('35.16', 'Mojokerto', 'kabupaten', '35'),
    ('35.17', 'Jombang', 'kabupaten', '35'),
    ('35.18', 'Nganjuk', 'kabupaten', '35'),
    ('35.19', 'Madiun', 'kabupaten', '35'),
    ('35.20', 'Magetan', 'kabupaten', '35'),
    ('35.21', 'Ngawi', 'kabupaten', '35'),
    ('35.22', 'Bojonegoro', 'kabupaten', '35'),
    ('35.23', 'Tuban', 'kabupaten', '35'),
    ('35.24', 'Lamongan', 'kabupaten', '35'),
    ('35.25', 'Gresik', 'kabupaten', '35'),
    ('35.26', 'Bangkalan', 'kabupaten', '35'),
    ('35.27', 'Sampang', 'kabupaten', '35'),
    ('35.28', 'Pamekasan', 'kabupaten', '35'),
    ('35.29', 'Sumenep', 'kabupaten', '35'),
    ('35.71', 'Kediri', 'kota', '35'),
    ('35.72', 'Blitar', 'kota', '35'),
    ('35.73', 'Malang', 'kota', '35'),
    ('35.74', 'Probolinggo', 'kota', '35'),
    ('35.75', 'Pasuruan', 'kota', '35'),
    ('35.76', 'Mojokerto', 'kota', '35'),
    ('35.77', 'Madiun', 'kota', '35'),
    ('35.78', 'Surabaya', 'kota', '35'),
    ('35.79', 'Batu', 'kota', '35'),
    ('31.71', 'Jakarta Selatan', 'kota', '31'),
    ('31.72', 'Jakarta Timur', 'kota', '31'),
    ('31.73', 'Jakarta Pusat', 'kota', '31'),
    ('31.74', 'Jakarta Barat', 'kota', '31'),
    ('31.75', 'Jakarta Utara', 'kota', '31'),
    ('32.73', 'Bandung', 'kota', '32'),
    ('33.74', 'Semarang', 'kota', '33'),
    ('34.71', 'Yogyakarta', 'kota', '34'),
    ('36.71', 'Tangerang', 'kota', '36'),
    ('51.71', 'Denpasar', 'kota', '51'),
    ('63.71', 'Banjarmasin', 'kota', '63'),
    ('73.71', 'Makassar', 'kota', '73'),
    ('12.71', 'Medan', 'kota', '12'),
]


def upgrade():
    op.create_table('cache_versions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_versions'))
    )
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('slug', sa.String(length=90), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('required_certificates', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['categories.id'], name=op.f('fk_categories_parent_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_categories_parent_id'), ['parent_id'], unique=False)

    op.create_table('regions',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('provinsi', 'kabupaten', 'kota', name='regionkind', native_enum=False, length=16), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['province_code'], ['regions.code'], name=op.f('fk_regions_province_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regions_province_code'), ['province_code'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('is_active_account', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('producers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pesantren', 'kopontren', 'umkm', name='producerkind', native_enum=False, length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('slug', sa.String(length=140), nullable=False),
    sa.Column('pesantren_name', sa.String(length=160), nullable=True),
    sa.Column('koperasi_name', sa.String(length=160), nullable=True),
    sa.Column('nib', sa.String(length=13), nullable=True),
    sa.Column('region_code', sa.String(length=5), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('logo_path', sa.String(length=80), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_producers_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producers')),
    sa.UniqueConstraint('slug', name=op.f('uq_producers_slug'))
    )
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producers_region_code'), ['region_code'], unique=False)

    op.create_table('brands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('djki_number', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_brands_producer_id_producers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brands')),
    sa.UniqueConstraint('producer_id', 'name', name=op.f('uq_brands_producer_id_name'))
    )
    op.create_table('certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('halal', 'pirt', 'bpom', 'sni', 'merek', name='certtype', native_enum=False, length=16), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('halal_scheme', sa.Enum('reguler', 'self_declare', name='halalscheme', native_enum=False, length=16), nullable=True),
    sa.Column('issuer', sa.String(length=120), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('document_path', sa.String(length=80), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_certifications_producer_id_producers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certifications'))
    )
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certifications_producer_id'), ['producer_id'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('slug', sa.String(length=180), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'published', 'changes_requested', 'rejected', 'archived', name='productstatus', native_enum=False, length=32), nullable=False),
    sa.Column('claims_halal', sa.Boolean(), nullable=False),
    sa.Column('option1_name', sa.String(length=40), nullable=True),
    sa.Column('option2_name', sa.String(length=40), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('is_listed', sa.Boolean(), nullable=False),
    sa.Column('sort_name', sa.String(length=160).with_variant(sa.String(length=160, collation='C'), 'postgresql'), nullable=False),
    sa.Column('min_price', sa.BigInteger(), nullable=True),
    sa.Column('max_price', sa.BigInteger(), nullable=True),
    sa.Column('in_stock', sa.Boolean(), nullable=False),
    sa.Column('cover_image', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_products_brand_id_brands')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_products_category_id_categories')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_products_producer_id_producers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('slug', name=op.f('uq_products_slug'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_brand_id'), ['brand_id'], unique=False)
        batch_op.create_index('ix_products_listed_category', ['category_id', 'published_at', 'id'], unique=False, sqlite_where=sa.text('is_listed = 1'), postgresql_where=sa.text('is_listed'))
        batch_op.create_index('ix_products_listed_name', ['sort_name', 'id'], unique=False, sqlite_where=sa.text('is_listed = 1'), postgresql_where=sa.text('is_listed'))
        batch_op.create_index('ix_products_listed_newest', ['published_at', 'id'], unique=False, sqlite_where=sa.text('is_listed = 1'), postgresql_where=sa.text('is_listed'))
        batch_op.create_index('ix_products_listed_price', ['min_price', 'id'], unique=False, sqlite_where=sa.text('is_listed = 1'), postgresql_where=sa.text('is_listed'))
        batch_op.create_index('ix_products_producer_status', ['producer_id', 'status'], unique=False)

    op.create_table('product_certifications',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('certification_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['certification_id'], ['certifications.id'], name=op.f('fk_product_certifications_certification_id_certifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_certifications_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', 'certification_id', name=op.f('pk_product_certifications'))
    )
    with op.batch_alter_table('product_certifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_certifications_certification_id'), ['certification_id'], unique=False)

    op.create_table('product_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.Enum('draft', 'submitted', 'published', 'changes_requested', 'rejected', 'archived', name='productstatus', native_enum=False, length=32), nullable=True),
    sa.Column('to_status', sa.Enum('draft', 'submitted', 'published', 'changes_requested', 'rejected', 'archived', name='productstatus', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_product_events_actor_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_events_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_events'))
    )
    with op.batch_alter_table('product_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_events_product_id'), ['product_id'], unique=False)

    op.create_table('product_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_images_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_images'))
    )
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_images_product_id'), ['product_id'], unique=False)

    op.create_table('product_variants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('option1', sa.String(length=60), nullable=True),
    sa.Column('option2', sa.String(length=60), nullable=True),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('weight_grams', sa.Integer(), nullable=False),
    sa.Column('min_order_qty', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('min_order_qty >= 1', name=op.f('ck_product_variants_min_order_positive')),
    sa.CheckConstraint('price > 0', name=op.f('ck_product_variants_price_positive')),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_product_variants_stock_not_negative')),
    sa.CheckConstraint('weight_grams > 0', name=op.f('ck_product_variants_weight_positive')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_product_variants_producer_id_producers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_variants_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_variants')),
    sa.UniqueConstraint('producer_id', 'sku', name=op.f('uq_product_variants_producer_id_sku'))
    )
    with op.batch_alter_table('product_variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_variants_product_id'), ['product_id'], unique=False)

    op.create_table('wholesale_tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('min_qty', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('min_qty >= 2', name=op.f('ck_wholesale_tiers_min_qty_at_least_two')),
    sa.CheckConstraint('unit_price > 0', name=op.f('ck_wholesale_tiers_unit_price_positive')),
    sa.ForeignKeyConstraint(['variant_id'], ['product_variants.id'], name=op.f('fk_wholesale_tiers_variant_id_product_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wholesale_tiers')),
    sa.UniqueConstraint('variant_id', 'min_qty', name=op.f('uq_wholesale_tiers_variant_id_min_qty'))
    )

    regions = sa.table('regions', sa.column('code', sa.String), sa.column('name', sa.String),
                       sa.column('kind', sa.String), sa.column('province_code', sa.String))
    op.bulk_insert(regions, [dict(zip(('code', 'name', 'kind', 'province_code'), row)) for row in REGIONS])
    cache_versions = sa.table('cache_versions', sa.column('name', sa.String), sa.column('value', sa.BigInteger))
    op.bulk_insert(cache_versions, [{'name': 'catalogue', 'value': 0}])


def downgrade():
    op.drop_table('wholesale_tiers')
    with op.batch_alter_table('product_variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_variants_product_id'))

    op.drop_table('product_variants')
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_images_product_id'))

    op.drop_table('product_images')
    with op.batch_alter_table('product_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_events_product_id'))

    op.drop_table('product_events')
    with op.batch_alter_table('product_certifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_certifications_certification_id'))

    op.drop_table('product_certifications')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_producer_status')
        batch_op.drop_index('ix_products_listed_price', sqlite_where=sa.text('is_listed = 1'), postgresql_where=sa.text('is_listed'))
        batch_op.drop_index('ix_products_listed_newest', sqlite_where=sa.text('is_listed = 1'), postgresql_where=sa.text('is_listed'))
        batch_op.drop_index('ix_products_listed_name', sqlite_where=sa.text('is_listed = 1'), postgresql_where=sa.text('is_listed'))
        batch_op.drop_index('ix_products_listed_category', sqlite_where=sa.text('is_listed = 1'), postgresql_where=sa.text('is_listed'))
        batch_op.drop_index(batch_op.f('ix_products_brand_id'))

    op.drop_table('products')
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certifications_producer_id'))

    op.drop_table('certifications')
    op.drop_table('brands')
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producers_region_code'))

    op.drop_table('producers')
    op.drop_table('users')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regions_province_code'))

    op.drop_table('regions')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_categories_parent_id'))

    op.drop_table('categories')
    op.drop_table('cache_versions')
