"""Public pages: home, catalogue, product, producer. Parse, call a query, render."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..core.cache import cached, cached_page
from ..core.money import format_rupiah
from ..core.params import whole_number
from ..core.templating import current_locale, thousands
from ..core.timeutil import today_jakarta
from .certificates import BPOM_KIND, CERT_LABELS, check_certificate
from .forms import parse_listing_args
from .models import CertType, ProducerKind
from .queries import (
    ListingFilter,
    category_tree,
    fetch_page,
    latest_cards,
    listed_product,
    listed_stock,
    listed_regions,
    producer_listed_count,
    programme_figures,
    public_certifications,
    public_producer,
    region_name,
    top_producers,
)

bp = Blueprint("catalogue", __name__)

PRODUCER_KIND_LABELS = {
    ProducerKind.PESANTREN: _l("Pesantren"),
    ProducerKind.KOPONTREN: _l("Koperasi Pondok Pesantren"),
    ProducerKind.UMKM: _l("UMKM"),
}


def category_bar() -> Markup:
    """The header's category links: one rendering per catalogue version and language."""
    return cached(("fragment:category_bar", current_locale()),
                  # Autoescaped template output, cached as the markup it already is.
                  lambda: Markup(render_template("_category_bar.html")))  # nosec B704


def filter_panel(args, fixed_category: bool) -> Markup:
    """The listing's filter form, rendered once per set of selections."""
    key = ("fragment:filters", current_locale(), fixed_category,
           args.category.slug if args.category else None, tuple(sorted(args.values.items())))
    # Autoescaped template output, cached as the markup it already is.
    return cached(key, lambda: Markup(render_template(  # nosec B704
        "catalogue/_filters.html", args=args, fixed_category=fixed_category,
        regions=listed_regions(), cert_types=list(CertType), kinds=list(ProducerKind),
    )))


@bp.record_once
def _template_globals(state) -> None:
    # Globals (not a context processor): imported macros see them too, at no per-request cost.
    state.app.jinja_env.globals.update(
        category_tree=category_tree,
        category_bar=category_bar,
        filter_panel=filter_panel,
        cert_labels=CERT_LABELS,
        kind_labels=PRODUCER_KIND_LABELS,
    )


MAX_CACHED_PATH = 512


def _page(render, *extra_key) -> str:
    """Serve a public page from the per-worker page cache (see core.cache).

    Public pages hold nothing per visitor, so the URL, the language, the day (certificate
    validity) and ``extra_key`` decide the HTML for a catalogue version.
    """
    path = request.full_path
    if len(path) > MAX_CACHED_PATH:
        return render()
    key = (path, current_locale(), today_jakarta(), current_app.config["CATALOGUE_PAGE_SIZE"])
    return cached_page(key + extra_key, render)


@bp.get("/")
def home():
    return _page(lambda: render_template(
        "catalogue/home.html",
        figures=programme_figures(),
        featured=latest_cards(12),
        producers=top_producers(8),
    ))


@bp.get("/katalog")
def catalogue():
    return _page(lambda: _listing(parse_listing_args(request.args)))


@bp.get("/kategori/<slug>")
def category(slug: str):
    return _page(lambda: _listing(parse_listing_args(request.args, category_slug=slug[:100]),
                                  fixed_category=True))


def _listing(args, fixed_category: bool = False) -> str:
    page = fetch_page(
        args.filter,
        page_size=current_app.config["CATALOGUE_PAGE_SIZE"],
        after=args.after,
        before=args.before,
        number=args.page,
    )
    return render_template(
        "catalogue/list.html",
        args=args,
        page=page,
        fixed_category=fixed_category,
        region_label=region_name(args.filter.region_code) if args.filter.region_code else None,
    )


@bp.get("/produk/<slug>")
def product(slug: str):
    slug = slug[:180]
    stock = listed_stock(slug)
    if stock is None:
        return _unavailable_page(slug)
    # Stock moves with every order without a catalogue version bump: it is in the key.
    return _page(lambda: _product_page(slug), stock)


def _unavailable_page(slug: str):
    """A published product that stopped selling because a required certificate expired
    says so (shoppers follow old links and bookmarks); anything else not listed is a 404."""
    from sqlalchemy import select

    from ..curation.lapse import lapsed_certificates
    from ..extensions import db
    from .models import Producer, Product, ProductStatus

    row = db.session.execute(
        select(Product, Producer).join(Producer, Producer.id == Product.producer_id)
        .where(Product.slug == slug, Product.status == ProductStatus.PUBLISHED,
               Producer.verified.is_(True), Product.lapses_on < today_jakarta())
    ).first()
    if row is None:
        abort(404)
    item, producer = row
    certs = lapsed_certificates(db.session, item.id, item.lapses_on)
    return render_template("catalogue/unavailable.html", product=item, producer=producer,
                           certs=certs, cert_labels=CERT_LABELS)


def _product_page(slug: str) -> str:
    item = listed_product(slug)
    if item is None:
        abort(404)
    variants = item.variants
    selected = variants[0]
    wanted = whole_number(request.args.get("variant"))
    selected = next((v for v in variants if v.id == wanted), selected)
    today = today_jakarta()
    variant_json = [_variant_view(v) for v in variants]
    certs = [
        (c, check_certificate(c.type, c.number, c.expires_on), c.is_valid_on(today))
        for c in public_certifications(item.certifications)
    ]
    tree = category_tree()
    node = tree.by_id.get(item.category_id)
    related = latest_cards(
        6, ListingFilter(category_ids=(item.category_id,)), exclude_id=item.id
    )
    return render_template(
        "catalogue/product.html",
        product=item,
        variants=variants,
        selected=selected,
        certs=certs,
        bpom_kinds=BPOM_KIND,
        category_path=tree.path(node) if node else [],
        related=related,
        producer=item.producer,
        variant_json=variant_json,
        add_to_cart=True,  # not on the curator's review page, which shows the same article
    )


def _variant_view(variant) -> dict:
    """What the variant picker shows, formatted here so the script only swaps text."""
    return {
        "id": variant.id,
        "price": format_rupiah(variant.price),
        "stock": variant.stock,
        "stock_text": _("Tersedia %(n)s", n=thousands(variant.stock)) if variant.stock > 0 else _("Stok habis"),
        "weight": f"{thousands(variant.weight_grams)} g",
        "sku": variant.sku,
        "min_order": variant.min_order_qty,
        "min_order_text": thousands(variant.min_order_qty),
        "tiers": [[f"≥ {thousands(t.min_qty)}", format_rupiah(t.unit_price)] for t in variant.wholesale_tiers],
    }


@bp.get("/produsen/<slug>")
def producer(slug: str):
    return _page(lambda: _producer_page(slug[:140]))


def _producer_page(slug: str) -> str:
    item = public_producer(slug)
    if item is None:
        abort(404)
    args = parse_listing_args(request.args, producer_id=item.id)
    page = fetch_page(
        args.filter,
        page_size=current_app.config["CATALOGUE_PAGE_SIZE"],
        after=args.after,
        before=args.before,
        number=args.page,
    )
    today = today_jakarta()
    certs = [(c, c.is_valid_on(today)) for c in public_certifications(item.certifications)]
    return render_template(
        "catalogue/producer.html",
        producer=item,
        page=page,
        args=args,
        certs=certs,
        product_count=producer_listed_count(item.id),
    )
