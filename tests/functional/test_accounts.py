"""Accounts: register, log in and out, sessions, password, rate limits, roles, the header slot."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html import unescape

import pytest
from sqlalchemy import func, select

from opopmart import create_app
from opopmart.accounts import services
from opopmart.accounts.models import User
from opopmart.config import TestConfig
from opopmart.core.ratelimit import RateLimitHit
from opopmart.extensions import db
from tests.functional.test_i18n import compiled_catalogues  # noqa: F401 - English .mo up to date

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "kopi-ijen-pagi"
SITI = {"name": "Siti Aminah", "email": "siti@contoh.id", "phone": "0812-3456-7890",
        "password": PASSWORD, "confirm": PASSWORD}


def csrf_token(client, path: str = "/masuk") -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no csrf_token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict, token_from: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from or path)})


def make_user(session, email="siti@contoh.id", name="Siti Aminah", password=PASSWORD, **roles) -> User:
    user = services.register_user(session, name=name, email=email, phone="081234567890", password=password)
    for role, value in roles.items():
        setattr(user, role, value)
    session.commit()
    return user


def login(client, email="siti@contoh.id", password=PASSWORD, next: str | None = None):
    path = "/masuk" if next is None else "/masuk?" + __import__("urllib.parse").parse.urlencode({"next": next})
    return post_form(client, path, {"email": email, "password": password})


def count(model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def form_errors(response) -> list[str]:
    box = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', response.get_data(as_text=True), re.S)
    return [unescape(p) for p in re.findall(r"<p>([^<]*)</p>", box.group(1))] if box else []


def errors_by_field(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for field, message in re.findall(r'<p class="field-error" id="([^"]+)-error">([^<]*)</p>',
                                     response.get_data(as_text=True)):
        found.setdefault(field, []).append(unescape(message))
    return found


def is_anonymous(client) -> bool:
    html = client.get("/akun")
    return html.status_code == 302 and html.headers["Location"].startswith("/masuk")


# Registration

def test_register_creates_a_shopper_and_signs_them_in(client):
    # Given an anonymous visitor on the register page
    # When they register with a mixed-case email and a spaced phone number
    response = post_form(client, "/daftar", {**SITI, "email": "  Siti@Contoh.ID "})
    # Then the account is stored normalised, the password hashed with scrypt
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = db.session.execute(select(User)).scalar_one()
    assert (user.email, user.name, user.phone) == ("siti@contoh.id", "Siti Aminah", "+6281234567890")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert (user.is_admin, user.is_curator) == (False, False)
    # And they are signed in, greeted once
    profile = client.get("/akun")
    assert profile.status_code == 200
    assert 'data-testid="account-name">Siti</summary>' in profile.get_data(as_text=True)
    assert "Selamat datang di OPOP Mart, Siti!" in text(profile)


def test_register_refuses_an_email_taken_in_another_case(client, session):
    # Given siti@contoh.id is registered
    make_user(session)
    # When someone registers SITI@CONTOH.ID
    response = post_form(client, "/daftar", {**SITI, "email": "SITI@CONTOH.ID"})
    # Then the email field says so and no second account exists
    assert response.status_code == 200
    assert errors_by_field(response) == {"email": ["Email ini sudah terdaftar."]}
    assert count(User) == 1


@pytest.mark.parametrize("length, ok", [(7, False), (8, True), (128, True), (129, False)])
def test_register_password_length_bounds(client, length, ok):
    password = "a" * length  # no composition rules: one letter repeated is accepted
    response = post_form(client, "/daftar", {**SITI, "password": password, "confirm": password})
    if ok:
        assert response.status_code == 302
        assert count(User) == 1
    else:
        assert response.status_code == 200
        assert errors_by_field(response) == {"password": ["Kata sandi harus 8–128 karakter."]}
        assert count(User) == 0


@pytest.mark.parametrize("phone", ["12345", "021-5551234", "+65 8123 4567", "0812", "0812 3456 7890 1234",
                                   "08１２３４５６７８９", "kosong"])
def test_register_refuses_a_phone_that_is_not_an_indonesian_mobile(client, phone):
    response = post_form(client, "/daftar", {**SITI, "phone": phone})
    assert response.status_code == 200
    assert errors_by_field(response) == {
        "phone": ["Masukkan nomor HP Indonesia, misalnya 0812 3456 7890."]}
    assert count(User) == 0


@pytest.mark.parametrize("raw, normalised", [
    ("0812-3456-7890", "+6281234567890"),
    ("+62 812 3456 789", "+628123456789"),
    ("6285712345678", "+6285712345678"),
    ("(0878) 1234.5678", "+6287812345678"),
])
def test_phone_numbers_are_normalised_to_plus_62(raw, normalised):
    assert services.normalize_phone(raw) == normalised


def test_register_reports_every_bad_field_next_to_it(client):
    response = post_form(client, "/daftar", {"name": " ", "email": "bukan-email", "phone": "",
                                             "password": "pendek", "confirm": "lain"})
    assert response.status_code == 200
    assert errors_by_field(response) == {
        "name": ["Nama wajib diisi."],
        "email": ["Masukkan alamat email yang valid."],
        "phone": ["Masukkan nomor HP Indonesia, misalnya 0812 3456 7890."],
        "password": ["Kata sandi harus 8–128 karakter."],
        "confirm": ["Kedua kata sandi tidak sama."],
    }
    assert count(User) == 0


def test_register_without_csrf_token_is_refused_and_writes_nothing(client):
    client.get("/daftar")
    response = client.post("/daftar", data=SITI)
    assert response.status_code == 400
    assert count(User) == 0
    assert count(RateLimitHit) == 0


def test_register_errors_are_in_english_for_english_visitors(client):
    client.get("/bahasa/en")
    response = post_form(client, "/daftar", {**SITI, "phone": "12345"})
    assert errors_by_field(response) == {
        "phone": ["Enter an Indonesian mobile number, for example 0812 3456 7890."]}


# Login and logout

def test_login_then_logout(client, session):
    user = make_user(session)
    # When Siti logs in
    response = login(client, "  SITI@contoh.id ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/akun").status_code == 200
    # And logs out with the header's form
    token = csrf_token(client, "/akun")
    response = client.post("/keluar", data={"csrf_token": token})
    # Then she is anonymous and her session version moved on
    assert response.status_code == 302
    assert is_anonymous(client)
    assert reload(user).session_version == 2


def test_logout_needs_a_post_with_csrf(client, session):
    make_user(session)
    login(client)
    assert client.get("/keluar").status_code == 405
    assert client.post("/keluar").status_code == 400
    assert client.get("/akun").status_code == 200


@pytest.mark.parametrize("email, password", [("siti@contoh.id", "salah-sandi-123"),
                                             ("tidak.ada@contoh.id", PASSWORD)])
def test_login_failure_message_is_generic(client, session, email, password):
    make_user(session)
    response = login(client, email, password)
    assert response.status_code == 200
    assert form_errors(response) == ["Email atau kata sandi salah"]
    assert is_anonymous(client)


def test_login_replaces_the_session(client, session):
    make_user(session)
    with client.session_transaction() as sess:
        sess["planted"] = "by-someone-else"
    login(client)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == f"{db.session.execute(select(User.id)).scalar_one()}:1"


def test_remember_cookie_is_httponly_lax_and_lasts_30_days(app, client, session):
    make_user(session)
    response = post_form(client, "/masuk", {"email": "siti@contoh.id", "password": PASSWORD, "remember": "y"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert abs((expires - datetime.now(UTC)) - timedelta(days=30)) < timedelta(minutes=1)
    assert app.config["REMEMBER_COOKIE_SECURE"] is False
    from opopmart.config import ProductionConfig
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


def test_logout_ends_the_users_other_sessions(app, session):
    # Given Siti is logged in on two devices
    make_user(session)
    phone, laptop = app.test_client(), app.test_client()
    login(phone)
    login(laptop)
    assert phone.get("/akun").status_code == 200
    assert laptop.get("/akun").status_code == 200
    # When she logs out on the phone
    phone.post("/keluar", data={"csrf_token": csrf_token(phone, "/akun")})
    # Then the laptop is anonymous on its next request
    assert is_anonymous(laptop)
    assert is_anonymous(phone)


@pytest.mark.parametrize("evil", ["//evil.example", "/\\evil.example", "https://evil.example/",
                                  "javascript:alert(1)", "http:/evil.example", "evil.example",
                                  "/%0d%0aLocation:https://evil.example"])
def test_login_next_is_only_ever_a_path_on_this_site(client, session, evil):
    make_user(session)
    response = login(client, next=evil)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "/%0d%0aLocation:https://evil.example")
    if evil.startswith("/%0d"):
        # An encoded CR/LF stays an encoded path on this site; it never splits the header.
        assert "\n" not in response.headers["Location"]


def test_login_next_path_is_kept(client, session):
    make_user(session)
    response = login(client, next="/katalog?urut=harga")
    assert response.headers["Location"] == "/katalog?urut=harga"


# Profile and password

def test_profile_edits_name_and_phone(client, session):
    user = make_user(session)
    login(client)
    response = post_form(client, "/akun", {"name": "Siti Nur Aminah", "phone": "+62 857 1234 5678"})
    assert response.status_code == 303
    user = reload(user)
    assert (user.name, user.phone) == ("Siti Nur Aminah", "+6285712345678")
    bad = post_form(client, "/akun", {"name": "", "phone": "123"})
    assert bad.status_code == 200
    assert set(errors_by_field(bad)) == {"name", "phone"}
    assert (reload(user).name, reload(user).phone) == ("Siti Nur Aminah", "+6285712345678")


def test_account_pages_are_never_stored(client, session):
    make_user(session)
    assert client.get("/masuk").headers["Cache-Control"] == "no-store"
    assert client.get("/daftar").headers["Cache-Control"] == "no-store"
    login(client)
    assert client.get("/akun").headers["Cache-Control"] == "no-store"
    assert client.get("/akun/kata-sandi").headers["Cache-Control"] == "no-store"


def test_password_change_requires_the_current_password(client, session):
    user = make_user(session)
    old_hash = user.password_hash
    login(client)
    response = post_form(client, "/akun/kata-sandi", {"current_password": "bukan-sandi-lama",
                                                      "new_password": "sandi-baru-sekali",
                                                      "confirm": "sandi-baru-sekali"})
    assert response.status_code == 200
    assert errors_by_field(response) == {"current_password": ["Kata sandi saat ini salah."]}
    user = reload(user)
    assert (user.password_hash, user.session_version) == (old_hash, 1)


def test_password_change_logs_every_session_out(app, session):
    user = make_user(session)
    phone, laptop = app.test_client(), app.test_client()
    login(phone)
    login(laptop)
    response = post_form(phone, "/akun/kata-sandi", {"current_password": PASSWORD,
                                                     "new_password": "sandi-baru-sekali",
                                                     "confirm": "sandi-baru-sekali"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/masuk"
    assert "Kata sandi sudah diganti. Silakan masuk lagi dengan kata sandi baru." in text(phone.get("/masuk"))
    assert is_anonymous(phone)
    assert is_anonymous(laptop)
    assert reload(user).session_version == 2
    assert login(phone, password=PASSWORD).status_code == 200  # the old one no longer works
    assert login(phone, password="sandi-baru-sekali").status_code == 302


# Rate limits

def test_eleventh_login_attempt_for_an_email_is_refused_across_app_instances(app, session, tmp_path):
    # Given Siti's account and a second app (another gunicorn worker) on the same database
    make_user(session)
    other = create_app(TestConfig, {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": str(tmp_path / "instance-2"),
    })
    other.test_client_class = type(app.test_client())
    first, second = app.test_client(), other.test_client()
    try:
        # When ten wrong passwords are tried, split between the two workers
        for attempt in range(10):
            response = login(first if attempt % 2 else second, password=f"salah-{attempt:04d}")
            assert response.status_code == 200, attempt
        # Then the eleventh is refused on either worker, even with the right password
        refused = login(second)
        assert refused.status_code == 429
        [message] = form_errors(refused)
        assert re.fullmatch(r"Terlalu banyak percobaan\. Coba lagi dalam ([1-9]|1[0-5]) menit\.", message)
        assert int(refused.headers["Retry-After"]) > 0
        assert login(first).status_code == 429
        assert is_anonymous(first) and is_anonymous(second)
    finally:
        with other.app_context():
            db.engine.dispose()


def test_login_limit_is_per_email(app, session):
    make_user(session)
    make_user(session, email="ahmad@contoh.id", name="Ahmad")
    app.config["RATELIMIT_LOGIN_PER_EMAIL"] = (2, 900)
    client = app.test_client()
    for _ in range(2):
        assert login(client, password="salah-salah").status_code == 200
    assert login(client).status_code == 429
    assert login(client, "ahmad@contoh.id").status_code == 302


def test_login_limit_per_ip(app, session):
    make_user(session)
    app.config["RATELIMIT_LOGIN_PER_IP"] = (3, 900)
    client = app.test_client()
    for n in range(3):
        assert login(client, f"orang{n}@contoh.id").status_code == 200
    assert login(client).status_code == 429


def test_sixth_registration_from_one_ip_in_an_hour_is_refused(client):
    for _ in range(5):
        assert post_form(client, "/daftar", {**SITI, "phone": "salah"}).status_code == 200
    response = post_form(client, "/daftar", SITI)
    assert response.status_code == 429
    [message] = form_errors(response)
    assert re.fullmatch(r"Terlalu banyak percobaan\. Coba lagi dalam ([1-9]|[1-5][0-9]|60) menit\.", message)
    assert count(User) == 0


# create-admin

def test_create_admin_prompts_for_the_password_twice(app, session):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "Admin@OPOP.id", "--name", "Admin Program"],
        input="rahasia-panjang-1\nrahasia-panjang-1\n")
    assert result.exit_code == 0, result.output
    assert "rahasia-panjang-1" not in result.output  # hidden input
    user = db.session.execute(select(User)).scalar_one()
    assert (user.email, user.name, user.is_admin, user.is_curator) == ("admin@opop.id", "Admin Program", True, False)
    assert login(app.test_client(), "admin@opop.id", "rahasia-panjang-1").status_code == 302


def test_create_admin_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "admin@opop.id", "--name", "Admin", "--password-stdin"],
        input="rahasia-panjang-2\n")
    assert result.exit_code == 0, result.output
    assert result.output == "Admin admin@opop.id created.\n"
    assert login(app.test_client(), "admin@opop.id", "rahasia-panjang-2").status_code == 302


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "admin@opop.id", "--name", "Admin", "--password-stdin"],
        input="pendek\n")
    assert result.exit_code == 2
    assert count(User) == 0


def test_create_admin_promotes_an_existing_user(app, session):
    user = make_user(session)
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "siti@contoh.id", "--name", "X", "--password-stdin"], input="")
    assert result.exit_code == 0, result.output
    user = reload(user)
    assert (user.is_admin, user.name) == (True, "Siti Aminah")


def test_purge_rate_limits_command(app, session):
    from opopmart.core.ratelimit import hit
    hit(session, "login:email", "a@b.id", (10, 60), now=1_000)
    hit(session, "login:email", "a@b.id", (10, 60), now=2_000_000_000)
    session.commit()
    result = app.test_cli_runner().invoke(args=["maintenance", "purge-rate-limits"])
    assert result.exit_code == 0, result.output
    assert result.output == "1 expired rate-limit rows deleted.\n"
    assert count(RateLimitHit) == 1


# Admin: users and roles

def role_post(client, target: User, role: str, grant: str):
    return post_form(client, f"/admin/pengguna/{target.id}/peran",
                     {"role": role, "grant": grant}, token_from="/akun")


def test_admin_page_sends_anonymous_visitors_to_login(client, session):
    target = make_user(session)
    response = client.get("/admin/pengguna?q=siti")
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk?next=/admin/pengguna?q%3Dsiti"
    token = csrf_token(client, "/masuk")
    response = client.post(f"/admin/pengguna/{target.id}/peran",
                           data={"role": "curator", "grant": "1", "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk?next=")
    assert reload(target).is_curator is False


def test_admin_page_is_forbidden_to_shoppers(client, session):
    shopper = make_user(session)
    login(client)
    assert client.get("/admin/pengguna").status_code == 403
    assert role_post(client, shopper, "admin", "1").status_code == 403
    assert role_post(client, shopper, "curator", "1").status_code == 403
    shopper = reload(shopper)
    assert (shopper.is_admin, shopper.is_curator) == (False, False)


def test_admin_grants_and_revokes_curator(client, session):
    make_user(session, email="admin@opop.id", name="Admin Program", is_admin=True)
    target = make_user(session)
    login(client, "admin@opop.id")
    page = client.get("/admin/pengguna")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "siti@contoh.id" in text(page)
    response = role_post(client, target, "curator", "1")
    assert response.status_code == 303
    assert reload(target).is_curator is True
    assert "Peran siti@contoh.id diperbarui." in text(client.get(response.headers["Location"]))
    assert role_post(client, target, "curator", "0").status_code == 303
    assert reload(target).is_curator is False


def test_admin_search_by_email(client, session):
    make_user(session, email="admin@opop.id", name="Admin Program", is_admin=True)
    make_user(session)
    make_user(session, email="ahmad@pesantren.id", name="Ahmad")
    login(client, "admin@opop.id")
    html = text(client.get("/admin/pengguna?q=PESANTREN"))
    emails = re.findall(r"<td>([^<]+@[^<]+)</td>", html)
    assert emails == ["ahmad@pesantren.id"]
    assert "1 pengguna" in html
    assert re.findall(r"<td>([^<]+@[^<]+)</td>", text(client.get("/admin/pengguna?q=%25"))) == []


def test_admin_cannot_revoke_their_own_admin(client, session):
    admin = make_user(session, email="admin@opop.id", name="Admin Program", is_admin=True)
    login(client, "admin@opop.id")
    response = role_post(client, admin, "admin", "0")
    assert response.status_code == 303
    assert "Anda tidak bisa mencabut peran admin Anda sendiri." in text(client.get(response.headers["Location"]))
    assert reload(admin).is_admin is True


def test_admin_role_post_rejects_unknown_roles(client, session):
    make_user(session, email="admin@opop.id", name="Admin Program", is_admin=True)
    target = make_user(session)
    login(client, "admin@opop.id")
    assert role_post(client, target, "is_active_account", "1").status_code == 400
    assert role_post(client, target, "curator", "ya").status_code == 400
    assert reload(target).is_curator is False


# The header slot on cached pages

def test_cached_catalogue_page_shows_each_visitor_their_own_header(app, session, world):
    make_user(session)
    anonymous, siti = app.test_client(), app.test_client()
    # Given /katalog was cached by an anonymous visit
    first = anonymous.get("/katalog").get_data(as_text=True)
    assert ">Masuk</a>" in first
    # When Siti logs in and opens /katalog
    login(siti, next="/katalog")
    page = siti.get("/katalog").get_data(as_text=True)
    # Then she sees her own name and no login link
    assert 'data-testid="account-name">Siti</summary>' in page
    assert ">Masuk</a>" not in page
    assert "Kopi Arabika Ijen" in page
    # And an anonymous visitor afterwards sees "Masuk", not Siti
    again = anonymous.get("/katalog")
    html = again.get_data(as_text=True)
    assert ">Masuk</a>" in html
    assert "Siti" not in html
    assert 'href="/masuk?next=/katalog"' in html
    # And the cached page itself holds the marker, never a name or a token
    pages = list(app.extensions["opopmart.catalogue_cache"].pages.data.values())
    assert len(pages) == 1
    assert "<!--slot:account-->" in pages[0]
    assert "Siti" not in pages[0] and "csrf_token" not in pages[0]


def test_flash_messages_are_not_cached_into_public_pages(app, session, world):
    make_user(session)
    client = app.test_client()
    login(client, next="/katalog")
    assert "Anda sudah masuk." in client.get("/katalog").get_data(as_text=True)
    assert "Anda sudah masuk." not in app.test_client().get("/katalog").get_data(as_text=True)
    assert "Anda sudah masuk." not in client.get("/katalog").get_data(as_text=True)
