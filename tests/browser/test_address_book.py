"""The address form in a real browser, at phone and desktop width: the kabupaten/kota list
follows the chosen province, the "other city" box shows only where the list is partial."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from opopmart.checkout.models import Address
from tests.browser.test_storefront import assert_no_sideways_scroll
from tests.functional.test_accounts import PASSWORD, make_user


def _log_in(page):
    page.goto("/masuk")
    page.fill("#email", "siti@contoh.id")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def test_a_shopper_adds_addresses_with_the_city_list_following_the_province(page, session, viewport):
    # Given a shopper coming from checkout
    make_user(session)
    _log_in(page)
    page.goto("/akun/alamat/baru?next=/akun/alamat")
    assert_no_sideways_scroll(page)
    city, region = page.locator("#city_name"), page.locator("#region_code")

    # When she picks Jawa Timur, only its 38 kabupaten/kota are offered and no free text
    page.select_option("#province_code", "35")
    expect(city).to_be_hidden()
    expect(region).to_be_visible()
    assert region.locator("option").count() == 1 + 38
    page.select_option("#region_code", "35.07")
    page.fill("#street", "Jl. Kawi 5")
    page.fill("#village", "Kauman")
    page.fill("#district", "Klojen")
    page.fill("#postal_code", "65119")
    page.get_by_role("button", name="Simpan alamat").click()
    expect(page.get_by_test_id("address-default")).to_be_visible()

    # And a second one in Bali, where the list holds only Kota Denpasar: she types hers
    page.get_by_test_id("address-new").click()
    page.select_option("#province_code", "51")
    expect(region).to_be_visible()
    expect(city).to_be_visible()
    assert region.locator("option").all_inner_texts() == ["— pilih kabupaten/kota —", "Kota Denpasar"]
    page.fill("#city_name", "Kab. Gianyar")
    page.fill("#street", "Jl. Raya Ubud 1")
    page.fill("#village", "Ubud")
    page.fill("#district", "Ubud")
    page.fill("#postal_code", "80571")
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Simpan alamat").click()
    expect(page.locator("[data-address]")).to_have_count(2)
    assert_no_sideways_scroll(page)

    # Then both are saved as she meant them
    session.expire_all()
    saved = session.execute(select(Address.province_code, Address.region_code, Address.city_name)
                            .order_by(Address.id)).all()
    assert [tuple(r) for r in saved] == [("35", "35.07", "Kab. Malang"), ("51", None, "Kab. Gianyar")]

    # And Aceh, with no city in the list at all, hides the list
    page.goto("/akun/alamat/baru")
    page.select_option("#province_code", "11")
    expect(region).to_be_hidden()
    expect(city).to_be_visible()
    page.screenshot(path=f"/tmp/helper-address-form-{viewport}.png", full_page=True)
