"""Trade missions: exact figures on known deals (voided and corrected ones left out), the
tally's JSON, the public pages and who sees them, the deal CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from opopmart.core.spreadsheet import restore
from opopmart.core.timeutil import today_jakarta, utcnow
from opopmart.missions import services
from opopmart.missions.models import Deal, DealKind, DealVoid, MissionEvent, MissionPartner, MissionStatus
from tests.functional.mission_support import (cast, csrf_token, local_time, login,  # noqa: F401
                                              make_mission, mission_rows, partner_named, record)


@pytest.fixture
def finished(app, session, cast):
    """A mission that ended last week with six live deals, one voided and one corrected.

    Live:  Kopi Arabika    sells  Sidogiri  PT Banjar Makmur   Rp 1.250.000.000
           Kain Ecoprint   sells  Namira    CV Intan Borneo    Rp   300.000.000
           Rotan           buys   Sidogiri  PT Banjar Makmur   Rp    75.500.000
           Pabrik ...kopi  invest Namira    PT Borneo Invest   Rp 5.000.000.000 (partner typed at the desk)
           kopi  arabika   sells  Sidogiri  CV Intan Borneo    Rp   250.000.000 (same commodity)
           Kopi Arabika    sells  Sidogiri  PT Banjar Makmur   Rp   200.000.000 (corrects a typo of 2 M)
    Out:   Kain Ecoprint   sells  Namira    CV Intan Borneo    Rp   999.000.000 (voided, counted twice)
           Kopi Arabika    sells  Sidogiri  PT Banjar Makmur   Rp 2.000.000.000 (replaced)
    """
    today = today_jakarta()
    first = today - timedelta(days=9)
    mission = make_mission(session, admin=cast.admin, starts_on=first, ends_on=today - timedelta(days=7),
                           producers=[cast.sidogiri, cast.namira, cast.tebuireng],
                           partners=[("PT Banjar Makmur", "Perdagangan"), ("CV Intan Borneo", "Tekstil")],
                           staff=[cast.dewi], target="10.000.000.000")
    banjar, intan = partner_named(mission, "PT Banjar Makmur"), partner_named(mission, "CV Intan Borneo")
    d = cast.dewi
    record(session, mission, d, producer=cast.sidogiri, partner=banjar, commodity="Kopi Arabika",
           quantity="10", unit="ton", value="1.250.000.000", at=local_time(first, 9, 15))
    record(session, mission, d, producer=cast.namira, partner=intan, commodity="Kain Ecoprint",
           quantity="200", unit="lembar", value="Rp 300.000.000", at=local_time(first, 9, 40))
    record(session, mission, d, kind="jatim_buys", producer=cast.sidogiri, partner=banjar, commodity="Rotan",
           quantity="5", unit="ton", value="75500000", at=local_time(first, 10, 5))
    record(session, mission, d, kind="investment", producer=cast.namira, new_partner="PT Borneo Invest",
           commodity="Pabrik pengolahan kopi", quantity="", unit="", value="5.000.000.000",
           at=local_time(first + timedelta(days=1), 11, 0))
    record(session, mission, d, producer=cast.sidogiri, partner=intan, commodity="kopi  arabika",
           quantity="2", unit="ton", value="250.000.000", at=local_time(first + timedelta(days=1), 13, 30))
    twice = record(session, mission, d, producer=cast.namira, partner=intan, commodity="Kain Ecoprint",
                   quantity="200", unit="lembar", value="999.000.000", at=local_time(first, 9, 41))
    services.void_deal(session, mission, twice, reason="Tercatat dua kali", actor_id=d.id, now=utcnow())
    typo = record(session, mission, d, producer=cast.sidogiri, partner=banjar, commodity="Kopi Arabika",
                  quantity="1", unit="ton", value="2.000.000.000", at=local_time(first + timedelta(days=2), 10, 0))
    services.correct_deal(session, mission, typo, data=replace(services.deal_input_from(typo), value="200.000.000"),
                          reason="Salah ketik nol", actor_id=d.id, now=utcnow())
    session.commit()
    return mission


def test_the_tally_counts_live_deals_only_exactly(session, finished):
    # Given the finished mission above, when its figures are read
    t = services.tally(session, finished)
    # Then the voided and the replaced deal are nowhere in them
    assert (t.total_value, t.deal_count) == (7_075_500_000, 6)
    assert [(k.kind, k.value, k.count, k.share_pct) for k in t.kinds] == [
        (DealKind.JATIM_SELLS, 2_000_000_000, 4, 28),
        (DealKind.JATIM_BUYS, 75_500_000, 1, 1),
        (DealKind.INVESTMENT, 5_000_000_000, 1, 71),
    ]
    # And "kopi  arabika" is the same commodity as "Kopi Arabika", named as first typed
    assert [(c.name, c.value, c.count, c.share_pct, c.bar_pct) for c in t.commodities] == [
        ("Pabrik pengolahan kopi", 5_000_000_000, 1, 71, 100),
        ("Kopi Arabika", 1_700_000_000, 3, 24, 34),
        ("Kain Ecoprint", 300_000_000, 1, 4, 6),
        ("Rotan", 75_500_000, 1, 1, 2),
    ]
    assert (t.commodity_count, t.target_value, t.target_pct) == (4, 10_000_000_000, 71)
    # And the rows are all still there: nothing was deleted
    assert mission_rows()["trade_mission_deals"] == 8
    assert mission_rows()["trade_mission_deal_voids"] == 2


def test_a_correction_names_the_deal_it_replaces_and_both_voids_keep_who_and_why(session, finished, cast):
    corrected = session.execute(select(Deal).where(Deal.value == 2_000_000_000)).scalar_one()
    correction = session.execute(select(Deal).where(Deal.replaces_id == corrected.id)).scalar_one()
    assert (correction.value, correction.commodity, correction.recorded_by_id) == (200_000_000, "Kopi Arabika",
                                                                                  cast.dewi.id)
    voids = {session.get(Deal, v.deal_id).value: (v.reason, v.actor_id)
             for v in session.execute(select(DealVoid)).scalars()}
    assert voids == {999_000_000: ("Tercatat dua kali", cast.dewi.id),
                     2_000_000_000: ("Salah ketik nol", cast.dewi.id)}
    # And a voided deal can be neither voided nor corrected again; nothing is written
    before = mission_rows()
    with pytest.raises(services.MissionError) as refused:
        services.void_deal(session, finished, corrected, reason="lagi", actor_id=cast.admin.id, now=utcnow())
    assert [str(m) for m in refused.value.errors[""]] == [
        f"Transaksi #{corrected.id} sudah dibatalkan atau dikoreksi."]
    with pytest.raises(services.MissionError):
        services.correct_deal(session, finished, corrected, data=services.deal_input_from(corrected),
                              reason="", actor_id=cast.admin.id, now=utcnow())
    session.rollback()
    assert mission_rows() == before


def test_a_partner_typed_at_the_desk_joins_the_mission_once(session, finished, cast):
    # Given PT Borneo Invest was typed at the desk: it is a partner in the mission's city
    invest = partner_named(finished, "PT Borneo Invest")
    assert (invest.city, invest.sector) == ("Banjarmasin", "")
    # When it is typed again in other spelling, the same partner is used
    deal = record(session, finished, cast.dewi, producer=cast.tebuireng, new_partner="pt  borneo INVEST",
                  commodity="Gula aren", value="10.000.000")
    assert deal.partner_id == invest.id
    assert session.query(MissionPartner).filter_by(mission_id=finished.id).count() == 3


def test_tally_json_has_the_figures_as_numbers_and_as_people_read_them(client, finished):
    response = client.get(f"/misi-dagang/{finished.slug}/tally.json", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == {"total_value", "total_value_text", "deal_count", "deal_count_text", "target_value",
                         "target_pct", "kinds", "commodities", "commodity_count", "updated_at", "over"}
    assert (body["total_value"], body["total_value_text"]) == (7_075_500_000, "Rp 7.075.500.000")
    assert (body["deal_count"], body["deal_count_text"], body["over"]) == (6, "6", True)
    assert (body["target_value"], body["target_pct"]) == (10_000_000_000, 71)
    assert body["kinds"] == [
        {"kind": "jatim_sells", "label": "Jatim menjual", "value": 2_000_000_000,
         "value_text": "Rp 2.000.000.000", "count": 4, "share_pct": 28},
        {"kind": "jatim_buys", "label": "Jatim membeli", "value": 75_500_000,
         "value_text": "Rp 75.500.000", "count": 1, "share_pct": 1},
        {"kind": "investment", "label": "Investasi", "value": 5_000_000_000,
         "value_text": "Rp 5.000.000.000", "count": 1, "share_pct": 71},
    ]
    assert body["commodities"][1] == {"name": "Kopi Arabika", "value": 1_700_000_000,
                                      "value_text": "Rp 1.700.000.000", "count": 3, "share_pct": 24,
                                      "bar_pct": 34}
    assert [c["name"] for c in body["commodities"]] == ["Pabrik pengolahan kopi", "Kopi Arabika",
                                                        "Kain Ecoprint", "Rotan"]
    assert body["updated_at"].endswith(" WIB")


def test_a_new_deal_shows_on_the_next_poll(client, session, finished, cast):
    # Given the big screen has read the tally (and the catalogue's page cache is warm)
    url = f"/misi-dagang/{finished.slug}/tally.json"
    assert client.get(url).get_json()["total_value"] == 7_075_500_000
    client.get("/")
    # When the desk records one more deal (the mission is over but not closed: a late entry)
    record(session, finished, cast.dewi, producer=cast.tebuireng, partner=partner_named(finished, "CV Intan Borneo"),
           commodity="Rotan", value="24.500.000")
    session.commit()
    # Then the very next poll has it
    body = client.get(url).get_json()
    assert (body["total_value_text"], body["deal_count"]) == ("Rp 7.100.000.000", 7)
    assert body["commodities"][3] == {"name": "Rotan", "value": 100_000_000, "value_text": "Rp 100.000.000",
                                      "count": 2, "share_pct": 1, "bar_pct": 2}
    # And the page itself is never stored either
    page = client.get(f"/misi-dagang/{finished.slug}/tally")
    assert page.headers["Cache-Control"] == "no-store"
    assert 'data-testid="tally-total">Rp 7.100.000.000</p>' in page.get_data(as_text=True)


def test_the_big_screen_page_has_its_figures_and_no_inline_script(client, finished):
    page = client.get(f"/misi-dagang/{finished.slug}/tally").get_data(as_text=True)
    assert f'data-tally-url="/misi-dagang/{finished.slug}/tally.json"' in page
    assert 'data-testid="tally-count">6</span>' in page
    assert '<div class="tally-kind" data-kind="investment">' in page
    assert '<p class="tally-kind-value" data-field="value_text">Rp 5.000.000.000</p>' in page
    assert '<rect class="mission-bar-fill" width="71" height="10" data-bar></rect>' in page
    assert re.search(r'<script src="/static/js/tally\.js\?v=[0-9a-f]{12}" defer></script>', page)
    assert "<script>" not in page and "style=" not in page


def test_the_summary_page_after_the_event(client, finished):
    page = client.get(f"/misi-dagang/{finished.slug}").get_data(as_text=True)
    assert 'data-testid="summary-total">Rp 7.075.500.000</dd>' in page
    assert 'data-testid="summary-count">6</dd>' in page
    assert 'data-testid="mission-phase">Selesai</span>' in page
    assert '<tr data-kind="jatim_buys"><th scope="row">Jatim membeli</th><td class="num">1</td>' \
           '<td class="num">Rp 75.500.000</td>' in page
    assert '<tr><th scope="row">Kopi Arabika</th><td class="num">3</td><td class="num">Rp 1.700.000.000</td>' in page
    # Participants with what they signed, the one without deals too
    assert ('<a href="/produsen/namira-ecoprint">Namira Ecoprint</a></th><td>Kota Surabaya</td>'
            '<td class="num">2</td><td class="num">Rp 5.300.000.000</td>') in page
    assert ('Kopontren Tebuireng</a></th><td>Kab. Jombang</td><td class="num">0</td>'
            '<td class="num">Rp 0</td>') in page
    assert ('<tr><th scope="row">PT Banjar Makmur</th><td>Banjarmasin</td><td>Perdagangan</td>'
            '<td class="num">3</td><td class="num">Rp 1.525.500.000</td>') in page
    assert f'href="/misi-dagang/{finished.slug}/transaksi.csv" data-testid="deals-csv"' in page


def test_the_public_list_shows_published_missions_only(client, session, finished, cast):
    today = today_jakarta()
    make_mission(session, admin=cast.admin, name="Misi Dagang Jatim – Sulsel (draf)", starts_on=today,
                 ends_on=today, status=MissionStatus.DRAFT, province="73", city="Makassar")
    session.commit()
    page = client.get("/misi-dagang").get_data(as_text=True)
    assert f'<a href="/misi-dagang/{finished.slug}">Misi Dagang Jatim – Kalsel</a>' in page
    assert "<b>Rp 7.075.500.000</b> · 6 transaksi" in page
    assert "Sulsel" not in page


@pytest.mark.parametrize("path", ["", "/tally", "/tally.json", "/transaksi.csv"])
def test_an_unpublished_mission_is_not_found_except_by_admins(client, session, cast, path):
    # Given a draft mission, staffed by Dewi
    today = today_jakarta()
    draft = make_mission(session, admin=cast.admin, starts_on=today - timedelta(days=3),
                         ends_on=today - timedelta(days=2), status=MissionStatus.DRAFT,
                         producers=[cast.sidogiri], partners=["PT Banjar Makmur"], staff=[cast.dewi])
    session.commit()
    url = f"/misi-dagang/{draft.slug}{path}"
    # Then visitors, shoppers and even its desk staff find nothing there
    assert client.get(url).status_code == 404
    login(client, email=cast.dewi.email)
    assert client.get(url).status_code == 404
    # And an admin previews it
    client.post("/keluar", data={"csrf_token": _token(client)})
    login(client, email=cast.admin.email)
    assert client.get(url).status_code == 200
    # And once withdrawn after publishing it is hidden again
    services.change_status(session, draft, MissionStatus.PUBLISHED, actor_id=cast.admin.id, now=utcnow())
    services.change_status(session, draft, MissionStatus.DRAFT, actor_id=cast.admin.id, now=utcnow())
    session.commit()
    anonymous = client.application.test_client()
    assert anonymous.get(url).status_code == 404
    # And every status change is an event row (additions are notes: from == to)
    events = session.execute(select(MissionEvent).where(MissionEvent.mission_id == draft.id)
                             .order_by(MissionEvent.id)).scalars().all()
    assert [(e.from_status, e.to_status, e.actor_id) for e in events if e.from_status != e.to_status] == [
        (None, MissionStatus.DRAFT, cast.admin.id), (MissionStatus.DRAFT, MissionStatus.PUBLISHED, cast.admin.id),
        (MissionStatus.PUBLISHED, MissionStatus.DRAFT, cast.admin.id)]
    assert [e.note for e in events if e.from_status == e.to_status] == [
        f"+producer {cast.sidogiri.id} Kopontren Sidogiri", "+partner PT Banjar Makmur", f"+desk {cast.dewi.id}"]


def _token(client) -> str:
    return csrf_token(client, "/akun")


def _csv(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_deal_csv_lists_live_deals_with_formulas_neutralised(client, session, finished, cast):
    # Given a deal whose commodity and new partner a spreadsheet would run as formulas
    record(session, finished, cast.dewi, producer=cast.tebuireng, new_partner="@SUM(A1:A9)",
           commodity='=HYPERLINK("http://contoh.id","klik")', quantity="1.500", unit="kg", value="12.345.678",
           at=local_time(finished.ends_on, 16, 45))
    session.commit()
    # When the public downloads the CSV after the event
    response = client.get(f"/misi-dagang/{finished.slug}/transaksi.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="misi-dagang-{finished.slug}-transaksi.csv"'
    rows = _csv(response)
    # Then it has the seven live deals in the order they happened, nothing voided
    assert rows[0] == ["id", "waktu_wib", "jenis", "produsen", "kabupaten_kota_produsen", "mitra", "kota_mitra",
                       "sektor_mitra", "komoditas", "jumlah", "satuan", "nilai_rp", "koreksi_atas"]
    assert [r[8] for r in rows[1:]] == ["Kopi Arabika", "Kain Ecoprint", "Rotan", "Pabrik pengolahan kopi",
                                        "kopi arabika", "Kopi Arabika", "'=HYPERLINK(\"http://contoh.id\",\"klik\")"]
    assert "999000000" not in response.get_data(as_text=True)
    assert "2000000000" not in [r[11] for r in rows[1:]]
    first_day = finished.starts_on.isoformat()
    assert rows[1][1:] == [f"{first_day} 09:15", "Jatim menjual", "Kopontren Sidogiri", "Kab. Pasuruan",
                           "PT Banjar Makmur", "Banjarmasin", "Perdagangan", "Kopi Arabika", "10", "ton",
                           "1250000000", ""]
    corrected = session.execute(select(Deal.id).where(Deal.value == 2_000_000_000)).scalar_one()
    assert rows[6][11:] == ["200000000", str(corrected)]
    last = rows[7]
    assert last[1:] == [f"{finished.ends_on.isoformat()} 16:45", "Jatim menjual", "Kopontren Tebuireng",
                        "Kab. Jombang", "'@SUM(A1:A9)", "Banjarmasin", "", last[8], "1500", "kg", "12345678", ""]
    # And the neutralised cells read back as typed
    assert restore(last[8]) == '=HYPERLINK("http://contoh.id","klik")'
    assert restore(last[5]) == "@SUM(A1:A9)"
    # And partner contacts never leave the admin pages
    assert "contact" not in rows[0]


def test_the_csv_of_a_running_mission_is_for_admins_only(client, session, cast):
    today = today_jakarta()
    live = make_mission(session, admin=cast.admin, starts_on=today - timedelta(days=1),
                        ends_on=today + timedelta(days=1), producers=[cast.sidogiri], partners=["PT Banjar Makmur"])
    record(session, live, cast.admin, producer=cast.sidogiri, partner=live.partners[0], value="5.000.000",
           at=local_time(today - timedelta(days=1)))
    session.commit()
    url = f"/misi-dagang/{live.slug}/transaksi.csv"
    assert client.get(url).status_code == 404
    page = client.get(f"/misi-dagang/{live.slug}").get_data(as_text=True)
    assert "Misi masih berjalan: angka di bawah sementara." in page
    assert "Daftar transaksi bisa diunduh setelah misi selesai." in page
    login(client, email=cast.admin.email)
    rows = _csv(client.get(url))
    assert [r[11] for r in rows[1:]] == ["5000000"]
    # And once closed, it is everyone's
    services.change_status(session, live, MissionStatus.CLOSED, actor_id=cast.admin.id, now=utcnow())
    session.commit()
    assert client.application.test_client().get(url).status_code == 200


def test_a_closed_mission_takes_no_more_deals(session, finished, cast):
    services.change_status(session, finished, MissionStatus.CLOSED, actor_id=cast.admin.id, now=utcnow())
    session.commit()
    before = mission_rows()
    live = session.execute(select(Deal).where(Deal.value == 300_000_000)).scalar_one()
    for attempt in (
        lambda: record(session, finished, cast.dewi, producer=cast.sidogiri, partner=finished.partners[0]),
        lambda: services.void_deal(session, finished, live, reason="x", actor_id=cast.admin.id, now=utcnow()),
    ):
        with pytest.raises(services.MissionError) as refused:
            attempt()
        assert [str(m) for m in refused.value.errors[""]] == [
            "Misi ini sudah ditutup: transaksi tidak bisa dicatat, dikoreksi atau dibatalkan lagi."]
        session.rollback()
    assert mission_rows() == before


def test_new_dates_must_keep_every_recorded_deal(session, finished, cast):
    data = services.MissionInput(name=finished.name, partner_province_code="63", partner_city="Banjarmasin",
                                 venue="Hotel Galaxy", starts_on=(finished.starts_on + timedelta(days=1)).isoformat(),
                                 ends_on=finished.ends_on.isoformat())
    with pytest.raises(services.MissionError) as refused:
        services.update_mission(session, finished, data=data, actor_id=cast.admin.id, now=utcnow())
    # Four deals (one of them voided) happened on the first day
    assert [str(m) for m in refused.value.errors["starts_on"]] == [
        "4 transaksi yang sudah dicatat berada di luar tanggal baru ini."]


def test_only_verified_producers_take_part(session, finished, cast):
    before = mission_rows()
    with pytest.raises(services.MissionError) as refused:
        services.add_participant(session, finished, producer_id=cast.unverified.id, actor_id=cast.admin.id,
                                 now=utcnow())
    assert [str(m) for m in refused.value.errors["producer_id"]] == [
        "Hanya produsen terverifikasi yang bisa ikut misi dagang."]
    with pytest.raises(services.MissionError) as refused:
        services.add_participant(session, finished, producer_id=cast.namira.id, actor_id=cast.admin.id,
                                 now=utcnow())
    assert [str(m) for m in refused.value.errors["producer_id"]] == ["Namira Ecoprint sudah menjadi peserta."]
    # And a participant with deals stays one
    with pytest.raises(services.MissionError):
        services.remove_participant(session, finished, producer_id=cast.namira.id, actor_id=cast.admin.id,
                                    now=utcnow())
    session.rollback()
    assert mission_rows() == before
