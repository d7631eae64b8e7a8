"""Running a shop from the studio: details and logo, staff, invitations, brands."""

from __future__ import annotations

import io
import os
import re

from PIL import Image
from sqlalchemy import select

from opopmart.accounts.models import MemberRole, ProducerMember
from opopmart.catalogue.models import Brand, Producer, ProductStatus
from opopmart.core.media import media_files
from opopmart.seller.models import ProducerInvite
from tests import factories as f
from tests.functional.seller_support import TOKEN_PAGE, category, post, seller, snapshot
from tests.functional.test_accounts import csrf_token, errors_by_field, form_errors, login, make_user, text

LEGAL_LOCKED = "Data legal toko terverifikasi hanya bisa diubah lewat kurator"
NO_LONGER_VALID = ("Undangan ini tidak berlaku lagi: sudah dibatalkan pemilik toko atau tidak pernah "
                   "ada. Minta pemilik toko mengirim undangan baru.")
RENAME_REFUSED = ("Merek ini dipakai produk yang sudah tayang: namanya bagian dari isi yang dikurasi "
                  "dan tidak bisa diubah di sini. Nomor DJKI tetap bisa diisi atau diperbaiki.")

# What seller_support.seller() registers, as the edit form of an unverified shop sends it.
LEGAL = {"kind": "kopontren", "pesantren_name": "Pondok Pesantren Al Amin",
         "koperasi_name": "Koperasi Al Amin", "nib": "1234567890123", "region_code": "35.09"}


def jpeg_bytes(size=(600, 600), colour=(30, 120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def media_names(app) -> set[str]:
    root = app.config["MEDIA_ROOT"]
    return set(os.listdir(root)) if os.path.isdir(root) else set()


def edit_shop(client, producer_id, data: dict, logo: bytes | None = None):
    payload = {"csrf_token": csrf_token(client, TOKEN_PAGE), **data}
    if logo is not None:
        payload["logo"] = (io.BytesIO(logo), "logo.jpg")
    return client.post(f"/studio/toko/{producer_id}/ubah", data=payload,
                       content_type="multipart/form-data")


def details(**overrides) -> dict:
    data = {"name": "Kopontren Al Amin Baru", "address": "Jl. Pesantren 2, Jember",
            "description": "Kopi dan camilan santri."}
    data.update(overrides)
    return data


def flashes(client, response) -> list[str]:
    """The messages on the page a POST redirected to."""
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return [text_of(m) for m in re.findall(r'<li class="flash flash-\w+">(.*?)</li>', page, re.S)]


def plain(response) -> str:
    """The page's words without tags, single-spaced."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def text_of(html: str) -> str:
    from html import unescape

    return unescape(html).strip()


def producer_row(session, producer_id) -> Producer:
    session.expire_all()
    return session.get(Producer, producer_id)


def add_staff(session, producer, email="budi@contoh.id", name="Budi Santoso"):
    user = make_user(session, email=email, name=name)
    session.add(ProducerMember(user_id=user.id, producer_id=producer.id, role=MemberRole.STAFF))
    session.commit()
    return user


def logged_in(app, email):
    client = app.test_client()
    login(client, email=email)
    return client


# --------------------------------------------------------------------------------------
# Shop details and logo


def test_owner_edits_details_and_logo_and_the_cached_public_page_follows_at_once(app, client, session):
    # Given a verified shop whose public page is already in the page cache
    owner, shop = seller(session, client)
    slug = shop.slug
    first = client.get(f"/produsen/{slug}")
    assert first.status_code == 200 and "Kopontren Al Amin" in text(first)
    assert "/static/img/no-photo.svg" in first.get_data(as_text=True)
    # When the owner saves a new name, address, description and logo
    response = edit_shop(client, shop.id, details(), logo=jpeg_bytes())
    # Then the row holds them (the slug, and so every link, stays) and three files exist
    assert response.status_code == 303
    assert response.headers["Location"] == f"/studio/toko/{shop.id}"
    row = producer_row(session, shop.id)
    assert (row.name, row.address, row.description, row.slug) == (
        "Kopontren Al Amin Baru", "Jl. Pesantren 2, Jember", "Kopi dan camilan santri.", slug)
    assert re.fullmatch(r"[0-9a-f]{32}", row.logo_path)
    assert media_names(app) == set(media_files(row.logo_path))
    # ...the legal facts did not move
    assert (row.kind.value, row.pesantren_name, row.koperasi_name, row.nib, row.region_code) == (
        "kopontren", "Pondok Pesantren Al Amin", "Koperasi Al Amin", "1234567890123", "35.09")
    # ...and the public page (cached before) shows the new name and logo at once
    page = client.get(f"/produsen/{slug}")
    html = page.get_data(as_text=True)
    assert "Kopontren Al Amin Baru" in text(page) and "Jl. Pesantren 2, Jember" in text(page)
    assert f"/media/{row.logo_path}_md.jpg" in html
    with client.get(f"/media/{row.logo_path}_md.jpg") as served:
        assert served.status_code == 200
    studio = client.get(f"/studio/toko/{shop.id}").get_data(as_text=True)
    assert f"/media/{row.logo_path}_sm.jpg" in studio


def test_a_new_logo_replaces_the_old_one_and_its_files_go(app, client, session):
    owner, shop = seller(session, client)
    assert edit_shop(client, shop.id, details(), logo=jpeg_bytes(colour=(200, 0, 0))).status_code == 303
    old_key = producer_row(session, shop.id).logo_path
    # When the owner uploads another logo
    assert edit_shop(client, shop.id, details(), logo=jpeg_bytes(colour=(0, 0, 200))).status_code == 303
    # Then only the new logo's three files remain
    new_key = producer_row(session, shop.id).logo_path
    assert new_key != old_key
    assert media_names(app) == set(media_files(new_key))
    # Saving without a file keeps the logo; ticking "remove" drops it and its files
    assert edit_shop(client, shop.id, details()).status_code == 303
    assert producer_row(session, shop.id).logo_path == new_key
    assert edit_shop(client, shop.id, details(remove_logo="y")).status_code == 303
    assert producer_row(session, shop.id).logo_path is None
    assert media_names(app) == set()


def test_an_old_logo_another_row_still_uses_keeps_its_files(app, client, session):
    # Given two shops sharing one stored logo (as demo rows share images)
    owner, shop = seller(session, client)
    other = f.producer(session, "Kopontren Tetangga", region_code="35.07")
    session.commit()
    assert edit_shop(client, shop.id, details(), logo=jpeg_bytes()).status_code == 303
    shared = producer_row(session, shop.id).logo_path
    session.get(Producer, other.id).logo_path = shared
    session.commit()
    # When the first shop replaces its logo
    assert edit_shop(client, shop.id, details(), logo=jpeg_bytes(colour=(1, 2, 3))).status_code == 303
    # Then the shared files stay for the other shop
    new_key = producer_row(session, shop.id).logo_path
    assert media_names(app) == set(media_files(shared)) | set(media_files(new_key))


def test_a_refused_logo_gives_a_message_and_leaves_nothing_behind(app, client, session):
    owner, shop = seller(session, client)
    before = snapshot()
    # When the owner uploads something that is not a photo
    response = edit_shop(client, shop.id, details(), logo=b"<svg><script>alert(1)</script></svg>")
    # Then the form says why, and neither a row nor a file changed
    assert response.status_code == 200
    assert errors_by_field(response) == {
        "logo": ["Berkas ini bukan foto yang kami terima. Unggah foto JPEG, PNG atau WebP."]}
    assert snapshot() == before and media_names(app) == set()
    # A good photo with a bad field is not stored either: the rules are checked first
    response = edit_shop(client, shop.id, details(name=" ", address=""), logo=jpeg_bytes())
    assert response.status_code == 200
    assert errors_by_field(response) == {"name": ["Wajib diisi."], "address": ["Wajib diisi."]}
    assert snapshot() == before and media_names(app) == set()


def test_verified_legal_facts_are_read_only_and_a_changed_one_is_refused(app, client, session):
    owner, shop = seller(session, client)
    page = client.get(f"/studio/toko/{shop.id}/ubah")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="legal-locked"' in html
    assert 'name="nib"' not in html and 'name="kind"' not in html and 'name="region_code"' not in html
    assert 'name="name"' in html and "1234567890123" in text(page)
    before = snapshot()
    # When a request sends a different NIB (or kind, or kabupaten/kota) anyway
    for changed in ({"nib": "9999999999999"}, {"kind": "umkm"}, {"region_code": "35.78"},
                    {"pesantren_name": "PP Lain"}, {"koperasi_name": ""}, {"nib": "salah"}):
        response = edit_shop(client, shop.id, details(**changed))
        # Then the whole edit is refused with the reason, and nothing is written
        assert response.status_code == 200, changed
        assert form_errors(response) == [LEGAL_LOCKED], changed
        assert snapshot() == before, changed
    # Sending the same facts (spelled differently) is no change
    response = edit_shop(client, shop.id, details(**{**LEGAL, "nib": "1234 5678 9012 3"}))
    assert response.status_code == 303
    assert producer_row(session, shop.id).name == "Kopontren Al Amin Baru"


def test_an_unverified_shop_edits_its_legal_facts_by_the_open_shop_rules(app, client, session):
    owner, shop = seller(session, client, verified=False)
    page = client.get(f"/studio/toko/{shop.id}/ubah").get_data(as_text=True)
    assert 'name="nib"' in page and 'value="1234567890123"' in page
    before = snapshot()
    response = edit_shop(client, shop.id, details(**{**LEGAL, "kind": "koperasi", "nib": "12345",
                                                    "region_code": "35", "address": ""}))
    assert response.status_code == 200
    assert errors_by_field(response) == {
        "kind": ["Pilih jenis usaha."],
        "nib": ["NIB terdiri dari 13 angka."],
        "region_code": ["Pilih kabupaten/kota dari daftar."],
        "address": ["Wajib diisi."],
    }
    response = edit_shop(client, shop.id, details(**{**LEGAL, "kind": "pesantren", "pesantren_name": ""}))
    assert errors_by_field(response) == {"pesantren_name": ["Wajib diisi."]}
    assert snapshot() == before
    # A valid change is saved
    response = edit_shop(client, shop.id, details(**{**LEGAL, "kind": "umkm", "pesantren_name": "",
                                                    "koperasi_name": "", "nib": "9120 0012 3456 7",
                                                    "region_code": "35.78"}))
    assert response.status_code == 303
    row = producer_row(session, shop.id)
    assert (row.kind.value, row.pesantren_name, row.koperasi_name, row.nib, row.region_code,
            row.verified) == ("umkm", None, None, "9120001234567", "35.78", False)


def test_staff_may_not_edit_the_shop_and_strangers_do_not_see_it(app, client, session):
    owner, shop = seller(session, client)
    add_staff(session, shop)
    staff_client = logged_in(app, "budi@contoh.id")
    stranger, _other = seller(session, email="dodi@contoh.id", shop="Toko Dodi")
    stranger_client = logged_in(app, "dodi@contoh.id")
    before = snapshot()
    assert staff_client.get(f"/studio/toko/{shop.id}/ubah").status_code == 403
    assert edit_shop(staff_client, shop.id, details()).status_code == 403
    assert stranger_client.get(f"/studio/toko/{shop.id}/ubah").status_code == 404
    assert edit_shop(stranger_client, shop.id, details()).status_code == 404
    assert snapshot() == before
    assert 'data-testid="edit-shop"' not in staff_client.get(f"/studio/toko/{shop.id}").get_data(as_text=True)
    assert 'data-testid="edit-shop"' in client.get(f"/studio/toko/{shop.id}").get_data(as_text=True)


# --------------------------------------------------------------------------------------
# Staff


def test_owner_removes_staff_and_their_access_ends_at_once(app, client, session):
    # Given a staff member working on a product of the shop
    owner, shop = seller(session, client)
    item = f.product(session, shop, category(session), "Kopi Draf", status=ProductStatus.DRAFT)
    session.commit()
    staff = add_staff(session, shop)
    staff_client = logged_in(app, "budi@contoh.id")
    assert staff_client.get(f"/studio/produk/{item.id}").status_code == 200
    assert 'data-testid="remove-member"' in client.get(f"/studio/toko/{shop.id}").get_data(as_text=True)
    # When the owner removes them
    response = post(client, f"/studio/toko/{shop.id}/anggota/{staff.id}/hapus", {})
    # Then the membership is gone and their very next requests are 404s
    assert flashes(client, response) == ["Budi Santoso tidak lagi menjadi staf toko ini."]
    session.expire_all()
    assert session.execute(select(ProducerMember.user_id).where(
        ProducerMember.producer_id == shop.id)).scalars().all() == [owner.id]
    assert staff_client.get(f"/studio/produk/{item.id}").status_code == 404
    assert staff_client.get(f"/studio/toko/{shop.id}").status_code == 404
    assert staff_client.get(f"/studio/toko/{shop.id}/merek").status_code == 404
    assert post(staff_client, f"/studio/produk/{item.id}", {"name": "Ubahan"}).status_code == 404


def test_the_shop_always_keeps_its_owner(app, client, session):
    owner, shop = seller(session, client)
    staff = add_staff(session, shop)
    before = snapshot()
    # The owner cannot remove themself, nor leave
    response = post(client, f"/studio/toko/{shop.id}/anggota/{owner.id}/hapus", {})
    assert flashes(client, response) == [
        "Anda tidak bisa menghapus diri sendiri: toko harus tetap punya pemilik."]
    response = post(client, f"/studio/toko/{shop.id}/keluar", {})
    assert response.headers["Location"] == f"/studio/toko/{shop.id}#anggota"
    assert flashes(client, response) == ["Pemilik tidak bisa keluar dari toko: toko harus tetap punya pemilik."]
    # Staff cannot remove anyone; an unknown member is a 404
    staff_client = logged_in(app, "budi@contoh.id")
    assert post(staff_client, f"/studio/toko/{shop.id}/anggota/{owner.id}/hapus", {}).status_code == 403
    assert post(client, f"/studio/toko/{shop.id}/anggota/{staff.id + 100}/hapus", {}).status_code == 404
    assert snapshot() == before


def test_a_staff_member_leaves_the_shop(app, client, session):
    owner, shop = seller(session, client)
    add_staff(session, shop)
    staff_client = logged_in(app, "budi@contoh.id")
    assert 'data-testid="leave-shop"' in staff_client.get(f"/studio/toko/{shop.id}").get_data(as_text=True)
    assert 'data-testid="leave-shop"' not in client.get(f"/studio/toko/{shop.id}").get_data(as_text=True)
    response = post(staff_client, f"/studio/toko/{shop.id}/keluar", {})
    assert response.headers["Location"] == "/studio"
    assert flashes(staff_client, response) == ["Anda keluar dari toko Kopontren Al Amin."]
    session.expire_all()
    assert session.execute(select(ProducerMember.user_id, ProducerMember.role)).all() == [
        (owner.id, MemberRole.OWNER)]
    assert staff_client.get(f"/studio/toko/{shop.id}").status_code == 404
    # Leaving again is a 404: they are no member any more
    assert post(staff_client, f"/studio/toko/{shop.id}/keluar", {}).status_code == 404


# --------------------------------------------------------------------------------------
# Invitations


def _invite(client, producer_id, email) -> str:
    response = post(client, f"/studio/toko/{producer_id}/undang", {"email": email})
    assert response.status_code == 200
    link = re.search(r'value="http://localhost(/studio/undangan/[^"]+)" data-testid="invite-link"',
                     response.get_data(as_text=True))
    return link.group(1)


def test_a_cancelled_invitation_link_is_no_longer_valid(app, client, session):
    owner, shop = seller(session, client)
    path = _invite(client, shop.id, "citra@contoh.id")
    invite_id = session.execute(select(ProducerInvite.id)).scalar_one()
    page = client.get(f"/studio/toko/{shop.id}").get_data(as_text=True)
    assert f"/studio/toko/{shop.id}/undangan/{invite_id}/batal" in page
    # When the owner cancels it
    response = post(client, f"/studio/toko/{shop.id}/undangan/{invite_id}/batal", {})
    assert flashes(client, response) == [
        "Undangan untuk citra@contoh.id dibatalkan; tautannya tidak berlaku lagi."]
    session.expire_all()
    assert session.execute(select(ProducerInvite)).scalars().all() == []
    # Then the invited person's link says so and makes nobody a member
    make_user(session, email="citra@contoh.id", name="Citra")
    invitee = logged_in(app, "citra@contoh.id")
    for response in (invitee.get(path), post(invitee, path, {})):
        assert response.status_code == 400
        assert NO_LONGER_VALID in text(response)
    assert session.execute(select(ProducerMember.user_id)).scalars().all() == [owner.id]
    # Cancelling it again is a 404
    assert post(client, f"/studio/toko/{shop.id}/undangan/{invite_id}/batal", {}).status_code == 404


def test_an_invitation_of_another_shop_is_404_and_staff_cannot_cancel(app, client, session):
    owner, shop = seller(session, client)
    add_staff(session, shop)
    other_owner, other = seller(session, email="dodi@contoh.id", shop="Toko Dodi")
    other_client = logged_in(app, "dodi@contoh.id")
    _invite(other_client, other.id, "eka@contoh.id")
    _invite(client, shop.id, "fajar@contoh.id")
    theirs = session.execute(select(ProducerInvite.id).where(ProducerInvite.producer_id == other.id)).scalar_one()
    ours = session.execute(select(ProducerInvite.id).where(ProducerInvite.producer_id == shop.id)).scalar_one()
    before = snapshot()
    assert post(client, f"/studio/toko/{shop.id}/undangan/{theirs}/batal", {}).status_code == 404
    assert post(client, f"/studio/toko/{other.id}/undangan/{theirs}/batal", {}).status_code == 404
    staff_client = logged_in(app, "budi@contoh.id")
    assert post(staff_client, f"/studio/toko/{shop.id}/undangan/{ours}/batal", {}).status_code == 403
    assert snapshot() == before


def test_inviting_the_same_email_again_replaces_the_pending_invitation(app, client, session):
    owner, shop = seller(session, client)
    first = _invite(client, shop.id, "citra@contoh.id")
    second = _invite(client, shop.id, "Citra@Contoh.id")
    # One pending invitation remains, for the newest link
    session.expire_all()
    assert session.execute(select(ProducerInvite.email)).scalars().all() == ["citra@contoh.id"]
    assert text(client.get(f"/studio/toko/{shop.id}")).count("citra@contoh.id") == 1
    make_user(session, email="citra@contoh.id", name="Citra")
    invitee = logged_in(app, "citra@contoh.id")
    old = post(invitee, first, {})
    assert old.status_code == 400 and NO_LONGER_VALID in text(old)
    assert post(invitee, second, {}).status_code == 303
    session.expire_all()
    assert session.execute(select(ProducerMember.role).where(
        ProducerMember.producer_id == shop.id).order_by(ProducerMember.id)).scalars().all() == [
        MemberRole.OWNER, MemberRole.STAFF]


# --------------------------------------------------------------------------------------
# Brands


def brand_rows(session, producer_id) -> list[tuple[str, str | None]]:
    session.expire_all()
    return [tuple(r) for r in session.execute(
        select(Brand.name, Brand.djki_number).where(Brand.producer_id == producer_id).order_by(Brand.id))]


def test_brands_are_listed_with_their_number_and_uses_and_can_be_added(app, client, session):
    owner, shop = seller(session, client)
    brand = Brand(producer_id=shop.id, name="Santri Kopi", djki_number="IDM000123456")
    session.add(brand)
    session.flush()
    cat = category(session)
    f.product(session, shop, cat, "Kopi Satu", brand=brand, status=ProductStatus.DRAFT)
    f.product(session, shop, cat, "Kopi Dua", brand=brand, status=ProductStatus.PUBLISHED)
    session.commit()
    page = client.get(f"/studio/toko/{shop.id}/merek")
    assert page.status_code == 200
    assert "Santri Kopi DJKI IDM000123456 — dipakai 2 produk (1 tayang) Ubah" in plain(page)
    assert f"/studio/toko/{shop.id}/merek" in client.get(f"/studio/toko/{shop.id}").get_data(as_text=True)
    # When the owner adds a brand with a DJKI number written loosely
    response = post(client, f"/studio/toko/{shop.id}/merek", {"name": "  Keripik   Santri ",
                                                             "djki_number": "idm 000-654-321"})
    assert flashes(client, response) == ["Merek Keripik Santri ditambahkan."]
    assert brand_rows(session, shop.id) == [("Santri Kopi", "IDM000123456"),
                                            ("Keripik Santri", "IDM000654321")]


def test_brand_names_are_unique_per_shop_whatever_their_case(app, client, session):
    owner, shop = seller(session, client)
    other_owner, other = seller(session, email="dodi@contoh.id", shop="Toko Dodi")
    session.add_all([Brand(producer_id=shop.id, name="Santri Kopi"), Brand(producer_id=shop.id, name="Madu"),
                     Brand(producer_id=other.id, name="Sabun Santri")])
    session.commit()
    before = snapshot()
    response = post(client, f"/studio/toko/{shop.id}/merek", {"name": "SANTRI kopi", "djki_number": ""})
    assert response.status_code == 200
    assert errors_by_field(response) == {"name": ["Toko Anda sudah punya merek Santri Kopi."]}
    madu = session.execute(select(Brand.id).where(Brand.name == "Madu")).scalar_one()
    response = post(client, f"/studio/toko/{shop.id}/merek/{madu}", {"name": "santri kopi"})
    assert response.status_code == 200
    assert errors_by_field(response) == {f"brand-{madu}-name": ["Toko Anda sudah punya merek Santri Kopi."]}
    response = post(client, f"/studio/toko/{shop.id}/merek", {"name": ""})
    assert errors_by_field(response) == {"name": ["Wajib diisi."]}
    assert snapshot() == before
    # Another shop's name is free, and a brand may change its own case
    assert post(client, f"/studio/toko/{shop.id}/merek", {"name": "sabun santri"}).status_code == 303
    assert post(client, f"/studio/toko/{shop.id}/merek/{madu}", {"name": "MADU"}).status_code == 303
    assert brand_rows(session, shop.id) == [("Santri Kopi", None), ("MADU", None), ("sabun santri", None)]


def test_djki_number_errors_block_and_warnings_are_shown(app, client, session):
    owner, shop = seller(session, client)
    brand = Brand(producer_id=shop.id, name="Santri Kopi")
    session.add(brand)
    session.commit()
    before = snapshot()
    for bad in ("IDM/000/123/456", "IDM0001234567890123456"):
        response = post(client, f"/studio/toko/{shop.id}/merek/{brand.id}", {"name": "Santri Kopi",
                                                                             "djki_number": bad})
        assert response.status_code == 200
        assert errors_by_field(response) == {f"brand-{brand.id}-djki_number": [
            "Nomor pendaftaran merek hanya berisi huruf dan angka, paling banyak 20 karakter, "
            "misalnya IDM000123456."]}, bad
    assert snapshot() == before
    # An application number is kept, with the checker's warning shown
    response = post(client, f"/studio/toko/{shop.id}/merek/{brand.id}", {"name": "Santri Kopi",
                                                                         "djki_number": "D002019012345"})
    assert flashes(client, response) == [
        "Merek Santri Kopi disimpan.",
        "Ini tampak seperti nomor permohonan, bukan nomor pendaftaran merek."]
    assert brand_rows(session, shop.id) == [("Santri Kopi", "D002019012345")]


def test_a_brand_on_a_published_product_keeps_its_name_but_takes_a_djki_number(app, client, session):
    # Given a brand carried by a listed product whose page is cached
    owner, shop = seller(session, client)
    brand = Brand(producer_id=shop.id, name="Santri Kopi")
    session.add(brand)
    session.flush()
    item = f.product(session, shop, category(session), "Kopi Tayang", brand=brand)
    session.commit()
    assert "IDM000777888" not in text(client.get(f"/produk/{item.slug}"))
    before = snapshot()
    # When the owner renames it
    response = post(client, f"/studio/toko/{shop.id}/merek/{brand.id}", {"name": "Kopi Santri",
                                                                         "djki_number": ""})
    # Then it is refused with the reason
    assert response.status_code == 200
    assert errors_by_field(response) == {f"brand-{brand.id}-name": [RENAME_REFUSED]}
    assert snapshot() == before
    # But its DJKI number may be added, and the public product page shows it at once
    response = post(client, f"/studio/toko/{shop.id}/merek/{brand.id}", {"name": "Santri Kopi",
                                                                         "djki_number": "IDM000777888"})
    assert flashes(client, response) == ["Merek Santri Kopi disimpan."]
    assert brand_rows(session, shop.id) == [("Santri Kopi", "IDM000777888")]
    assert "IDM000777888" in text(client.get(f"/produk/{item.slug}"))
    # A draft product's brand may still be renamed once nothing published carries it
    f.move_to(session, session.get(type(item), item.id), ProductStatus.ARCHIVED)
    session.commit()
    assert post(client, f"/studio/toko/{shop.id}/merek/{brand.id}",
                {"name": "Kopi Santri", "djki_number": "IDM000777888"}).status_code == 303
    assert brand_rows(session, shop.id) == [("Kopi Santri", "IDM000777888")]


def test_only_an_unused_brand_can_be_deleted(app, client, session):
    owner, shop = seller(session, client)
    used, unused = Brand(producer_id=shop.id, name="Santri Kopi"), Brand(producer_id=shop.id, name="Lama")
    session.add_all([used, unused])
    session.flush()
    f.product(session, shop, category(session), "Kopi Arsip", brand=used, status=ProductStatus.ARCHIVED)
    session.commit()
    page = client.get(f"/studio/toko/{shop.id}/merek").get_data(as_text=True)
    assert f"/merek/{unused.id}/hapus" in page and f"/merek/{used.id}/hapus" not in page
    before = snapshot()
    response = post(client, f"/studio/toko/{shop.id}/merek/{used.id}/hapus", {})
    assert flashes(client, response) == [
        "Merek Santri Kopi masih dipakai 1 produk. Ganti merek produk tersebut dulu sebelum menghapusnya."]
    assert snapshot() == before
    response = post(client, f"/studio/toko/{shop.id}/merek/{unused.id}/hapus", {})
    assert flashes(client, response) == ["Merek Lama dihapus."]
    assert brand_rows(session, shop.id) == [("Santri Kopi", None)]


def test_staff_manage_brands_and_another_shops_brand_is_404(app, client, session):
    owner, shop = seller(session, client)
    add_staff(session, shop)
    other_owner, other = seller(session, email="dodi@contoh.id", shop="Toko Dodi")
    theirs = Brand(producer_id=other.id, name="Sabun Dodi")
    session.add(theirs)
    session.commit()
    staff_client = logged_in(app, "budi@contoh.id")
    assert post(staff_client, f"/studio/toko/{shop.id}/merek", {"name": "Santri Kopi"}).status_code == 303
    ours = session.execute(select(Brand.id).where(Brand.producer_id == shop.id)).scalar_one()
    assert post(staff_client, f"/studio/toko/{shop.id}/merek/{ours}",
                {"name": "Santri Kopi", "djki_number": "IDM000123456"}).status_code == 303
    before = snapshot()
    for path in (f"/studio/toko/{shop.id}/merek/{theirs.id}", f"/studio/toko/{shop.id}/merek/{theirs.id}/hapus",
                 f"/studio/toko/{other.id}/merek", f"/studio/toko/{other.id}/merek/{theirs.id}/hapus"):
        assert post(staff_client, path, {"name": "Curian"}).status_code == 404, path
    assert staff_client.get(f"/studio/toko/{other.id}/merek").status_code == 404
    assert snapshot() == before
    assert post(staff_client, f"/studio/toko/{shop.id}/merek/{ours}/hapus", {}).status_code == 303
    assert brand_rows(session, shop.id) == []
