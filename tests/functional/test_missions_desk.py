"""The deal desk and the admins' mission pages, through HTTP: recording, refusals that
write nothing, corrections and voids, and who may open which mission's desk."""

from __future__ import annotations

from datetime import timedelta
from html import escape

import pytest
from sqlalchemy import select

from opopmart.core.timeutil import today_jakarta
from opopmart.missions.models import (Deal, DealVoid, MissionDeskStaff, MissionPartner, MissionProducer,
                                      MissionStatus, TradeMission)
from tests.functional.mission_support import (cast, local_time, login, make_mission,  # noqa: F401
                                              mission_rows, post, record)


@pytest.fixture
def running(app, session, cast):
    """Mission A runs from yesterday to tomorrow, Sidogiri taking part, Dewi at its desk;
    mission B (Budi at its desk) runs at the same time elsewhere."""
    today = today_jakarta()
    a = make_mission(session, admin=cast.admin, starts_on=today - timedelta(days=1),
                     ends_on=today + timedelta(days=1), producers=[cast.sidogiri],
                     partners=["PT Banjar Makmur"], staff=[cast.dewi])
    b = make_mission(session, admin=cast.admin, name="Misi Dagang Jatim – Sulsel", province="73",
                     city="Makassar", starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=1),
                     producers=[cast.sidogiri, cast.namira], partners=["CV Makassar Jaya"], staff=[cast.budi])
    session.commit()
    return a, b


def valid(cast, mission, **overrides) -> dict:
    data = {"kind": "jatim_sells", "producer_id": str(cast.sidogiri.id), "partner_id": str(mission.partners[0].id),
            "new_partner": "", "commodity": "Kopi Arabika", "quantity": "10", "unit": "ton",
            "value": "1.500.000.000", "occurred_at": local_time(today_jakarta() - timedelta(days=1), 10, 30)}
    data.update(overrides)
    return data


def desk_url(mission) -> str:
    return f"/admin/misi-dagang/{mission.id}/transaksi"


def test_desk_staff_records_a_deal_and_the_tally_has_it(client, session, cast, running):
    a, _b = running
    # Given Dewi signed in on her phone at mission A's desk
    login(client, email=cast.dewi.email)
    page = client.get(desk_url(a)).get_data(as_text=True)
    assert '<form method="post" novalidate class="stack-form mission-deal-form"' in page
    assert 'inputmode="numeric"' in page and 'type="datetime-local"' in page
    # When she records Sidogiri selling 10 tons of coffee for Rp 1,5 miliar
    response = post(client, desk_url(a), valid(cast, a))
    # Then the desk says so and lists it
    assert response.status_code == 303
    deal = session.execute(select(Deal)).scalar_one()
    assert (deal.mission_id, deal.producer_id, deal.value, deal.quantity, deal.unit, deal.recorded_by_id) == (
        a.id, cast.sidogiri.id, 1_500_000_000, 10, "ton", cast.dewi.id)
    page = client.get(desk_url(a)).get_data(as_text=True)
    assert f"Transaksi #{deal.id} dicatat: Rp 1.500.000.000." in page
    assert 'data-testid="desk-total">Rp 1.500.000.000</dd>' in page
    # And the big screen's next poll shows it
    body = client.get(f"/misi-dagang/{a.slug}/tally.json").get_json()
    assert (body["total_value_text"], body["deal_count"]) == ("Rp 1.500.000.000", 1)


def test_a_new_partner_typed_at_the_desk(client, session, cast, running):
    a, _b = running
    login(client, email=cast.dewi.email)
    response = post(client, desk_url(a), valid(cast, a, partner_id="", new_partner="PT Borneo Invest",
                                               kind="investment", quantity="", unit="", value="Rp 7.000.000.000"))
    assert response.status_code == 303
    partner = session.execute(select(MissionPartner).where(MissionPartner.name == "PT Borneo Invest")).scalar_one()
    assert (partner.mission_id, partner.city, partner.added_by_id) == (a.id, "Banjarmasin", cast.dewi.id)
    deal = session.execute(select(Deal)).scalar_one()
    assert (deal.partner_id, deal.kind.value, deal.quantity, deal.unit) == (partner.id, "investment", None, "")


def _refusals(cast, a, b):
    today = today_jakarta()
    absurd = "Nilai lebih dari Rp 10.000.000.000.000 (10 triliun): periksa lagi angkanya."
    outside = f"Waktu transaksi harus di antara {a.starts_on.isoformat()} dan {a.ends_on.isoformat()} (WIB)."
    not_participant = "Produsen ini bukan peserta misi dagang ini."
    return [
        ("value", {"value": "-5.000"}, "Nilai transaksi harus lebih dari nol."),
        ("value", {"value": "0"}, "Nilai transaksi harus lebih dari nol."),
        ("value", {"value": "Rp 10.000.000.000.001"}, absurd),
        ("value", {"value": "99999999999999999999999"}, absurd),
        ("value", {"value": "1,5 juta"}, "Tulis nilai dalam rupiah tanpa sen, misalnya 1.500.000.000."),
        ("value", {"value": ""}, "Wajib diisi."),
        ("producer_id", {"producer_id": "999999"}, not_participant),
        ("producer_id", {"producer_id": str(cast.namira.id)}, not_participant),  # verified, but not in A
        ("producer_id", {"producer_id": str(cast.unverified.id)}, not_participant),
        ("producer_id", {"producer_id": "satu"}, not_participant),
        ("producer_id", {"producer_id": ""}, "Pilih produsen Jawa Timur."),
        ("partner_id", {"partner_id": str(b.partners[0].id)}, "Mitra ini bukan mitra misi dagang ini."),
        ("partner_id", {"partner_id": "", "new_partner": ""}, "Pilih mitra atau tulis nama mitra baru."),
        ("new_partner", {"new_partner": "PT Lain Lagi"},
         "Pilih mitra dari daftar atau tulis mitra baru, bukan keduanya."),
        ("occurred_at", {"occurred_at": local_time(a.starts_on - timedelta(days=1), 23, 59)}, outside),
        ("occurred_at", {"occurred_at": local_time(a.ends_on + timedelta(days=1), 0, 0)}, outside),
        ("occurred_at", {"occurred_at": "kemarin sore"},
         "Tulis waktu sebagai tanggal dan jam, misalnya 2026-11-24 10:30."),
        ("occurred_at", {"occurred_at": local_time(today + timedelta(days=1), 9, 0)},
         "Waktu transaksi belum terjadi: periksa jam dan tanggalnya."),
        ("quantity", {"quantity": "2,5"}, "Jumlah harus bilangan bulat, misalnya 25 atau 1.500."),
        ("quantity", {"quantity": "0"}, "Jumlah harus lebih dari nol."),
        ("quantity", {"quantity": "-3"}, "Jumlah harus lebih dari nol."),
        ("quantity", {"quantity": ""}, "Wajib diisi."),
        ("unit", {"unit": ""}, "Wajib diisi."),
        ("commodity", {"commodity": "   "}, "Wajib diisi."),
        ("kind", {"kind": "barter"}, "Pilih jenis transaksi."),
    ]


def test_every_refused_deal_is_named_next_to_its_field_and_writes_nothing(client, cast, running):
    a, b = running
    login(client, email=cast.dewi.email)
    before = mission_rows()
    for field, overrides, message in _refusals(cast, a, b):
        # When the desk sends a deal with one bad field
        response = post(client, desk_url(a), valid(cast, a, **overrides))
        page = response.get_data(as_text=True)
        # Then the form comes back with the message next to that field
        assert response.status_code == 200, (field, overrides)
        if field == "kind":
            assert f'<p class="field-error">{message}</p>' in page
        else:
            assert f'<p class="field-error" id="{field}-error">{escape(message, quote=False)}</p>' in page, \
                (field, overrides)
        # And nothing at all was written
        assert mission_rows() == before, (field, overrides)
    # And what was typed stays in the form
    page = post(client, desk_url(a), valid(cast, a, value="-5.000")).get_data(as_text=True)
    assert 'name="value" type="text" value="-5.000"' in page


def test_desk_staff_of_one_mission_cannot_touch_another(client, session, cast, running):
    a, b = running
    deal_b = record(session, b, cast.budi, producer=cast.namira, partner=b.partners[0], value="5.000.000",
                    at=local_time(b.starts_on))
    session.commit()
    before = mission_rows()
    # Given Dewi, desk staff of mission A only
    login(client, email=cast.dewi.email)
    # Then mission B's desk does not exist for her, whatever she tries
    assert client.get(desk_url(b)).status_code == 404
    assert post(client, desk_url(b), valid(cast, b)).status_code == 404
    assert client.get(f"{desk_url(b)}/{deal_b.id}/koreksi").status_code == 404
    assert post(client, f"{desk_url(b)}/{deal_b.id}/koreksi", valid(cast, b)).status_code == 404
    assert post(client, f"{desk_url(b)}/{deal_b.id}/batal", {"void_reason": "salah"}).status_code == 404
    # Nor is B's deal reachable through her own mission's desk
    assert client.get(f"{desk_url(a)}/{deal_b.id}/koreksi").status_code == 404
    assert post(client, f"{desk_url(a)}/{deal_b.id}/batal", {"void_reason": "salah"}).status_code == 404
    assert mission_rows() == before
    # And her list of desks has A only; the admin pages are not hers
    page = client.get("/admin/misi-dagang/meja").get_data(as_text=True)
    assert a.name in page and b.name not in page
    assert client.get("/admin/misi-dagang").status_code == 403
    assert client.get(f"/admin/misi-dagang/{a.id}").status_code == 403
    # And once taken off A's desk, A's desk is gone for her too
    session.delete(session.execute(select(MissionDeskStaff).where(MissionDeskStaff.user_id == cast.dewi.id))
                   .scalar_one())
    session.commit()
    assert client.get(desk_url(a)).status_code == 404


def test_correcting_and_voiding_from_the_desk(client, session, cast, running):
    a, _b = running
    typo = record(session, a, cast.dewi, producer=cast.sidogiri, partner=a.partners[0], commodity="Kopi",
                  value="15.000.000.000", at=local_time(a.starts_on, 11, 0))
    twice = record(session, a, cast.dewi, producer=cast.sidogiri, partner=a.partners[0], commodity="Gula aren",
                   value="40.000.000", at=local_time(a.starts_on, 11, 5))
    session.commit()
    login(client, email=cast.dewi.email)
    # The correction form starts from the deal as recorded
    page = client.get(f"{desk_url(a)}/{typo.id}/koreksi").get_data(as_text=True)
    assert 'name="value" type="text" value="15.000.000.000"' in page
    assert f'value="{local_time(a.starts_on, 11, 0)}"' in page
    # When the value is corrected
    response = post(client, f"{desk_url(a)}/{typo.id}/koreksi",
                    valid(cast, a, commodity="Kopi", value="1.500.000.000", occurred_at=local_time(a.starts_on, 11, 0),
                          reason="Kelebihan satu nol"))
    assert response.status_code == 303
    fixed = session.execute(select(Deal).where(Deal.replaces_id == typo.id)).scalar_one()
    assert fixed.value == 1_500_000_000
    # And a void without a reason is refused next to its field, writing nothing
    before = mission_rows()
    page = post(client, f"{desk_url(a)}/{twice.id}/batal", {"void_reason": "  "}).get_data(as_text=True)
    assert '<p class="field-error" id="void_reason-error">Wajib diisi.</p>' in page
    assert mission_rows() == before
    # When it is voided with a reason
    assert post(client, f"{desk_url(a)}/{twice.id}/batal", {"void_reason": "Tercatat dua kali"}).status_code == 303
    void = session.execute(select(DealVoid).where(DealVoid.deal_id == twice.id)).scalar_one()
    assert (void.reason, void.actor_id) == ("Tercatat dua kali", cast.dewi.id)
    # Then the desk strikes both through and says why; the figures leave them out
    page = client.get(desk_url(a)).get_data(as_text=True)
    assert f'<li class="deal-card deal-voided" data-deal="{typo.id}">' in page
    assert f"Dikoreksi → #{fixed.id}" in page
    assert f'<li class="deal-card deal-voided" data-deal="{twice.id}">' in page
    assert "Alasan: Tercatat dua kali" in page
    assert f'<li class="deal-card" data-deal="{fixed.id}">' in page
    assert f"Koreksi atas #{typo.id}" in page
    assert 'data-testid="desk-total">Rp 1.500.000.000</dd>' in page
    assert 'data-testid="desk-count">1</dd>' in page
    # And a voided deal offers no more actions; trying anyway changes nothing
    assert f'data-testid="correct-{twice.id}"' not in page
    before = mission_rows()
    page = post(client, f"{desk_url(a)}/{twice.id}/batal", {"void_reason": "lagi"}).get_data(as_text=True)
    assert f"Transaksi #{twice.id} sudah dibatalkan atau dikoreksi." in page
    assert mission_rows() == before


def test_an_admin_sets_up_a_mission_through_the_pages(client, session, cast):
    login(client, email=cast.admin.email)
    today = today_jakarta()
    form = {"name": "Misi Dagang Jawa Timur – Kalimantan Selatan", "partner_province_code": "63",
            "partner_city": "Banjarmasin", "venue": "Hotel Galaxy", "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=2)).isoformat(), "target_value": "500.000.000.000",
            "description": "Temu bisnis dan pameran."}
    # Refused: Jawa Timur is the home side, dates backwards, a target that is no number
    before = mission_rows()
    page = post(client, "/admin/misi-dagang/baru", {
        **form, "partner_province_code": "35", "ends_on": (today - timedelta(days=1)).isoformat(),
        "target_value": "banyak"}).get_data(as_text=True)
    assert '<p class="field-error" id="partner_province_code-error">Pilih provinsi mitra dari daftar.</p>' in page
    assert '<p class="field-error" id="ends_on-error">Tanggal selesai tidak boleh sebelum tanggal mulai.</p>' in page
    assert 'id="target_value-error">Tulis nilai dalam rupiah tanpa sen' in page
    assert mission_rows() == before
    # Created as a draft
    response = post(client, "/admin/misi-dagang/baru", form)
    assert response.status_code == 303
    mission = session.execute(select(TradeMission)).scalar_one()
    assert (mission.slug, mission.status, mission.target_value, mission.created_by_id) == (
        "misi-dagang-jawa-timur-kalimantan-selatan", MissionStatus.DRAFT, 500_000_000_000, cast.admin.id)
    base = f"/admin/misi-dagang/{mission.id}"
    assert response.headers["Location"] == base
    # Participants: an unverified producer is refused next to the field
    page = post(client, f"{base}/peserta", {"producer_id": str(cast.unverified.id)}).get_data(as_text=True)
    assert 'id="producer_id-error">Hanya produsen terverifikasi yang bisa ikut misi dagang.</p>' in page
    assert post(client, f"{base}/peserta", {"producer_id": str(cast.sidogiri.id)}).status_code == 303
    # Partners and desk staff
    assert post(client, f"{base}/mitra", {"name": "PT Banjar Makmur", "city": "Banjarmasin",
                                          "sector": "Perdagangan", "contact": "0511 123456"}).status_code == 303
    page = post(client, f"{base}/mitra", {"name": "pt banjar  makmur", "city": "Banjarmasin"}).get_data(as_text=True)
    assert 'id="name-error">PT Banjar Makmur sudah ada di daftar mitra.</p>' in page
    page = post(client, f"{base}/petugas", {"email": "tidak-ada@contoh.id"}).get_data(as_text=True)
    assert 'id="email-error">Tidak ada akun dengan email itu. Minta dia mendaftar dulu.</p>' in page
    assert post(client, f"{base}/petugas", {"email": "  DEWI@contoh.id "}).status_code == 303
    # Published
    assert post(client, f"{base}/status", {"target": "published"}).status_code == 303
    session.expire_all()
    assert mission.status is MissionStatus.PUBLISHED and mission.published_at is not None
    assert [p.producer_id for p in session.execute(select(MissionProducer)).scalars()] == [cast.sidogiri.id]
    assert [s.user_id for s in session.execute(select(MissionDeskStaff)).scalars()] == [cast.dewi.id]
    page = client.get(base).get_data(as_text=True)
    assert 'data-testid="mission-status">Diterbitkan</span>' in page
    assert "0511 123456" in page  # the contact, for admins only
    assert "0511 123456" not in client.get(f"/misi-dagang/{mission.slug}").get_data(as_text=True)
    # A status the workflow does not allow is refused with a message
    assert post(client, f"{base}/status", {"target": "published"}).status_code == 303
    assert "Status misi tidak bisa diubah seperti itu." in client.get(base).get_data(as_text=True)


def test_the_account_menu_leads_to_missions(client, session, cast, running):
    login(client, email=cast.admin.email)
    assert '<a href="/admin/misi-dagang" data-testid="missions-link">Misi dagang</a>' in \
        client.get("/akun").get_data(as_text=True)
    dewi, siti = client.application.test_client(), client.application.test_client()
    login(dewi, email=cast.dewi.email)
    assert '<a href="/admin/misi-dagang/meja" data-testid="missions-link">Meja transaksi</a>' in \
        dewi.get("/akun").get_data(as_text=True)
    login(siti, email=cast.siti.email)
    assert 'data-testid="missions-link"' not in siti.get("/akun").get_data(as_text=True)
