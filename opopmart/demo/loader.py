"""Writes the demo catalogue into the database: ``flask demo load``.

The base catalogue (391 products of 48 producers) goes through the ORM and the
catalogue services, so its rows look like rows the app itself writes: verification
and the listing projection come from ``catalogue.services``, and every status change is
checked against PRODUCT_WORKFLOW and leaves a ProductEvent. Rows are recognised by
slug, so a second run adds nothing. Pictures are drawn first, on every core, because
encoding them is most of the load time.

``at_least`` grows the catalogue for benchmarks with bulk inserts built from the same
templates: a hundred thousand products cannot go through per-object flushes in
reasonable time. Those rows carry their listing projection already computed (the same
values ``refresh_products`` would write) and the catalogue version is bumped once.

Services flush and never commit; the CLI commits once.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import multiprocessing
import os
import random
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..catalogue.models import (
    PRODUCT_WORKFLOW,
    Brand,
    Category,
    Certification,
    CertType,
    HalalScheme,
    Producer,
    ProducerKind,
    ProducerStatus,
    Product,
    ProductEvent,
    ProductImage,
    ProductStatus,
    ProductVariant,
    WholesaleTier,
    product_certifications,
)
from ..catalogue.services import (
    attach_certification,
    refresh_products,
    set_producer_verified,
)
from ..core.media import JPEG_QUALITY, SIZES, StoredImage, media_files, new_key, store_image
from ..core.models import bump_version
from ..core.text import slugify, sort_key
from ..core.timeutil import today_jakarta, utcnow
from .data import (
    DEMO_SEED,
    HALAL_NO_EXPIRY_FROM,
    PUBLISHED_WINDOW_DAYS,
    SCHEMES,
    TEMPLATE_BY_KEY,
    CategorySpec,
    DemoPlan,
    ExtraProducer,
    ImagePlan,
    ProducerPlan,
    ProductPlan,
    build_plan,
    category_root_of,
    extra_producer_description,
    extra_product_description,
    extra_product_name,
    extra_producers,
    halal_number,
    na_number,
    pirt_number,
    region_names,
    round_price,
    sku_part,
    tr_number,
    wholesale_tiers,
)
from . import images as drawing_code
from .images import product_image, producer_logo
from .insight import load_direct_sales
from .missions import load_missions

Progress = Callable[[str], None]

BATCH = 5000
# One generated producer per this many benchmark products (100,000 -> 1,000 shops).
PRODUCTS_PER_EXTRA_PRODUCER = 100


@dataclass
class _Counts:
    categories: int = 0
    producers: int = 0
    products: int = 0
    images: int = 0
    certificates: int = 0
    extra_producers: int = 0
    extra_products: int = 0
    seconds_drawing: float = 0.0


def load_demo(session: Session, *, media_root: str, at_least: int = 0, progress: Progress | None = None,
              picture_cache: str | None = None) -> str:
    """Load the demo catalogue (idempotent) and grow it to ``at_least`` products.

    Returns a one-line summary for the command line.
    """
    started = time.perf_counter()
    say: Progress = progress or (lambda _msg: None)
    plan = build_plan(DEMO_SEED, today_jakarta())
    now = utcnow()
    counts = _Counts()

    category_ids = _ensure_categories(session, plan.categories, counts)
    _load_base(session, plan, category_ids, media_root, now, say, counts, picture_cache)
    if at_least:
        _grow(session, plan, category_ids, at_least, now, say, counts)
    load_missions(session)
    load_direct_sales(session, [pp.slug for pp in plan.producers], today=today_jakarta(), now=now)
    session.flush()
    return _summary(session, counts, time.perf_counter() - started)


# --- categories ----------------------------------------------------------------------


def _ensure_categories(session: Session, specs: Sequence[CategorySpec], counts: _Counts) -> dict[str, int]:
    """Slug -> id for every demo category, creating the missing ones."""
    existing = {c.slug: c for c in session.scalars(select(Category))}
    for position, root_spec in enumerate(specs, start=1):
        root = existing.get(root_spec.slug)
        if root is None:
            root = _new_category(root_spec, None, position)
            session.add(root)
            existing[root.slug] = root
            counts.categories += 1
        for child_position, child_spec in enumerate(root_spec.children, start=1):
            if child_spec.slug not in existing:
                child = _new_category(child_spec, root, child_position)
                session.add(child)
                existing[child.slug] = child
                counts.categories += 1
    session.flush()
    return {slug: c.id for slug, c in existing.items()}


def _new_category(spec: CategorySpec, parent: Category | None, position: int) -> Category:
    return Category(
        parent=parent, name=spec.name, name_en=spec.name_en, slug=spec.slug, position=position,
        required_certificates=[list(group) for group in spec.required_certificates],
    )


# --- the base catalogue, through the ORM and the services ------------------------------------


def _ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


def _load_base(session: Session, plan: DemoPlan, category_ids: dict[str, int], media_root: str,
               now: datetime, say: Progress, counts: _Counts, picture_cache: str | None = None) -> None:
    plan_slugs = [p.slug for p in plan.products()]
    existing_products = set(session.scalars(select(Product.slug).where(Product.slug.in_(plan_slugs))))
    existing_producers = {
        p.slug: p
        for p in session.scalars(select(Producer).where(Producer.slug.in_([pp.slug for pp in plan.producers])))
    }
    missing = len(plan_slugs) - len(existing_products)
    if missing == 0 and len(existing_producers) == len(plan.producers):
        say("Demo catalogue already loaded; nothing to add.")
        return
    say(f"Loading the demo catalogue: {len(plan.producers)} producers, {missing} products to add...")
    jobs = [(p.slug, image) for p in plan.products() if p.slug not in existing_products for image in p.images]
    t0 = time.perf_counter()
    pictures = _draw_all(jobs, media_root, say, picture_cache)
    counts.seconds_drawing += time.perf_counter() - t0
    say(f"  {len(pictures)} images drawn and stored in {counts.seconds_drawing:.1f} s")
    created_ids: list[int] = []
    for index, pp in enumerate(plan.producers, start=1):
        producer = existing_producers.get(pp.slug)
        if producer is None:
            producer = _create_producer(session, pp, media_root, now, counts)
        todo = [p for p in pp.products if p.slug not in existing_products]
        if not todo:
            continue
        brands = _ensure_brands(session, producer, pp)
        certs = _ensure_certificates(session, producer, pp, now, counts)
        # SKUs already taken in this shop, e.g. by products of an older version of the demo.
        skus = set(session.scalars(select(ProductVariant.sku).where(ProductVariant.producer_id == producer.id)))
        for product_plan in todo:
            product = _create_product(session, producer, product_plan, category_ids, brands, pictures, skus, now,
                                      counts)
            for key in product_plan.cert_keys:
                attach_certification(session, product, certs[key])
            _walk_statuses(session, product, product_plan, now)
            created_ids.append(product.id)
        if index % 12 == 0 or index == len(plan.producers):
            say(f"  {index}/{len(plan.producers)} producers, {counts.products} products saved")
    if created_ids:
        # The listing projection of every new product, in one statement.
        refresh_products(session, product_ids=created_ids)


def _draw_one(job: tuple[ImagePlan, str, str | None]) -> StoredImage:
    image, media_root, cache = job
    if cache is not None:
        stored = _copy_cached(image, media_root, cache)
        if stored is not None:
            return stored
    picture = product_image(motif=image.motif, palette=image.palette, colour=image.colour, title=image.title,
                            brand=image.brand, tagline=image.tagline, style=image.style, props=image.props,
                            view=image.view, seed=image.seed)
    stored = store_image(picture, media_root)
    if cache is not None:
        _keep_cached(image, media_root, cache, stored)
    return stored


@functools.cache
def _drawing_version() -> str:
    """What else decides a picture's bytes: the drawing code and the stored sizes."""
    code = Path(drawing_code.__file__).read_bytes() + repr((SIZES, JPEG_QUALITY)).encode()
    return hashlib.sha256(code).hexdigest()


def _cache_name(image: ImagePlan) -> str:
    """A picture is a pure function of its plan (the seed included) and of the drawing code."""
    return hashlib.sha256((_drawing_version() + repr(image)).encode()).hexdigest()[:32]


def _copy_cached(image: ImagePlan, media_root: str, cache: str) -> StoredImage | None:
    name = _cache_name(image)
    try:
        width, height = (int(n) for n in (Path(cache) / f"{name}.size").read_text().split())
    except (OSError, ValueError):
        return None
    key = new_key()
    Path(media_root).mkdir(parents=True, exist_ok=True)
    for cached, stored in zip(media_files(name), media_files(key), strict=True):
        shutil.copyfile(Path(cache) / cached, Path(media_root) / stored)
    return StoredImage(key, width, height)


def _keep_cached(image: ImagePlan, media_root: str, cache: str, stored: StoredImage) -> None:
    """Files first, the size last: a reader sees a picture only once it is whole. Two
    processes drawing the same picture write the same bytes."""
    name = _cache_name(image)
    folder = Path(cache)
    folder.mkdir(parents=True, exist_ok=True)
    for source, cached in zip(media_files(stored.key), media_files(name), strict=True):
        tmp = folder / f".{cached}.{os.getpid()}.tmp"
        shutil.copyfile(Path(media_root) / source, tmp)
        os.replace(tmp, folder / cached)
    tmp = folder / f".{name}.size.{os.getpid()}.tmp"
    tmp.write_text(f"{stored.width} {stored.height}")
    os.replace(tmp, folder / f"{name}.size")


def _draw_all(jobs: Sequence[tuple[str, ImagePlan]], media_root: str, say: Progress,
              cache: str | None = None) -> dict[tuple[str, int], StoredImage]:
    """Draw and store every planned picture: (product slug, view) -> stored image.

    Pictures are independent of the database, so they are made first and on every core:
    three JPEG encodes per picture are most of the demo's load time. Worker processes
    are spawned, not forked, so they never inherit the open database connection. With a
    ``cache`` folder, pictures drawn by an earlier load are copied instead.
    """
    if not jobs:
        return {}
    if cache is None:
        return _draw_or_copy(jobs, media_root, say, None)
    Path(cache).mkdir(parents=True, exist_ok=True)
    with open(Path(cache) / ".lock", "w") as lock:
        # One load draws while another waits, then copies what the first drew.
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _draw_or_copy(jobs, media_root, say, cache)


def _draw_or_copy(jobs: Sequence[tuple[str, ImagePlan]], media_root: str, say: Progress,
                  cache: str | None) -> dict[tuple[str, int], StoredImage]:
    work = [(image, media_root, cache) for _slug, image in jobs]
    if cache is not None and all((Path(cache) / f"{_cache_name(image)}.size").exists() for image, _, _ in work):
        say(f"  copying {len(jobs)} product images from {cache}...")
        results = [_draw_one(job) for job in work]
        return {(slug, image.view): stored for (slug, image), stored in zip(jobs, results, strict=True)}
    workers = min(_usable_cpus(), 8)
    say(f"  drawing {len(jobs)} product images on {workers} process(es)...")
    results: list[StoredImage] = []
    if workers > 1 and len(jobs) >= 40:
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                for n, stored in enumerate(pool.map(_draw_one, work, chunksize=8), start=1):
                    results.append(stored)
                    if n % 200 == 0:
                        say(f"  {n}/{len(jobs)} images")
        except (OSError, BrokenProcessPool) as exc:
            # No process support here (sandbox, missing /dev/shm): draw in this process.
            say(f"  parallel drawing unavailable ({exc}); drawing serially")
            results = []
    if len(results) != len(work):
        results = []
        for n, job in enumerate(work, start=1):
            results.append(_draw_one(job))
            if n % 200 == 0:
                say(f"  {n}/{len(jobs)} images")
    return {(slug, image.view): stored for (slug, image), stored in zip(jobs, results, strict=True)}


def _usable_cpus() -> int:
    """CPUs this process may run on (a container's share, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _create_producer(session: Session, pp: ProducerPlan, media_root: str, now: datetime,
                     counts: _Counts) -> Producer:
    spec = pp.spec
    logo = store_image(producer_logo(name=spec.name, kind=spec.kind.value, colour=spec.colour,
                                     seed=hash_seed(spec.slug)), media_root)
    joined = _ago(now, pp.joined_age_days)
    producer = Producer(
        kind=spec.kind, name=spec.name, slug=spec.slug, pesantren_name=spec.pesantren,
        koperasi_name=spec.koperasi, nib=pp.nib, region_code=spec.region, address=pp.address,
        description=pp.description, logo_path=logo.key, verified=False, created_at=joined, updated_at=joined,
    )
    session.add(producer)
    session.flush()
    if spec.verified:
        event = set_producer_verified(session, producer, True)
        # Verification happened a few days after the shop joined, not during this load.
        producer.verified_at = event.created_at = _ago(now, max(0.5, pp.joined_age_days - 4))
    counts.producers += 1
    return producer


def hash_seed(text: str) -> int:
    """A stable small integer for a string (``hash()`` changes between interpreter runs)."""
    value = 0
    for ch in text:
        value = (value * 131 + ord(ch)) % 2_147_483_647
    return value


def _ensure_brands(session: Session, producer: Producer, pp: ProducerPlan) -> dict[str, Brand]:
    existing = {b.name: b for b in session.scalars(select(Brand).where(Brand.producer_id == producer.id))}
    for name, djki in pp.brands:
        if name not in existing:
            brand = Brand(producer_id=producer.id, name=name, djki_number=djki)
            session.add(brand)
            existing[name] = brand
    session.flush()
    return existing


def _ensure_certificates(session: Session, producer: Producer, pp: ProducerPlan, now: datetime,
                         counts: _Counts) -> dict[str, Certification]:
    """Plan key -> Certification; a certificate already on file (same type and number) is reused."""
    on_file = {(c.type, c.number): c
               for c in session.scalars(select(Certification).where(Certification.producer_id == producer.id))}
    out: dict[str, Certification] = {}
    for plan_cert in pp.certs:
        cert = on_file.get((plan_cert.type, plan_cert.number))
        if cert is None:
            uploaded = datetime.combine(plan_cert.issued_on, datetime.min.time()) + timedelta(days=20) \
                if plan_cert.issued_on else now
            uploaded = min(uploaded, _ago(now, pp.joined_age_days - 1))
            cert = Certification(
                producer_id=producer.id, type=plan_cert.type, number=plan_cert.number,
                halal_scheme=plan_cert.halal_scheme, issuer=plan_cert.issuer, issued_on=plan_cert.issued_on,
                expires_on=plan_cert.expires_on, verified=plan_cert.verified, created_at=uploaded,
                updated_at=uploaded,
            )
            session.add(cert)
            on_file[(cert.type, cert.number)] = cert
            counts.certificates += 1
        out[plan_cert.key] = cert
    session.flush()
    return out


def _create_product(session: Session, producer: Producer, pp: ProductPlan, category_ids: dict[str, int],
                    brands: dict[str, Brand], pictures: dict[tuple[str, int], StoredImage], skus: set[str],
                    now: datetime, counts: _Counts) -> Product:
    created = _ago(now, pp.created_age_days)
    product = Product(
        producer_id=producer.id, category_id=category_ids[pp.category], brand_id=brands[pp.brand].id,
        name=pp.name, slug=pp.slug, description=pp.description, claims_halal=pp.claims_halal,
        option1_name=pp.option1_name, option2_name=pp.option2_name, created_at=created, updated_at=created,
    )
    for v in pp.variants:
        sku, n = v.sku, 1
        while sku in skus:
            n += 1
            sku = f"{v.sku}-{n}"
        skus.add(sku)
        variant = ProductVariant(
            producer_id=producer.id, sku=sku, option1=v.option1, option2=v.option2, price=v.price,
            stock=v.stock, weight_grams=v.weight_grams, min_order_qty=v.min_order_qty, position=v.position,
        )
        variant.wholesale_tiers = [WholesaleTier(min_qty=q, unit_price=price) for q, price in v.tiers]
        product.variants.append(variant)
    for image in pp.images:
        stored = pictures[(pp.slug, image.view)]
        product.images.append(ProductImage(key=stored.key, width=stored.width, height=stored.height,
                                           alt=image.alt, position=image.view))
        counts.images += 1
    session.add(product)
    session.flush()
    counts.products += 1
    return product


def _walk_statuses(session: Session, product: Product, pp: ProductPlan, now: datetime) -> None:
    """Replay the planned curation history, dated as planned.

    This is ``catalogue.services.change_product_status`` without its per-product
    ``refresh_products``: the same workflow check and the same event row, while the
    projection of all new products is refreshed once at the end of the load (a refresh
    per status change was a third of the load time).
    """
    for step in pp.events:
        PRODUCT_WORKFLOW.require(product.status, step.to_status)
        if step.to_status is ProductStatus.PUBLISHED and product.published_at is None:
            product.published_at = _ago(now, pp.published_age_days or step.age_days)
        session.add(ProductEvent(product_id=product.id, actor_id=None, from_status=product.status,
                                 to_status=step.to_status, note=step.note, created_at=_ago(now, step.age_days)))
        product.status = step.to_status


# --- benchmark growth, through Core bulk inserts -------------------------------------------


@dataclass
class _Shop:
    """What the bulk generator needs to know about one producer."""

    id: int
    code: str
    name: str
    place: str
    region: str  # "Kab. Malang"
    lines: tuple[str, ...]
    brand_id: int | None
    brand: str
    # "food" / "NA" / "TR" / "halal" -> certification id valid today
    certs: dict[str, int] = field(default_factory=dict)


def _grow(session: Session, plan: DemoPlan, category_ids: dict[str, int], at_least: int, now: datetime,
          say: Progress, counts: _Counts) -> None:
    """Bulk-insert published benchmark products until the catalogue holds ``at_least``."""
    session.flush()
    total = session.scalar(select(func.count(Product.id))) or 0
    need = at_least - total
    if need <= 0:
        say(f"Catalogue already has {total} products (at least {at_least} asked); nothing to add.")
        return
    started = time.perf_counter()
    say(f"Adding {need} benchmark products ({total} present, {at_least} asked)...")
    shops = _benchmark_shops(session, plan, at_least // PRODUCTS_PER_EXTRA_PRODUCER, now, say, counts)
    pool = _image_pool(session, plan)
    root_of = category_root_of()
    rng = random.Random(f"{DEMO_SEED}:grow:{total}")
    first = (session.scalar(select(func.max(Product.id))) or 0) + 1
    done = 0
    while done < need:
        size = min(BATCH, need - done)
        _insert_batch(session, shops, pool, category_ids, root_of, rng, first + done, size, now)
        done += size
        counts.extra_products += size
        rate = done / max(time.perf_counter() - started, 1e-6)
        say(f"  {done}/{need} benchmark products ({rate:,.0f}/s)")
    bump_version(session)


def _benchmark_shops(session: Session, plan: DemoPlan, n_extra: int, now: datetime, say: Progress,
                     counts: _Counts) -> list[_Shop]:
    """The demo's verified producers plus ``n_extra`` generated ones, with their brands
    and one valid certificate per kind to link benchmark products to."""
    regions = region_names()
    extras = extra_producers(n_extra)
    if extras:
        have = set(session.scalars(select(Producer.slug).where(Producer.slug.like("mitra-%"))))
        todo = [e for e in extras if e.slug not in have]
        if todo:
            say(f"  creating {len(todo)} benchmark producers...")
            counts.certificates += _insert_extra_producers(session, todo, regions, now)
            counts.extra_producers += len(todo)

    specs = {pp.slug: pp.spec for pp in plan.producers if pp.spec.verified}
    extra_by_slug = {e.slug: e for e in extras}
    rows = session.execute(
        select(Producer.id, Producer.slug, Producer.name, Producer.region_code)
        .where(Producer.slug.in_(list(specs) + list(extra_by_slug)), Producer.verified.is_(True))
        .order_by(Producer.id)
    ).all()
    shops: list[_Shop] = []
    for row in rows:
        if row.slug in specs:
            spec = specs[row.slug]
            shops.append(_Shop(row.id, spec.code, row.name, spec.place, regions[row.region_code], spec.lines, None,
                               spec.brands[0]))
        else:
            extra = extra_by_slug[row.slug]
            shops.append(_Shop(row.id, extra.code, row.name, extra.place, regions[row.region_code], extra.lines,
                               None, extra.brand))
    by_id = {s.id: s for s in shops}
    for brand_id, producer_id, brand_name in session.execute(
        select(Brand.id, Brand.producer_id, Brand.name).where(Brand.producer_id.in_(list(by_id))).order_by(Brand.id)
    ):
        if by_id[producer_id].brand_id is None:
            by_id[producer_id].brand_id = brand_id
            by_id[producer_id].brand = brand_name
    today = today_jakarta()
    for cert in session.execute(
        select(Certification.id, Certification.producer_id, Certification.type, Certification.number,
               Certification.expires_on)
        .where(Certification.producer_id.in_(list(by_id)), Certification.verified.is_(True))
        .order_by(Certification.id)
    ):
        if cert.expires_on is not None and cert.expires_on < today:
            continue
        kind = {CertType.PIRT: "food", CertType.HALAL: "halal"}.get(cert.type)
        if cert.type is CertType.BPOM:
            kind = {"MD": "food", "ML": "food", "NA": "NA", "TR": "TR"}.get(cert.number[:2])
        if kind is not None:
            by_id[cert.producer_id].certs.setdefault(kind, cert.id)
    return shops


def _insert_extra_producers(session: Session, extras: Sequence[ExtraProducer], regions: dict[str, str],
                            now: datetime) -> int:
    """Benchmark producers, their brand and certificates, in a few bulk inserts.

    Returns how many certificates were written."""
    rng = random.Random(f"{DEMO_SEED}:extra-certs")
    written = 0
    for chunk in _chunks(extras, BATCH):
        producer_rows = []
        for e in chunk:
            joined = _ago(now, PUBLISHED_WINDOW_DAYS + rng.uniform(20, 200))
            producer_rows.append({
                "kind": e.kind, "name": e.name, "slug": e.slug, "pesantren_name": e.pesantren,
                "koperasi_name": e.koperasi, "nib": e.nib, "region_code": e.region,
                "address": f"Jl. Pesantren No. {rng.randint(1, 120)}, {regions[e.region]}, Jawa Timur",
                "description": extra_producer_description(e, regions[e.region]), "logo_path": None,
                "status": ProducerStatus.VERIFIED, "verified": True,
                "verified_at": joined + timedelta(days=5), "created_at": joined,
                "updated_at": joined,
            })
        ids = _insert_returning_ids(session, Producer, producer_rows, "slug")
        brand_rows = [{"producer_id": pid, "name": e.brand, "djki_number": None, "created_at": now,
                       "updated_at": now} for pid, e in zip(ids, chunk, strict=True)]
        session.execute(_bulk_insert(Brand), brand_rows)
        cert_rows = []
        year = today_jakarta().year
        for n, (pid, e) in enumerate(zip(ids, chunk, strict=True)):
            registrations = {TEMPLATE_BY_KEY[k].registration for k in e.lines} - {""}
            halal = any(TEMPLATE_BY_KEY[k].halal for k in e.lines)
            issued = date(year - rng.randint(1, 3), rng.randint(1, 12), rng.randint(1, 28))
            common = {"producer_id": pid, "issued_on": issued, "verified": True, "document_path": None,
                      "created_at": now, "updated_at": now, "halal_scheme": None}
            if "food" in registrations:
                expires = issued.replace(year=issued.year + 5)
                number = pirt_number(rng, 15, e.region, (n % 9999) + 1, 1, expires.year)
                cert_rows.append({**common, "type": CertType.PIRT, "number": number,
                                  "issuer": f"Pemerintah {regions[e.region]}", "expires_on": expires})
            if "NA" in registrations:
                cert_rows.append({**common, "type": CertType.BPOM, "number": na_number(rng, issued),
                                  "issuer": "Badan POM RI", "expires_on": issued.replace(year=issued.year + 3)})
            if "TR" in registrations:
                cert_rows.append({**common, "type": CertType.BPOM, "number": tr_number(rng, issued),
                                  "issuer": "Badan POM RI", "expires_on": issued.replace(year=issued.year + 5)})
            if halal:
                scheme = HalalScheme.SELF_DECLARE if e.kind is ProducerKind.UMKM else HalalScheme.REGULER
                halal_expires = None if issued >= HALAL_NO_EXPIRY_FROM else issued.replace(year=issued.year + 4)
                cert_rows.append({**common, "type": CertType.HALAL, "number": halal_number(rng, e.region, issued),
                                  "issuer": "BPJPH", "halal_scheme": scheme, "expires_on": halal_expires})
        if cert_rows:
            session.execute(_bulk_insert(Certification), cert_rows)
            written += len(cert_rows)
    return written


def _image_pool(session: Session, plan: DemoPlan) -> dict[str, list[list[tuple[str, int, int, str]]]]:
    """Template key -> the image sets of the base products made from it.

    Benchmark products reuse these keys instead of drawing 100,000 pictures, so one
    stored file may back many rows: whoever deletes an image's files must first check
    that no other product_images row still uses its key.
    """
    template_of = {p.slug: p.template for p in plan.products()}
    sets: dict[str, list[tuple[str, int, int, str]]] = {}
    rows = session.execute(
        select(Product.slug, ProductImage.key, ProductImage.width, ProductImage.height, ProductImage.alt)
        .join(ProductImage, ProductImage.product_id == Product.id)
        .where(Product.slug.in_(list(template_of)))
        .order_by(Product.id, ProductImage.position, ProductImage.id)
    ).all()
    for row in rows:
        sets.setdefault(row.slug, []).append((row.key, row.width, row.height, row.alt))
    pool: dict[str, list[list[tuple[str, int, int, str]]]] = {}
    for slug, images in sets.items():
        pool.setdefault(template_of[slug], []).append(images)
    return pool


def _insert_batch(session: Session, shops: Sequence[_Shop], pool: dict[str, list[list[tuple[str, int, int, str]]]],
                  category_ids: dict[str, int], root_of: dict[str, str], rng: random.Random, first_number: int,
                  size: int, now: datetime) -> None:
    """``size`` published benchmark products with variants, tiers, images, certificate
    links and their two workflow events, in one insert per table."""
    products: list[dict] = []
    variants_of: list[list[dict]] = []
    tiers_of: list[list[list[tuple[int, int]]]] = []
    images_of: list[list[tuple[str, int, int, str]]] = []
    certs_of: list[list[int]] = []
    any_pool = [images for sets in pool.values() for images in sets]
    for i in range(size):
        number = first_number + i
        shop = shops[number % len(shops)]
        key = shop.lines[rng.randrange(len(shop.lines))]
        tpl = TEMPLATE_BY_KEY[key]
        name, name_index = extra_product_name(rng, tpl, shop.place, shop.brand)
        layout = SCHEMES[tpl.scheme](rng, tpl.weight)
        low, high = tpl.prices[name_index % len(tpl.prices)]
        base = rng.uniform(low, high)
        min_order = tpl.min_orders[name_index % len(tpl.min_orders)]
        wholesale = rng.random() < 0.3 and tpl.stock_range[1] >= 40
        variants: list[dict] = []
        tiers: list[list[tuple[int, int]]] = []
        for pos, choice in enumerate(layout.choices):
            parts = [sku_part(v) for v in (choice.option1, choice.option2) if v]
            price = round_price(base * choice.price_factor)
            variants.append({
                "producer_id": shop.id, "sku": "-".join([f"{shop.code}-{tpl.sku}-{number}", *parts]),
                "option1": choice.option1, "option2": choice.option2, "price": price,
                "stock": 0 if rng.random() < 0.05 else rng.randint(*tpl.stock_range),
                "weight_grams": choice.weight_grams, "min_order_qty": min_order, "position": pos, "is_active": True,
            })
            tiers.append(wholesale_tiers(price, min_order) if wholesale else [])
        # Pooled pictures show the base product's own name on the packaging; good
        # enough for load tests, and it keeps the benchmark from drawing 100,000 images.
        images = rng.choice(pool.get(key) or any_pool) if any_pool else []
        published = _ago(now, rng.uniform(0.1, PUBLISHED_WINDOW_DAYS))
        created = published - timedelta(days=rng.uniform(1, 21))
        prices = [v["price"] for v in variants]
        products.append({
            "producer_id": shop.id, "category_id": category_ids[tpl.category], "brand_id": shop.brand_id,
            "name": name, "slug": f"{slug_stem(name)}-b{number}",
            "description": extra_product_description(rng, tpl, name, shop.place, shop.name, shop.region),
            "status": ProductStatus.PUBLISHED, "claims_halal": tpl.halal,
            "option1_name": layout.option1_name, "option2_name": layout.option2_name, "published_at": published,
            # The listing projection, computed here because refresh_products is bypassed.
            "is_listed": True, "sort_name": sort_key(name), "min_price": min(prices), "max_price": max(prices),
            "in_stock": any(v["stock"] > 0 for v in variants), "cover_image": images[0][0] if images else None,
            "created_at": created, "updated_at": published,
        })
        variants_of.append(variants)
        tiers_of.append(tiers)
        images_of.append(images)
        wanted = [shop.certs.get(tpl.registration)] if tpl.registration else []
        if tpl.halal:
            wanted.append(shop.certs.get("halal"))
        certs_of.append([c for c in wanted if c is not None])

    session.execute(_bulk_insert(Product), products)
    id_of = dict(session.execute(
        select(Product.slug, Product.id).where(Product.slug.in_([row["slug"] for row in products]))
    ).all())
    product_ids = [id_of[row["slug"]] for row in products]
    variant_rows = []
    for pid, variants in zip(product_ids, variants_of, strict=True):
        for v in variants:
            v["product_id"] = pid
            variant_rows.append(v)
    session.execute(_bulk_insert(ProductVariant), variant_rows)
    with_tiers = {pid: tiers for pid, tiers in zip(product_ids, tiers_of, strict=True) if any(tiers)}
    if with_tiers:
        tier_rows = [
            {"variant_id": variant_id, "min_qty": q, "unit_price": price}
            for variant_id, pid, position in session.execute(
                select(ProductVariant.id, ProductVariant.product_id, ProductVariant.position)
                .where(ProductVariant.product_id.in_(list(with_tiers)))
            )
            for q, price in with_tiers[pid][position]
        ]
        session.execute(_bulk_insert(WholesaleTier), tier_rows)
    image_rows = [{"product_id": pid, "key": key, "width": w, "height": h, "alt": row["name"], "position": pos}
                  for pid, row, images in zip(product_ids, products, images_of, strict=True)
                  for pos, (key, w, h, _alt) in enumerate(images)]
    if image_rows:
        session.execute(_bulk_insert(ProductImage), image_rows)
    link_rows = [{"product_id": pid, "certification_id": cid}
                 for pid, certs in zip(product_ids, certs_of, strict=True) for cid in certs]
    if link_rows:
        session.execute(product_certifications.insert(), link_rows)
    event_rows = []
    for pid, row in zip(product_ids, products, strict=True):
        published = row["published_at"]
        event_rows.append({"product_id": pid, "actor_id": None, "from_status": ProductStatus.DRAFT,
                           "to_status": ProductStatus.SUBMITTED, "note": "",
                           "created_at": published - timedelta(hours=rng.uniform(2, 72))})
        event_rows.append({"product_id": pid, "actor_id": None, "from_status": ProductStatus.SUBMITTED,
                           "to_status": ProductStatus.PUBLISHED, "note": "", "created_at": published})
    session.execute(_bulk_insert(ProductEvent), event_rows)


def _bulk_insert(model: type):
    """An ORM bulk INSERT that writes NULLs as NULLs.

    Without ``render_nulls`` SQLAlchemy groups rows by which columns are None and sends
    one statement per group: thousands of tiny statements for mixed rows.
    """
    return insert(model).execution_options(render_nulls=True)


def _insert_returning_ids(session: Session, model: type, rows: Sequence[dict], key: str) -> list[int]:
    """Bulk insert and return the new ids in row order, matched back through ``key``
    (a column unique among ``rows``: the slug).

    Asking for RETURNING in parameter order instead (``sort_by_parameter_order``) makes
    SQLAlchemy insert row by row on SQLite. The big tables skip RETURNING altogether and
    look their ids up afterwards: psycopg re-parses every multi-row INSERT ... RETURNING,
    which costs more than the lookup.
    """
    column = getattr(model, key)
    result = session.execute(_bulk_insert(model).returning(model.id, column), rows)
    id_of = {value: row_id for row_id, value in result}
    return [id_of[row[key]] for row in rows]


def slug_stem(name: str) -> str:
    """The readable part of a benchmark slug; the "-b<number>" suffix makes it unique."""
    return slugify(name, 160)


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- summary ---------------------------------------------------------------------------


def _summary(session: Session, counts: _Counts, seconds: float) -> str:
    producers = session.scalar(select(func.count(Producer.id))) or 0
    verified = session.scalar(select(func.count(Producer.id)).where(Producer.verified.is_(True))) or 0
    regions = session.scalar(select(func.count(func.distinct(Producer.region_code)))) or 0
    products = session.scalar(select(func.count(Product.id))) or 0
    published = session.scalar(
        select(func.count(Product.id)).where(Product.status == ProductStatus.PUBLISHED)) or 0
    listed = session.scalar(select(func.count(Product.id)).where(Product.is_listed.is_(True))) or 0
    images = session.scalar(select(func.count(ProductImage.id))) or 0
    certificates = session.scalar(select(func.count(Certification.id))) or 0
    added = (f"added {counts.categories} categories, {counts.producers + counts.extra_producers} producers, "
             f"{counts.products + counts.extra_products} products, {counts.images} drawn images, "
             f"{counts.certificates} certificates")
    return (f"Demo catalogue: {producers} producers ({verified} verified) in {regions} kabupaten/kota, "
            f"{products} products ({published} published, {listed} listed), {images} images, "
            f"{certificates} certificates; this run {added} in {seconds:.1f} s.")
