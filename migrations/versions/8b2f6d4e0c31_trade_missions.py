"""trade missions (Misi Dagang): missions, participants, partners, deals with voiding

New tables only: nothing to backfill, so no server defaults. A deal is never updated or
deleted: corrections are new rows (``replaces_id``, unique) and voids are rows of
``trade_mission_deal_voids`` (one per deal, unique). Two composite foreign keys keep a
deal inside its mission: (mission_id, producer_id) must be a participant, and
(mission_id, partner_id) a partner of the same mission (hence the unique
(mission_id, id) on partners). Values are BIGINT rupiah, checked to be > 0 and at most
Rp 10 triliun in the database too.

Revision ID: 8b2f6d4e0c31
Revises: 7a1e5c3d9b20
Create Date: 2026-11-23 17:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b2f6d4e0c31'
down_revision = '7a1e5c3d9b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('trade_missions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('slug', sa.String(length=140), nullable=False),
    sa.Column('partner_province_code', sa.String(length=5), nullable=False),
    sa.Column('partner_city', sa.String(length=120), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('target_value', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'closed', name='missionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_trade_missions_dates_in_order')),
    sa.CheckConstraint('target_value IS NULL OR target_value > 0', name=op.f('ck_trade_missions_target_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_trade_missions_created_by_id_users')),
    sa.ForeignKeyConstraint(['partner_province_code'], ['regions.code'], name=op.f('fk_trade_missions_partner_province_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_missions')),
    sa.UniqueConstraint('slug', name=op.f('uq_trade_missions_slug'))
    )
    with op.batch_alter_table('trade_missions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trade_missions_partner_province_code'), ['partner_province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_trade_missions_status'), ['status'], unique=False)

    op.create_table('trade_mission_desk_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_trade_mission_desk_staff_added_by_id_users')),
    sa.ForeignKeyConstraint(['mission_id'], ['trade_missions.id'], name=op.f('fk_trade_mission_desk_staff_mission_id_trade_missions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_trade_mission_desk_staff_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_mission_desk_staff')),
    sa.UniqueConstraint('mission_id', 'user_id', name=op.f('uq_trade_mission_desk_staff_mission_id_user_id'))
    )
    with op.batch_alter_table('trade_mission_desk_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trade_mission_desk_staff_user_id'), ['user_id'], unique=False)

    op.create_table('trade_mission_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.Enum('draft', 'published', 'closed', name='missionstatus', native_enum=False, length=16), nullable=True),
    sa.Column('to_status', sa.Enum('draft', 'published', 'closed', name='missionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_trade_mission_events_actor_id_users')),
    sa.ForeignKeyConstraint(['mission_id'], ['trade_missions.id'], name=op.f('fk_trade_mission_events_mission_id_trade_missions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_mission_events'))
    )
    with op.batch_alter_table('trade_mission_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trade_mission_events_mission_id'), ['mission_id'], unique=False)

    op.create_table('trade_mission_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('name_key', sa.String(length=160), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('sector', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_trade_mission_partners_added_by_id_users')),
    sa.ForeignKeyConstraint(['mission_id'], ['trade_missions.id'], name=op.f('fk_trade_mission_partners_mission_id_trade_missions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_mission_partners')),
    sa.UniqueConstraint('mission_id', 'id', name=op.f('uq_trade_mission_partners_mission_id_id')),
    sa.UniqueConstraint('mission_id', 'name_key', name=op.f('uq_trade_mission_partners_mission_id_name_key'))
    )
    op.create_table('trade_mission_producers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_trade_mission_producers_added_by_id_users')),
    sa.ForeignKeyConstraint(['mission_id'], ['trade_missions.id'], name=op.f('fk_trade_mission_producers_mission_id_trade_missions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_trade_mission_producers_producer_id_producers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_mission_producers')),
    sa.UniqueConstraint('mission_id', 'producer_id', name=op.f('uq_trade_mission_producers_mission_id_producer_id'))
    )
    with op.batch_alter_table('trade_mission_producers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trade_mission_producers_producer_id'), ['producer_id'], unique=False)

    op.create_table('trade_mission_deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('jatim_sells', 'jatim_buys', 'investment', name='dealkind', native_enum=False, length=16), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('commodity', sa.String(length=120), nullable=False),
    sa.Column('commodity_key', sa.String(length=120), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('quantity IS NULL OR quantity > 0', name=op.f('ck_trade_mission_deals_quantity_positive')),
    sa.CheckConstraint('value > 0 AND value <= 10000000000000', name=op.f('ck_trade_mission_deals_value_in_range')),
    sa.ForeignKeyConstraint(['mission_id', 'partner_id'], ['trade_mission_partners.mission_id', 'trade_mission_partners.id'], name='fk_trade_mission_deals_partner'),
    sa.ForeignKeyConstraint(['mission_id', 'producer_id'], ['trade_mission_producers.mission_id', 'trade_mission_producers.producer_id'], name='fk_trade_mission_deals_participant'),
    sa.ForeignKeyConstraint(['mission_id'], ['trade_missions.id'], name=op.f('fk_trade_mission_deals_mission_id_trade_missions')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_trade_mission_deals_producer_id_producers')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_trade_mission_deals_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['replaces_id'], ['trade_mission_deals.id'], name=op.f('fk_trade_mission_deals_replaces_id_trade_mission_deals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_mission_deals')),
    sa.UniqueConstraint('replaces_id', name=op.f('uq_trade_mission_deals_replaces_id'))
    )
    with op.batch_alter_table('trade_mission_deals', schema=None) as batch_op:
        batch_op.create_index('ix_trade_mission_deals_mission_id_occurred_at', ['mission_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_trade_mission_deals_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trade_mission_deals_producer_id'), ['producer_id'], unique=False)

    op.create_table('trade_mission_deal_voids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_trade_mission_deal_voids_actor_id_users')),
    sa.ForeignKeyConstraint(['deal_id'], ['trade_mission_deals.id'], name=op.f('fk_trade_mission_deal_voids_deal_id_trade_mission_deals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_mission_deal_voids')),
    sa.UniqueConstraint('deal_id', name=op.f('uq_trade_mission_deal_voids_deal_id'))
    )


def downgrade():
    op.drop_table('trade_mission_deal_voids')
    with op.batch_alter_table('trade_mission_deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trade_mission_deals_producer_id'))
        batch_op.drop_index(batch_op.f('ix_trade_mission_deals_partner_id'))
        batch_op.drop_index('ix_trade_mission_deals_mission_id_occurred_at')

    op.drop_table('trade_mission_deals')
    with op.batch_alter_table('trade_mission_producers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trade_mission_producers_producer_id'))

    op.drop_table('trade_mission_producers')
    op.drop_table('trade_mission_partners')
    with op.batch_alter_table('trade_mission_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trade_mission_events_mission_id'))

    op.drop_table('trade_mission_events')
    with op.batch_alter_table('trade_mission_desk_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trade_mission_desk_staff_user_id'))

    op.drop_table('trade_mission_desk_staff')
    with op.batch_alter_table('trade_missions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trade_missions_status'))
        batch_op.drop_index(batch_op.f('ix_trade_missions_partner_province_code'))

    op.drop_table('trade_missions')
