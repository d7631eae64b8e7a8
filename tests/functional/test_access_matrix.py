"""Every route × every role: the status each one gets, and nothing written on a refusal.

A route this table does not know fails ``test_every_route_is_in_the_matrix``: new routes
join the matrix when they are added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, text

from opopmart.accounts.models import MemberRole, ProducerMember, User
from opopmart.accounts.services import hash_password
from opopmart.extensions import db
from tests import factories as f

ROLES = ["anonymous", "shopper", "seller_a", "seller_b", "curator", "admin"]
LOGGED_IN = ROLES[1:]
PASSWORD = "kata-sandi-rahasia"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@dataclass
class World:
    product_a: int
    variant_a: int
    producer_a: int
    product_slug: str
    producer_slug: str
    image_key: str
    image_id: int
    target_user: int


@pytest.fixture
def world(app, session) -> World:
    food = f.category(session, "Makanan & Minuman")
    kopi = f.category(session, "Kopi", parent=food)
    shop_a = f.producer(session, "Kopontren A", region_code="35.14")
    shop_b = f.producer(session, "Kopontren B", region_code="35.78")
    product = f.product(session, shop_a, kopi, "Kopi A", prices=[40_000])
    f.product(session, shop_b, kopi, "Kopi B", prices=[30_000])
    image = f.image(session, product, app.config["MEDIA_ROOT"])
    users = {}
    for role in LOGGED_IN:
        user = User(email=f"{role}@contoh.id", name=role.title(), phone="+6281234567890",
                    password_hash=hash_password(PASSWORD),
                    is_curator=role == "curator", is_admin=role == "admin")
        session.add(user)
        users[role] = user
    session.flush()
    session.add(ProducerMember(user_id=users["seller_a"].id, producer_id=shop_a.id, role=MemberRole.OWNER))
    session.add(ProducerMember(user_id=users["seller_b"].id, producer_id=shop_b.id, role=MemberRole.OWNER))
    session.commit()
    return World(product.id, product.variants[0].id, shop_a.id, product.slug, shop_a.slug,
                 image.key, image.id, users["shopper"].id)


def log_in(client, role: str) -> None:
    if role == "anonymous":
        return
    page = client.get("/masuk").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    response = client.post("/masuk", data={"csrf_token": token, "email": f"{role}@contoh.id",
                                           "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def csrf_token(client, role: str) -> str:
    page = client.get("/daftar" if role == "anonymous" else "/akun").get_data(as_text=True)
    return CSRF.search(page).group(1)


# (endpoint, method, url template, form fields) -> expected status per role.
# ALL: the same for every role; LOGIN: anonymous is sent to log in (302), others get the value.
class Refused(int):
    """A status that refuses the request: the database must be unchanged afterwards."""


TO_LOGIN = Refused(302)


def ALL(status):  # noqa: N802 - reads as a table
    return {role: status for role in ROLES}


def LOGIN(status, **by_role):  # noqa: N802
    refused = lambda code: Refused(code) if code in (400, 403, 404) else code  # noqa: E731
    return {"anonymous": TO_LOGIN, **{role: refused(by_role.get(role, status)) for role in LOGGED_IN}}


MATRIX = [
    ("catalogue.home", "GET", "/", None, ALL(200)),
    ("catalogue.catalogue", "GET", "/katalog", None, ALL(200)),
    ("catalogue.category", "GET", "/kategori/kopi", None, ALL(200)),
    ("catalogue.product", "GET", "/produk/{product_slug}", None, ALL(200)),
    ("catalogue.producer", "GET", "/produsen/{producer_slug}", None, ALL(200)),
    ("core.media", "GET", "/media/{image_key}_sm.jpg", None, ALL(200)),
    ("core.set_language", "GET", "/bahasa/en?next=/katalog", None, ALL(302)),
    ("core.healthz", "GET", "/healthz", None, ALL(200)),
    ("static", "GET", "/static/css/app.css", None, ALL(200)),
    ("accounts.register", "GET", "/daftar", None, LOGIN(302, anonymous=200) | {"anonymous": 200}),
    ("accounts.register", "POST", "/daftar", {}, LOGIN(302) | {"anonymous": 200}),
    ("accounts.login", "GET", "/masuk", None, LOGIN(302) | {"anonymous": 200}),
    ("accounts.login", "POST", "/masuk", {}, ALL(200)),
    ("accounts.profile", "GET", "/akun", None, LOGIN(200)),
    ("accounts.profile", "POST", "/akun", {}, LOGIN(200)),
    ("accounts.change_password", "GET", "/akun/kata-sandi", None, LOGIN(200)),
    ("accounts.change_password", "POST", "/akun/kata-sandi", {}, LOGIN(200)),
    ("admin.users", "GET", "/admin/pengguna", None, LOGIN(403, admin=200)),
    ("admin.set_role", "POST", "/admin/pengguna/{target_user}/peran",
     {"role": "curator", "grant": "1"}, LOGIN(403, admin=303)),
    ("seller.dashboard", "GET", "/studio/", None, LOGIN(200)),
    ("seller.open_shop", "GET", "/studio/buka-toko", None, LOGIN(200)),
    ("seller.open_shop", "POST", "/studio/buka-toko", {}, LOGIN(200)),
    # Without a shop of their own, people are sent to open one.
    ("seller.new_product", "GET", "/studio/produk/baru", None, LOGIN(302, seller_a=200, seller_b=200)),
    ("seller.new_product", "POST", "/studio/produk/baru", {}, LOGIN(302, seller_a=200, seller_b=200)),
    ("seller.producer", "GET", "/studio/toko/{producer_a}", None, LOGIN(404, seller_a=200)),
    ("seller.edit_product", "GET", "/studio/produk/{product_a}", None, LOGIN(404, seller_a=200)),
    ("seller.edit_product", "POST", "/studio/produk/{product_a}", {}, LOGIN(404, seller_a=200)),
    ("seller.quick_update", "POST", "/studio/produk/{product_a}/varian/{variant_a}",
     {"price": "41.000", "stock": "9"}, LOGIN(404, seller_a=303)),
    ("seller.move", "POST", "/studio/produk/{product_a}/arsipkan", {}, LOGIN(404, seller_a=303)),
    ("seller.add_certificate", "POST", "/studio/produk/{product_a}/sertifikat",
     {"type": "pirt", "number": "bukan-nomor"}, LOGIN(404, seller_a=200)),
    ("seller.add_photo", "POST", "/studio/produk/{product_a}/foto", {}, LOGIN(404, seller_a=303)),
    # Product A is published: its photos wait for curated revisions (a message, 303).
    ("seller.remove_photo", "POST", "/studio/produk/{product_a}/foto/{image_id}/hapus", {},
     LOGIN(404, seller_a=303)),
    ("seller.invite", "POST", "/studio/toko/{producer_a}/undang",
     {"email": "staf@contoh.id"}, LOGIN(404, seller_a=200)),  # the owner sees the link once
    # An unknown or expired invitation link is a bad request, whoever follows it.
    ("seller.accept_invite", "GET", "/studio/undangan/token-palsu", None, LOGIN(400)),
    ("seller.accept_invite", "POST", "/studio/undangan/token-palsu", {}, LOGIN(400)),
    # Last: it ends the session.
    ("accounts.logout", "POST", "/keluar", {}, ALL(302)),
]


def test_every_route_is_in_the_matrix(app):
    known = {(endpoint, method) for endpoint, method, *_ in MATRIX}
    missing = sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if (rule.endpoint, method) not in known
    )
    assert missing == []


def snapshot(session) -> dict[str, object]:
    """Row counts and a digest of every table's contents, to prove nothing changed."""
    session.expire_all()
    tables = [t for t in db.metadata.sorted_tables if t.name != "rate_limit_hits"]
    state = {}
    for table in tables:
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        state[table.name] = [tuple(r) for r in rows]
    return state


@pytest.mark.parametrize("role", ROLES)
def test_route_role_matrix(client, session, world, role):
    log_in(client, role)
    fields = vars(world)
    failures = []
    for endpoint, method, template, form, expected in MATRIX:
        url = template.format(**fields)
        want = expected[role]
        before = snapshot(session) if method == "POST" and isinstance(want, Refused) else None
        if method == "GET":
            response = client.get(url)
        else:
            data = {"csrf_token": csrf_token(client, role), **(form or {})}
            response = client.post(url, data=data)
        response.close()
        if response.status_code != want:
            failures.append((endpoint, method, url, want, response.status_code))
        if before is not None and snapshot(session) != before:
            failures.append((endpoint, method, url, "database changed on refusal"))
    assert failures == [], "\n".join(map(str, failures))


def test_post_without_csrf_token_is_refused_and_writes_nothing(client, session, world):
    log_in(client, "seller_a")
    before = snapshot(session)
    for endpoint, method, template, form, _ in MATRIX:
        if method != "POST":
            continue
        response = client.post(template.format(**vars(world)), data=form or {})
        assert response.status_code == 400, (endpoint, response.status_code)
    assert snapshot(session) == before
