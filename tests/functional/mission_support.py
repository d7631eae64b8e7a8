"""Shared steps for the trade mission tests: missions, deals and row counts, built through
missions.services (the same checks the desk runs)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from opopmart.core.timeutil import today_jakarta, utcnow
from opopmart.extensions import db
from opopmart.missions import services
from opopmart.missions.models import (Deal, DealVoid, MissionDeskStaff, MissionEvent, MissionPartner,
                                      MissionProducer, MissionStatus, TradeMission)
from tests import factories as f
from tests.functional.test_accounts import PASSWORD, csrf_token, login, make_user  # noqa: F401

MISSION_TABLES = (TradeMission, MissionEvent, MissionProducer, MissionPartner, MissionDeskStaff, Deal,
                  DealVoid)


def mission_rows() -> dict[str, int]:
    """Row counts of every mission table, to show that a refusal wrote nothing."""
    db.session.expire_all()
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in MISSION_TABLES}


def local_time(day: date, hour: int = 10, minute: int = 0) -> str:
    """What a datetime-local input sends for ``day`` at ``hour:minute`` WIB."""
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def make_mission(session, *, admin, starts_on: date, ends_on: date, name: str = "Misi Dagang Jatim – Kalsel",
                 status: MissionStatus = MissionStatus.PUBLISHED, producers=(), partners=(), staff=(),
                 target: str = "", city: str = "Banjarmasin", province: str = "63") -> TradeMission:
    now = utcnow()
    mission = services.create_mission(session, data=services.MissionInput(
        name=name, partner_province_code=province, partner_city=city, venue="Hotel Galaxy Banjarmasin",
        starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(), description="Temu bisnis.",
        target_value=target), actor_id=admin.id, now=now)
    for producer in producers:
        services.add_participant(session, mission, producer_id=producer.id, actor_id=admin.id, now=now)
    for partner in partners:
        partner_name, sector = partner if isinstance(partner, tuple) else (partner, "Perdagangan")
        services.add_partner(session, mission, data=services.PartnerInput(
            name=partner_name, city=city, sector=sector), actor_id=admin.id, now=now)
    for user in staff:
        services.add_desk_staff(session, mission, email=user.email, actor_id=admin.id, now=now)
    if status is not MissionStatus.DRAFT:
        services.change_status(session, mission, MissionStatus.PUBLISHED, actor_id=admin.id, now=now)
    if status is MissionStatus.CLOSED:
        services.change_status(session, mission, MissionStatus.CLOSED, actor_id=admin.id, now=now)
    session.flush()
    return mission


def partner_named(mission: TradeMission, name: str) -> MissionPartner:
    return next(p for p in mission.partners if p.name == name)


def deal_input(*, kind="jatim_sells", producer=None, partner=None, new_partner="", commodity="Kopi",
               quantity="10", unit="ton", value="1.000.000", at="") -> services.DealInput:
    return services.DealInput(
        kind=kind, producer_id=str(producer.id) if producer is not None else "",
        partner_id=str(partner.id) if partner is not None else "", new_partner=new_partner,
        commodity=commodity, quantity=quantity, unit=unit, value=value, occurred_at=at)


def record(session, mission, actor, *, now: datetime | None = None, **fields) -> Deal:
    """A deal recorded as the desk would; ``at`` defaults to the mission's first day, 10:00."""
    fields.setdefault("at", local_time(mission.starts_on))
    return services.record_deal(session, mission, data=deal_input(**fields), actor_id=actor.id,
                                now=now or utcnow())


def matrix_mission(session, *, admin, producer, desk_users) -> dict:
    """For the access matrix: a published mission that ended last week, producer A taking
    part, one partner, one deal, and ``desk_users`` at its desk. Returns the World fields."""
    today = today_jakarta()
    mission = make_mission(session, admin=admin, starts_on=today - timedelta(days=10),
                           ends_on=today - timedelta(days=8), producers=[producer],
                           partners=["PT Mitra Banjar"], staff=desk_users)
    partner = mission.partners[0]
    deal = record(session, mission, admin, producer=producer, partner=partner, value="25.000.000")
    return {"mission_id": mission.id, "mission_slug": mission.slug, "mission_deal": deal.id,
            "mission_partner": partner.id, "mission_staff": desk_users[-1].id}


# --------------------------------------------------------------------------------------
# A cast for the mission tests (import the fixture into a test module to use it)

class Cast:
    """Admin Ani, desk staff Dewi (mission A) and Budi (mission B), shopper Siti; two
    verified producers, one unverified."""

    def __init__(self, session):
        self.admin = make_user(session, email="ani@contoh.id", name="Ani Admin", is_admin=True)
        self.dewi = make_user(session, email="dewi@contoh.id", name="Dewi Petugas")
        self.budi = make_user(session, email="budi@contoh.id", name="Budi Petugas")
        self.siti = make_user(session, email="siti@contoh.id", name="Siti Aminah")
        self.sidogiri = f.producer(session, "Kopontren Sidogiri", region_code="35.14")
        self.namira = f.producer(session, "Namira Ecoprint", region_code="35.78")
        self.tebuireng = f.producer(session, "Kopontren Tebuireng", region_code="35.17")
        self.unverified = f.producer(session, "Dapur Belum Terverifikasi", region_code="35.07",
                                     verified=False)
        session.commit()


@pytest.fixture
def cast(app, session) -> Cast:
    return Cast(session)


def post(client, path: str, data: dict, token_from: str = "/akun"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from)})
