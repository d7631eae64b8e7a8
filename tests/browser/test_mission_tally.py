"""The trade mission's big screen in a real browser, at phone and desktop width: a deal
recorded at the desk (in another tab, through its form) shows on the tally by itself,
without the tally page reloading. No console errors (a CSP violation would be one)."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from opopmart.core.timeutil import today_jakarta
from tests.browser.test_storefront import assert_no_sideways_scroll
from tests.functional.mission_support import Cast, local_time, make_mission, record
from tests.functional.test_accounts import PASSWORD


def test_the_tally_follows_the_desk_without_a_reload(app, session, page):
    # Given a mission running today with one deal of Rp 1.250.000.000, and Dewi at its desk
    app.config["MISSION_TALLY_POLL_MS"] = 300
    cast = Cast(session)
    today = today_jakarta()
    mission = make_mission(session, admin=cast.admin, starts_on=today - timedelta(days=1),
                           ends_on=today + timedelta(days=1), producers=[cast.sidogiri, cast.namira],
                           partners=["PT Banjar Makmur"], staff=[cast.dewi])
    record(session, mission, cast.dewi, producer=cast.sidogiri, partner=mission.partners[0],
           commodity="Kopi Arabika", value="1.250.000.000", at=local_time(today - timedelta(days=1), 9, 0))
    session.commit()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # And the big screen open on it
    page.goto(f"/misi-dagang/{mission.slug}/tally")
    expect(page.get_by_test_id("tally-total")).to_have_text("Rp 1.250.000.000")
    expect(page.get_by_test_id("tally-count")).to_have_text("1")
    # (it has polled at least twice: at 300 ms a busy machine can pass 2 between two looks)
    expect(page.locator("[data-tally-url]")).to_have_attribute(
        "data-polls", re.compile(r"^(?:[2-9]|[1-9]\d+)$"), timeout=3_000)
    assert_no_sideways_scroll(page)
    page.evaluate("window.__stillTheSamePage = true")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    # When Dewi records Namira selling kain ecoprint for Rp 98.765.000, in another tab
    desk = page.context.new_page()
    desk.goto("/masuk")
    desk.fill("#email", cast.dewi.email)
    desk.fill("#password", PASSWORD)
    desk.get_by_role("button", name="Masuk").click()
    desk.wait_for_load_state()
    desk.goto(f"/admin/misi-dagang/{mission.id}/transaksi")
    desk.get_by_role("radio", name="Jatim menjual").check()
    desk.get_by_label("Produsen Jawa Timur").select_option(label="Namira Ecoprint")
    desk.get_by_label("Mitra", exact=True).select_option(label="PT Banjar Makmur (Banjarmasin)")
    desk.get_by_label("Komoditas").fill("Kain Ecoprint")
    desk.get_by_label("Jumlah").fill("150")
    desk.get_by_label("Satuan").fill("lembar")
    desk.get_by_label("Nilai (Rp)").fill("98.765.000")
    desk.get_by_label("Waktu (WIB)").fill(local_time(today - timedelta(days=1), 14, 20))
    assert_no_sideways_scroll(desk)
    desk.get_by_role("button", name="Catat transaksi").click()
    expect(desk.locator(".flash-success")).to_contain_text("dicatat: Rp 98.765.000.")
    desk.close()

    # Then the big screen shows the new total, count and commodity by itself
    expect(page.get_by_test_id("tally-total")).to_have_text("Rp 1.348.765.000")
    expect(page.get_by_test_id("tally-count")).to_have_text("2")
    expect(page.locator('[data-kind="jatim_sells"] [data-field="value_text"]')).to_have_text("Rp 1.348.765.000")
    expect(page.get_by_test_id("tally-commodities").locator(".tally-c-name")).to_have_text(
        ["Kopi Arabika", "Kain Ecoprint"])
    expect(page.get_by_test_id("tally-commodities").locator(".tally-c-value")).to_have_text(
        ["Rp 1.250.000.000", "Rp 98.765.000"])
    # And the new bar is 8% of the largest (98.765.000 / 1.250.000.000)
    expect(page.get_by_test_id("tally-commodities").locator("[data-bar]").nth(1)).to_have_attribute("width", "8")
    # Without a reload
    assert page.evaluate("window.__stillTheSamePage") is True
    assert navigations == []
    assert_no_sideways_scroll(page)
    assert errors == []
