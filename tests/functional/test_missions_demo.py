"""The demo trade mission (opopmart/demo/missions.py), loaded by `flask demo load`."""

from __future__ import annotations

from opopmart.demo.missions import load_missions
from opopmart.missions import services
from opopmart.missions.models import MissionStatus, TradeMission
from tests import factories as f
from tests.functional.mission_support import mission_rows


def test_the_demo_mission_is_finished_with_a_voided_and_a_corrected_deal(app, session, client):
    # Given the demo's four producers, verified
    for name, region in (("Kopontren Sidogiri", "35.14"), ("Namira Ecoprint", "35.78"),
                         ("Unit Usaha Pesantren Tebuireng", "35.17"), ("Kopontren Lirboyo", "35.71")):
        f.producer(session, name, region_code=region)
    # When the demo mission is loaded
    assert load_missions(session) == 1
    session.commit()
    mission = session.query(TradeMission).one()
    # Then it is closed, over, and its figures leave the voided and the replaced deal out
    assert (mission.slug, mission.status, mission.partner_city) == (
        "misi-dagang-jawa-timur-kalimantan-selatan", MissionStatus.CLOSED, "Banjarmasin")
    t = services.tally(session, mission)
    assert (t.total_value, t.deal_count) == (15_873_000_000, 8)
    assert [(k.kind.value, k.value, k.count) for k in t.kinds] == [
        ("jatim_sells", 3_277_500_000, 6), ("jatim_buys", 95_500_000, 1), ("investment", 12_500_000_000, 1)]
    rows = mission_rows()
    assert (rows["trade_mission_deals"], rows["trade_mission_deal_voids"], rows["trade_mission_partners"],
            rows["trade_mission_producers"]) == (10, 2, 4, 4)
    # And the public can read its summary and download its deals
    assert "Rp 15.873.000.000" in client.get(f"/misi-dagang/{mission.slug}").get_data(as_text=True)
    assert len(client.get(f"/misi-dagang/{mission.slug}/transaksi.csv").get_data(as_text=True).splitlines()) == 9
    # And loading again adds nothing
    assert load_missions(session) == 0
    assert mission_rows() == rows
