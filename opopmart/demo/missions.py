"""The demo trade mission: Jawa Timur – Kalimantan Selatan in Banjarmasin, six weeks ago.

Written through missions.services, so it holds what the desk would have written: the
participants are verified demo producers, the partners have deals, one deal was voided
(recorded twice) and one was corrected (a zero too many), and the mission is closed.
Recognised by its slug, so a second load adds nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalogue.models import Producer, ProducerStatus
from ..core.text import slugify
from ..core.timeutil import today_jakarta, utcnow
from ..missions import services
from ..missions.models import MissionStatus, TradeMission

NAME = "Misi Dagang Jawa Timur – Kalimantan Selatan"
PRODUCERS = ("kopontren-sidogiri", "namira-ecoprint", "unit-usaha-pesantren-tebuireng", "kopontren-lirboyo")
PARTNERS = (
    ("PT Banua Niaga Sejahtera", "Banjarmasin", "Distribusi bahan pangan", "Ibu Rahmah, 0511 3360 112"),
    ("CV Intan Martapura", "Martapura", "Ritel busana dan kerajinan", ""),
    ("Koperasi Pasar Terapung Lok Baintan", "Kabupaten Banjar", "Kerajinan purun", ""),
    ("PT Borneo Agro Investama", "Banjarbaru", "Investasi agroindustri", ""),
)
# (day of the mission, time, kind, producer slug, partner, commodity, quantity, unit, value)
DEALS = (
    (0, "10:15", "jatim_sells", "kopontren-sidogiri", 0, "Kopi robusta", "20", "ton", "1.450.000.000"),
    (0, "10:40", "jatim_sells", "namira-ecoprint", 1, "Kain ecoprint", "600", "lembar", "210.000.000"),
    (0, "11:05", "jatim_buys", "kopontren-lirboyo", 2, "Anyaman purun", "5.000", "lembar", "95.500.000"),
    (0, "13:30", "jatim_sells", "kopontren-lirboyo", 0, "Sarung tenun", "3.000", "pcs", "525.000.000"),
    (0, "14:10", "jatim_sells", "unit-usaha-pesantren-tebuireng", 0, "Peci santri", "2.500", "pcs", "112.500.000"),
    (1, "09:45", "investment", "kopontren-sidogiri", 3, "Pabrik pengolahan kopi", "", "", "12.500.000.000"),
    (1, "10:20", "jatim_sells", "kopontren-sidogiri", 1, "Madu hutan", "4", "ton", "640.000.000"),
)


def load_missions(session: Session) -> int:
    """Create the demo mission unless it is there; returns how many missions were added."""
    if session.scalar(select(TradeMission.id).where(TradeMission.slug == slugify(NAME, 120))) is not None:
        return 0
    producers = {p.slug: p for p in session.scalars(select(Producer).where(
        Producer.slug.in_(PRODUCERS), Producer.status == ProducerStatus.VERIFIED))}
    if not producers:
        return 0
    now = utcnow()
    starts_on = today_jakarta() - timedelta(days=45)
    mission = services.create_mission(session, data=services.MissionInput(
        name=NAME, partner_province_code="63", partner_city="Banjarmasin", venue="Hotel Galaxy Banjarmasin",
        starts_on=starts_on.isoformat(), ends_on=(starts_on + timedelta(days=1)).isoformat(),
        description="Temu bisnis produsen pesantren Jawa Timur dengan pelaku usaha Kalimantan Selatan, "
                    "diselenggarakan bersama Dinas Perindustrian dan Perdagangan kedua provinsi.",
        target_value="15.000.000.000"), actor_id=None, now=now)
    for slug in PRODUCERS:
        if slug in producers:
            services.add_participant(session, mission, producer_id=producers[slug].id, actor_id=None, now=now)
    partners = [services.add_partner(session, mission, data=services.PartnerInput(
        name=name, city=city, sector=sector, contact=contact), actor_id=None, now=now)
        for name, city, sector, contact in PARTNERS]
    services.change_status(session, mission, MissionStatus.PUBLISHED, actor_id=None, now=now)

    def deal(day, clock, kind, slug, partner, commodity, quantity, unit, value):
        return services.DealInput(
            kind=kind, producer_id=str(producers[slug].id), partner_id=str(partners[partner].id),
            commodity=commodity, quantity=quantity, unit=unit, value=value,
            occurred_at=f"{(starts_on + timedelta(days=day)).isoformat()}T{clock}")

    for row in DEALS:
        if row[3] in producers:
            services.record_deal(session, mission, data=deal(*row), actor_id=None, now=now)
    if "unit-usaha-pesantren-tebuireng" in producers:
        twice = services.record_deal(session, mission, data=deal(*DEALS[4][:1], "14:11", *DEALS[4][2:]),
                                     actor_id=None, now=now)
        services.void_deal(session, mission, twice, reason="Tercatat dua kali", actor_id=None, now=now)
    if "namira-ecoprint" in producers:
        typo = services.record_deal(session, mission, data=deal(
            1, "11:00", "jatim_sells", "namira-ecoprint", 0, "Busana ecoprint", "1.200", "pcs", "3.400.000.000"),
            actor_id=None, now=now)
        services.correct_deal(session, mission, typo, data=replace(services.deal_input_from(typo),
                                                                   value="340.000.000"),
                              reason="Kelebihan satu nol", actor_id=None, now=now)
    services.change_status(session, mission, MissionStatus.CLOSED, actor_id=None, now=now)
    session.flush()
    return 1
