"""opopmart.demo.data and .images: the demo catalogue as planned, without a database.

The loader trusts this plan: numbers must pass the same format checks sellers face,
regions must be Jawa Timur's, and slugs and SKUs must be unique, or loading fails (or,
worse, shows curators and shoppers data the app would never accept).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from opopmart.catalogue.certificates import check_certificate, check_nib, requirement_met
from opopmart.catalogue.models import PRODUCT_WORKFLOW, CertType, ProducerKind, ProductStatus
from opopmart.demo.data import (
    CATEGORIES,
    PRODUCERS,
    SCHEMES,
    TEMPLATE_BY_KEY,
    TEMPLATES,
    build_plan,
    category_root_of,
    extra_producers,
    round_price,
    sku_part,
    wholesale_tiers,
)
from opopmart.demo.images import MOTIFS, PALETTES, product_image, producer_logo
from opopmart.regions.reference import jatim_regencies

TODAY = date(2026, 11, 23)
JATIM = {r["code"] for r in jatim_regencies()}
PUBLIC = ProductStatus.PUBLISHED


@pytest.fixture(scope="module")
def plan():
    return build_plan(today=TODAY)


@pytest.fixture(scope="module")
def certs(plan):
    return [(pp, c) for pp in plan.producers for c in pp.certs]


def _sentences(text: str) -> int:
    """Sentence ends, not counting abbreviations such as "Kab. Malang"."""
    return len(re.findall(r"(?<!Kab)(?<!Kec)(?<!Kel)(?<!Jl)(?<!No)[.!?](?:\s|$)", text))


# --- determinism -----------------------------------------------------------------------


def test_the_plan_is_the_same_every_time(plan):
    assert build_plan(today=TODAY) == plan


def test_the_plan_depends_on_the_year_only_through_certificate_dates(plan):
    later = build_plan(today=date(2030, 3, 1))
    assert [p.slug for p in later.products()] == [p.slug for p in plan.products()]
    assert [p.variants for p in later.products()] == [p.variants for p in plan.products()]


# --- categories ------------------------------------------------------------------------


def test_category_tree_and_requirements():
    tree = {root.slug: [child.slug for child in root.children] for root in CATEGORIES}
    assert tree == {
        "fesyen-batik": ["ecoprint", "batik-tulis", "busana-muslim"],
        "makanan-minuman": ["kopi", "camilan", "madu", "sambal-bumbu", "minuman-serbuk"],
        "kerajinan": ["kerajinan-bambu", "kerajinan-kayu", "anyaman"],
        "herbal-kesehatan": ["jamu", "minyak-herbal"],
        "kosmetik": ["sabun", "perawatan-kulit"],
        "pertanian-perkebunan": ["beras", "rempah", "bibit"],
    }
    required = {root.slug: root.required_certificates for root in CATEGORIES}
    assert required == {
        "fesyen-batik": (),
        "makanan-minuman": (("pirt", "bpom:MD", "bpom:ML"),),
        "kerajinan": (),
        "herbal-kesehatan": (("bpom:TR",),),
        "kosmetik": (("bpom:NA",),),
        "pertanian-perkebunan": (),
    }
    assert all(child.required_certificates == () for root in CATEGORIES for child in root.children)
    names = [c.name for root in CATEGORIES for c in (root, *root.children)]
    assert len(names) == len(set(names)) == 24


def test_every_template_sits_in_a_subcategory_and_is_sold_by_a_demo_producer():
    children = {child.slug for root in CATEGORIES for child in root.children}
    assert {t.category for t in TEMPLATES} == children
    used = {key for spec in PRODUCERS if spec.verified for key in spec.lines}
    assert used == set(TEMPLATE_BY_KEY)
    assert all(t.scheme in SCHEMES for t in TEMPLATES)
    assert all(motif in MOTIFS for t in TEMPLATES for motif, _style in t.looks)


# --- producers -------------------------------------------------------------------------


def test_namira_ecoprint_is_a_surabaya_umkm(plan):
    namira = next(pp for pp in plan.producers if pp.slug == "namira-ecoprint")
    assert namira.spec.name == "Namira Ecoprint"
    assert namira.spec.region == "35.78"
    assert namira.spec.kind is ProducerKind.UMKM
    assert namira.spec.verified is True
    assert {p.category for p in namira.products} == {"ecoprint"}
    assert namira.address.endswith("Kota Surabaya, Jawa Timur")


def test_producers_cover_every_kabupaten_and_kota_of_jawa_timur(plan):
    regions = [pp.spec.region for pp in plan.producers]
    assert set(regions) <= JATIM
    assert len(JATIM) == 38
    assert set(regions) == JATIM


def test_producer_counts_kinds_and_verification(plan):
    verified = [pp for pp in plan.producers if pp.spec.verified]
    unverified = [pp for pp in plan.producers if not pp.spec.verified]
    assert len(plan.producers) == 48
    assert len(verified) == 46
    assert Counter(pp.spec.kind for pp in plan.producers) == {
        ProducerKind.KOPONTREN: 21, ProducerKind.UMKM: 23, ProducerKind.PESANTREN: 4,
    }
    assert [len(pp.products) for pp in unverified] == [2, 2]
    assert all(p.status is PUBLIC for pp in unverified for p in pp.products)


def test_producer_identity_fields(plan):
    slugs = [pp.slug for pp in plan.producers]
    assert len(slugs) == len(set(slugs))
    nibs = [pp.nib for pp in plan.producers]
    assert len(nibs) == len(set(nibs))
    for pp in plan.producers:
        nib = check_nib(pp.nib)
        assert nib.errors == [] and nib.normalized == pp.nib, pp.slug
        assert 1 <= len(pp.brands) <= 2, pp.slug
        assert 2 <= _sentences(pp.description) <= 4, pp.description
        spec = pp.spec
        if spec.kind is ProducerKind.KOPONTREN:
            assert spec.pesantren and spec.koperasi, spec.slug
        elif spec.kind is ProducerKind.PESANTREN:
            assert spec.pesantren and spec.koperasi is None, spec.slug
        else:
            assert spec.koperasi is None, spec.slug
    djki = [number for pp in plan.producers for _name, number in pp.brands if number]
    assert all(re.fullmatch(r"IDM\d{9}", n) for n in djki)
    assert 20 <= len(djki) <= 50


# --- products --------------------------------------------------------------------------


def test_product_counts_and_statuses(plan):
    products = plan.products()
    verified = [p for pp in plan.producers if pp.spec.verified for p in pp.products]
    assert len(products) == 391
    assert sum(p.status is PUBLIC for p in verified) == 369
    assert Counter(p.status for p in products) == {
        PUBLIC: 373, ProductStatus.SUBMITTED: 5, ProductStatus.DRAFT: 4, ProductStatus.ARCHIVED: 4,
        ProductStatus.REJECTED: 3, ProductStatus.CHANGES_REQUESTED: 2,
    }
    for pp in plan.producers:
        if pp.spec.verified:
            assert 4 <= len(pp.products) <= 10, pp.slug
            assert pp.products[0].status is PUBLIC, pp.slug
            assert sum(p.status is not PUBLIC for p in pp.products) <= 1, pp.slug
    public_categories = {p.category for p in verified if p.status is PUBLIC}
    assert public_categories == {child.slug for root in CATEGORIES for child in root.children}


def test_slugs_names_and_skus_are_unique(plan):
    slugs = [p.slug for p in plan.products()]
    assert len(slugs) == len(set(slugs))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs)
    for pp in plan.producers:
        names = [p.name for p in pp.products]
        assert len(names) == len(set(names)), pp.slug
        skus = [v.sku for p in pp.products for v in p.variants]
        assert len(skus) == len(set(skus)), pp.slug
        assert all(sku.startswith(f"{pp.spec.code}-") for sku in skus)


def test_descriptions_are_distinct_and_two_to_four_sentences(plan):
    descriptions = [p.description for p in plan.products()]
    assert len(descriptions) == len(set(descriptions))
    assert all(2 <= _sentences(d) <= 4 for d in descriptions)
    assert all("{" not in d for d in descriptions)


def test_variants_follow_their_option_axes(plan):
    for p in plan.products():
        assert [v.position for v in p.variants] == list(range(len(p.variants)))
        labels = [(v.option1, v.option2) for v in p.variants]
        assert len(labels) == len(set(labels)), p.slug
        if p.option1_name is None:
            assert labels == [(None, None)], p.slug
        else:
            assert all(v.option1 for v in p.variants), p.slug
        assert all((v.option2 is None) == (p.option2_name is None) for v in p.variants), p.slug
        for v in p.variants:
            assert v.weight_grams > 0 and 0 <= v.stock <= 300 and v.min_order_qty in (1, 5, 10), v.sku
    fashion = [p for p in plan.products() if p.option2_name]
    assert {(p.option1_name, p.option2_name) for p in fashion} == {("Warna", "Ukuran")}
    ground = {p.option1_name for p in plan.products() if p.template in {"kopi-robusta", "kopi-arabika"}}
    assert ground == {"Berat"}


def test_prices_are_whole_rupiah_on_the_usual_steps(plan):
    for v in (v for p in plan.products() for v in p.variants):
        assert isinstance(v.price, int) and v.price > 0
        assert v.price % (500 if v.price < 100_000 else 1000) == 0, (v.sku, v.price)


@pytest.mark.parametrize(
    ("category", "option", "low", "high"),
    [
        ("kopi", "250 g", 45_000, 85_000),
        ("madu", "500 g", 90_000, 230_000),  # klanceng honey costs more
        ("camilan", "200 g", 12_000, 35_000),
    ],
)
def test_prices_are_realistic(plan, category, option, low, high):
    prices = [v.price for p in plan.products() if p.category == category for v in p.variants if v.option1 == option]
    assert prices and low <= min(prices) and max(prices) <= high


def test_batik_tulis_prices(plan):
    prices = [v.price for p in plan.products() if p.template in {"batik-tulis", "batik-madura"} for v in p.variants]
    assert 250_000 <= min(prices) and max(prices) <= 1_500_000


def test_wholesale_tiers_fall_with_quantity(plan):
    products = plan.products()
    with_tiers = [p for p in products if any(v.tiers for v in p.variants)]
    assert 0.2 <= len(with_tiers) / len(products) <= 0.4
    for v in (v for p in with_tiers for v in p.variants):
        quantities = [q for q, _ in v.tiers]
        prices = [v.price] + [unit for _, unit in v.tiers]
        assert quantities == sorted(set(quantities)) and all(q >= 2 and q > v.min_order_qty for q in quantities)
        assert all(a > b for a, b in zip(prices, prices[1:])), v.sku
        assert all(unit % 500 == 0 for _, unit in v.tiers)


def test_some_products_are_sold_out(plan):
    public = [p for p in plan.products() if p.status is PUBLIC]
    sold_out = [p for p in public if all(v.stock == 0 for v in p.variants)]
    partly = [p for p in public if any(v.stock == 0 for v in p.variants) and p not in sold_out]
    assert 8 <= len(sold_out) <= 25
    assert len(partly) >= 5


def test_events_walk_the_product_workflow(plan):
    for p in plan.products():
        status = ProductStatus.DRAFT
        ages = [p.created_age_days]
        for event in p.events:
            assert event.from_status is status, p.slug
            assert PRODUCT_WORKFLOW.allowed(status, event.to_status), p.slug
            status = event.to_status
            ages.append(event.age_days)
        assert status is p.status, p.slug
        assert ages == sorted(ages, reverse=True) and ages[-1] > 0, p.slug
        assert (p.published_age_days is not None) == any(e.to_status is PUBLIC for e in p.events), p.slug
    published = [p.published_age_days for p in plan.products() if p.published_age_days is not None]
    assert min(published) < 30 and 450 < max(published) <= 548


def test_images_are_planned_for_every_product(plan):
    counts = Counter(len(p.images) for p in plan.products())
    assert set(counts) == {1, 2, 3}
    for p in plan.products():
        assert [i.view for i in p.images] == list(range(len(p.images)))
        assert all(i.motif in MOTIFS and i.palette in PALETTES and i.title == p.name for i in p.images)


# --- certificates ----------------------------------------------------------------------


def test_every_certificate_number_passes_its_format_check(certs):
    assert len(certs) == 293
    # The loader recognises a certificate on file by producer, type and number.
    assert len({(pp.slug, c.type, c.number) for pp, c in certs}) == len(certs)
    for _pp, cert in certs:
        check = check_certificate(cert.type, cert.number, cert.expires_on)
        assert check.errors == [], (cert.number, check.errors)
        assert check.warnings == [], (cert.number, check.warnings)
        assert check.normalized.replace(" ", "") == cert.number.replace(" ", "")


def test_pirt_numbers_name_the_producers_region_and_expiry_year(certs):
    pirt = [(pp, c) for pp, c in certs if c.type is CertType.PIRT]
    assert len(pirt) == 159
    for pp, cert in pirt:
        body, year = cert.number.split("-")
        assert len(body) == 13 and body[3:7] == pp.spec.region.replace(".", "")
        assert cert.expires_on is not None and cert.expires_on.year == 2000 + int(year)
        assert cert.issued_on is not None and (cert.expires_on.year - cert.issued_on.year) == 5


def test_halal_certificates_are_shared_and_from_jawa_timur(plan, certs):
    halal = [c for _pp, c in certs if c.type is CertType.HALAL]
    assert all(c.number.startswith("ID35") and len(c.number) - 2 >= 12 for c in halal)
    assert all(c.issuer == "BPJPH" and c.halal_scheme is not None for c in halal)
    shared = [c for pp in plan.producers for c in pp.certs if c.type is CertType.HALAL
              and sum(c.key in p.cert_keys for p in pp.products) > 1]
    assert len(shared) >= 20
    assert any(c.expires_on is None for c in halal) and any(c.expires_on is not None for c in halal)


def test_exactly_three_certificates_are_expired(certs):
    expired = sorted((c.type.value, c.expires_on.year) for _pp, c in certs
                     if c.expires_on is not None and c.expires_on < TODAY)
    assert expired == [("halal", 2025), ("pirt", 2025), ("sni", 2025)]


def test_a_few_certificates_await_checking(certs):
    assert sum(not c.verified for _pp, c in certs) == 6


def test_regulated_products_carry_a_registration_for_their_category(plan):
    root_of = category_root_of()
    requirements = {root.slug: root.required_certificates for root in CATEGORIES}
    for pp in plan.producers:
        by_key = {c.key: c for c in pp.certs}
        for p in pp.products:
            carried = [by_key[k] for k in p.cert_keys]
            for group in requirements[root_of[p.category]]:
                assert any(requirement_met(token, c.type, c.number) for token in group for c in carried), p.slug
            halal = [c for c in carried if c.type is CertType.HALAL]
            assert bool(halal) == p.claims_halal, p.slug


def test_most_food_and_cosmetics_claim_halal(plan):
    root_of = category_root_of()
    relevant = [p for p in plan.products() if root_of[p.category] in {"makanan-minuman", "kosmetik"}]
    share = sum(p.claims_halal for p in relevant) / len(relevant)
    assert 0.85 <= share < 1.0


# --- helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"), [(12_249, 12_000), (12_250, 12_500), (99_700, 99_500), (100_400, 100_000),
                           (1_234_567, 1_235_000), (10, 500)],
)
def test_round_price(value, rounded):
    assert round_price(value) == rounded


def test_wholesale_tiers_examples():
    assert wholesale_tiers(45_000, 1) == [(10, 42_500), (50, 40_500)]
    assert wholesale_tiers(80_000, 5) == [(10, 76_000), (50, 72_000)]
    assert wholesale_tiers(8_000, 10) == [(20, 7_500), (50, 7_000)]
    assert wholesale_tiers(500, 1) == []


@pytest.mark.parametrize(
    ("value", "code"),
    [("250 g", "250G"), ("Botol 150 g", "B150G"), ("No. 7", "N7"), ("Hijau Lumut", "HL"), ("Putih", "PUT"),
     ("XL", "XL")],
)
def test_sku_part(value, code):
    assert sku_part(value) == code


def test_extra_producers_grow_without_changing_the_first_ones():
    few, many = extra_producers(40), extra_producers(120)
    assert many[:40] == few
    assert len({e.slug for e in many}) == len({e.name for e in many}) == 120
    assert {e.region for e in many} == JATIM
    assert all(check_nib(e.nib).errors == [] for e in many)
    assert all((e.koperasi is not None) == (e.kind is ProducerKind.KOPONTREN) for e in many)


# --- drawing ---------------------------------------------------------------------------


@pytest.mark.parametrize("motif", sorted(MOTIFS))
def test_every_motif_draws_an_800px_picture(motif):
    image = product_image(motif=motif, palette="makanan-minuman", colour=(150, 90, 40),
                          title="Kopi Arabika Ijen Raung", brand="Kopi Sumberwringin", tagline="100% Arabika",
                          props="beans", view=1, seed=7)
    assert image.size == (800, 800) and image.mode == "RGB"
    colours = image.resize((40, 40)).getcolors(1600)
    assert colours is not None and len(colours) > 20  # a picture, not a flat fill


def test_producer_logo_is_square():
    logo = producer_logo(name="Namira Ecoprint", kind="umkm", colour=(120, 80, 40))
    assert logo.size == (480, 480) and logo.mode == "RGB"
