"""The admin's user list pages by 50, through the shared numbered pager."""

from __future__ import annotations

import re

from opopmart.accounts.models import User
from opopmart.accounts.services import hash_password

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def test_admin_user_list_pages_by_fifty(client, session):
    # Given an admin and 54 other users
    session.add(User(email="admin@contoh.id", name="Admin", phone="+6281234567890",
                     password_hash=hash_password("kata-sandi-admin"), is_admin=True))
    for n in range(54):
        session.add(User(email=f"pembeli{n:02d}@contoh.id", name=f"Pembeli {n}", phone=None))
    session.commit()
    token = CSRF.search(client.get("/masuk").get_data(as_text=True)).group(1)
    client.post("/masuk", data={"csrf_token": token, "email": "admin@contoh.id",
                                "password": "kata-sandi-admin"})
    # When the admin opens the list and follows "next"
    first = client.get("/admin/pengguna").get_data(as_text=True)
    assert "Halaman 1 dari 2" in first
    assert '<a rel="next" href="/admin/pengguna?halaman=2">' in first
    second = client.get("/admin/pengguna?halaman=2").get_data(as_text=True)
    # Then the second page holds the last 5 users and links back
    assert "Halaman 2 dari 2" in second
    assert '<a rel="prev" href="/admin/pengguna?halaman=1">' in second
    assert "pembeli53@contoh.id" in second and "pembeli00@contoh.id" not in second
    # And a search keeps its query in the page links
    searched = client.get("/admin/pengguna?q=pembeli").get_data(as_text=True)
    assert '<a rel="next" href="/admin/pengguna?halaman=2&amp;q=pembeli">' in searched


def test_a_page_that_is_no_number_is_the_first_page(client, session):
    # Given an admin
    session.add(User(email="admin@contoh.id", name="Admin", phone="+6281234567890",
                     password_hash=hash_password("kata-sandi-admin"), is_admin=True))
    session.commit()
    token = CSRF.search(client.get("/masuk").get_data(as_text=True)).group(1)
    client.post("/masuk", data={"csrf_token": token, "email": "admin@contoh.id",
                                "password": "kata-sandi-admin"})
    # When the page asked for is "²" (str.isdigit() says yes, int() raised: a 500)
    users = client.get("/admin/pengguna?halaman=²")
    history = client.get("/admin/riwayat?halaman=²")
    # Then each list shows its first page
    assert (users.status_code, history.status_code) == (200, 200)
    assert "admin@contoh.id" in users.get_data(as_text=True)
