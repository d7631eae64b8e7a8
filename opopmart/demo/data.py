"""What the demo catalogue says: categories, producers, product templates, and the plan.

Content is written in Indonesian, the shop's own language. Everything here is pure:
``build_plan()`` turns the hand-written producers and product templates into the full
catalogue (names, prices, variants, certificate numbers, statuses, dates) with a fixed
random seed, so two runs plan the same rows and the loader can recognise what already
exists by slug. Dates are planned relative to "today" (``age_days`` back from the load,
certificate years relative to the current year) so the demo never goes stale: the
certificates meant to be valid stay valid and the expired ones stay expired.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ..catalogue.models import CertType, HalalScheme, ProducerKind, ProductStatus
from ..core.text import slugify
from ..regions.models import region_label
from ..regions.reference import jatim_regencies

DEMO_SEED = 20261123

RGB = tuple[int, int, int]

# The published window: "terbaru" sorting spreads over about eighteen months.
PUBLISHED_WINDOW_DAYS = 548


# --- categories -------------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    name_en: str
    # Groups of alternative tokens, all groups needed (see Category.required_certificates).
    required_certificates: tuple[tuple[str, ...], ...] = ()
    children: tuple[CategorySpec, ...] = ()


FOOD_REQUIREMENT = (("pirt", "bpom:MD", "bpom:ML"),)
COSMETIC_REQUIREMENT = (("bpom:NA",),)
HERBAL_REQUIREMENT = (("bpom:TR",),)

CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec("fesyen-batik", "Fesyen & Batik", "Fashion & Batik", (), (
        CategorySpec("ecoprint", "Ecoprint", "Eco-print"),
        CategorySpec("batik-tulis", "Batik Tulis", "Hand-drawn Batik"),
        CategorySpec("busana-muslim", "Busana Muslim", "Muslim Wear"),
    )),
    CategorySpec("makanan-minuman", "Makanan & Minuman", "Food & Drinks", FOOD_REQUIREMENT, (
        CategorySpec("kopi", "Kopi", "Coffee"),
        CategorySpec("camilan", "Camilan", "Snacks"),
        CategorySpec("madu", "Madu", "Honey"),
        CategorySpec("sambal-bumbu", "Sambal & Bumbu", "Sambal & Spice Pastes"),
        CategorySpec("minuman-serbuk", "Minuman Serbuk", "Instant Drinks"),
    )),
    CategorySpec("kerajinan", "Kerajinan", "Crafts", (), (
        CategorySpec("kerajinan-bambu", "Bambu", "Bamboo"),
        CategorySpec("kerajinan-kayu", "Kayu", "Wood"),
        CategorySpec("anyaman", "Anyaman", "Weaving"),
    )),
    CategorySpec("herbal-kesehatan", "Herbal & Kesehatan", "Herbal & Health", HERBAL_REQUIREMENT, (
        CategorySpec("jamu", "Jamu", "Jamu"),
        CategorySpec("minyak-herbal", "Minyak Herbal", "Herbal Oils"),
    )),
    CategorySpec("kosmetik", "Kosmetik", "Cosmetics", COSMETIC_REQUIREMENT, (
        CategorySpec("sabun", "Sabun", "Soap"),
        CategorySpec("perawatan-kulit", "Perawatan Kulit", "Skin Care"),
    )),
    CategorySpec("pertanian-perkebunan", "Pertanian & Perkebunan", "Farm Produce", (), (
        CategorySpec("beras", "Beras", "Rice"),
        CategorySpec("rempah", "Rempah", "Spices"),
        CategorySpec("bibit", "Bibit", "Seedlings"),
    )),
)


def category_root_of() -> dict[str, str]:
    """Child slug -> root slug (roots map to themselves)."""
    out: dict[str, str] = {}
    for root in CATEGORIES:
        out[root.slug] = root.slug
        for child in root.children:
            out[child.slug] = root.slug
    return out


# --- variant schemes ------------------------------------------------------------------


@dataclass(frozen=True)
class VariantChoice:
    option1: str | None
    option2: str | None
    weight_grams: int
    price_factor: float


@dataclass(frozen=True)
class VariantLayout:
    option1_name: str | None
    option2_name: str | None
    choices: tuple[VariantChoice, ...]


ECOPRINT_COLOURS = ("Cokelat Tanah", "Hijau Lumut", "Merah Secang", "Kuning Tegeran", "Abu Tingi", "Biru Indigo")
SARUNG_COLOURS = ("Hijau Botol", "Marun", "Biru Dongker", "Abu-abu", "Hitam", "Cokelat Susu")
BUSANA_COLOURS = ("Putih", "Hitam", "Navy", "Hijau Sage", "Maroon", "Krem", "Abu Misty")
HIJAB_COLOURS = ("Dusty Pink", "Mocca", "Hitam", "Navy", "Sage", "Lilac", "Krem", "Army")


def _weights(name: str, rows: Sequence[tuple[str, int, float]], rng: random.Random, least: int = 2
             ) -> VariantLayout:
    """A weight/size axis: the first ``least``..all rows, smallest first."""
    count = rng.randint(min(least, len(rows)), len(rows))
    return VariantLayout(name, None, tuple(VariantChoice(v, None, g, f) for v, g, f in rows[:count]))


def _colours(palette: Sequence[str], rng: random.Random, grams: int, low: int, high: int) -> VariantLayout:
    picked = rng.sample(list(palette), rng.randint(low, high))
    return VariantLayout("Warna", None, tuple(VariantChoice(c, None, grams, 1.0) for c in picked))


def _colour_size(palette: Sequence[str], sizes: Sequence[str], rng: random.Random, grams: int) -> VariantLayout:
    colours = rng.sample(list(palette), rng.randint(1, 2))
    chosen_sizes = list(sizes[: rng.randint(3, len(sizes))])
    choices = []
    for colour in colours:
        for size in chosen_sizes:
            factor = 1.08 if size in {"XL", "XXL"} else 1.0
            choices.append(VariantChoice(colour, size, grams, factor))
    return VariantLayout("Warna", "Ukuran", tuple(choices))


def _single(grams: int) -> VariantLayout:
    return VariantLayout(None, None, (VariantChoice(None, None, grams, 1.0),))


SCHEMES: dict[str, Callable[[random.Random, int], VariantLayout]] = {
    "kopi": lambda rng, g: _weights("Berat", [("250 g", 270, 1.0), ("500 g", 520, 1.9), ("1 kg", 1030, 3.6)], rng),
    "camilan": lambda rng, g: _weights("Berat", [("200 g", 230, 1.0), ("500 g", 540, 2.3), ("1 kg", 1060, 4.3)],
                                       rng, 1),
    "madu": lambda rng, g: _weights("Berat", [("250 g", 420, 1.0), ("500 g", 720, 1.85), ("1 kg", 1350, 3.5)], rng),
    "sambal": lambda rng, g: _weights("Isi", [("Botol 150 g", 260, 1.0), ("Botol 250 g", 390, 1.55)], rng, 1),
    "bumbu": lambda rng, g: _weights("Berat", [("250 g", 270, 1.0), ("500 g", 520, 1.9), ("1 kg", 1030, 3.6)],
                                     rng, 1),
    "serbuk": lambda rng, g: _weights("Isi", [("Pouch 250 g", 280, 1.0), ("Pouch 500 g", 540, 1.9)], rng, 1),
    "drip": lambda rng, g: _weights("Isi", [("10 sachet", 160, 1.0), ("20 sachet", 300, 1.9)], rng, 1),
    "jamu": lambda rng, g: _weights("Isi", [("10 sachet", 130, 1.0), ("25 sachet", 310, 2.4)], rng, 1),
    "minyak": lambda rng, g: _weights("Isi", [("30 ml", 70, 1.0), ("60 ml", 110, 1.8), ("100 ml", 170, 2.7)], rng),
    "sabun": lambda rng, g: _weights("Isi", [("1 batang", 110, 1.0), ("Paket 3 batang", 330, 2.8)], rng, 1),
    "kosmetik": lambda rng, g: _weights("Ukuran", [("50 g", 90, 1.0), ("100 g", 160, 1.8)], rng, 1),
    "beras": lambda rng, g: _weights("Berat", [("1 kg", 1020, 1.0), ("5 kg", 5050, 4.8), ("10 kg", 10080, 9.4)], rng),
    "rempah": lambda rng, g: _weights("Berat", [("100 g", 120, 1.0), ("250 g", 270, 2.3), ("500 g", 520, 4.3)],
                                      rng),
    "kerajinan": lambda rng, g: _weights("Ukuran", [("Kecil", g, 1.0), ("Sedang", round(g * 1.6), 1.5),
                                                    ("Besar", round(g * 2.4), 2.1)], rng),
    "kain-warna": lambda rng, g: _colours(ECOPRINT_COLOURS, rng, g, 1, 3),
    "sarung": lambda rng, g: _colours(SARUNG_COLOURS, rng, g, 2, 4),
    "hijab": lambda rng, g: _colours(HIJAB_COLOURS, rng, g, 2, 4),
    "busana": lambda rng, g: _colour_size(BUSANA_COLOURS, ("S", "M", "L", "XL"), rng, g),
    "busana-ecoprint": lambda rng, g: _colour_size(ECOPRINT_COLOURS, ("S", "M", "L", "XL"), rng, g),
    "kemeja": lambda rng, g: VariantLayout("Ukuran", None, tuple(
        VariantChoice(s, None, g, 1.08 if s in {"XL", "XXL"} else 1.0) for s in ("M", "L", "XL", "XXL"))),
    "peci": lambda rng, g: VariantLayout("Ukuran", None, tuple(
        VariantChoice(s, None, g, 1.0) for s in ("No. 6", "No. 7", "No. 8", "No. 9"))),
    "tunggal": lambda rng, g: _single(g),
}


# --- product templates ---------------------------------------------------------------


@dataclass(frozen=True)
class ProductTemplate:
    """One kind of product. Names may use ``{place}`` (the producer's locality) and
    ``{brand}``; ``prices``, ``looks`` and ``min_orders`` cycle along with ``names``."""

    key: str
    category: str  # a child category slug
    sku: str  # three letters, the middle of the SKU
    names: tuple[str, ...]
    prices: tuple[tuple[int, int], ...]  # rupiah range of the first (smallest) variant
    scheme: str
    weight: int  # grams, for schemes that do not set their own
    looks: tuple[tuple[str, str], ...]  # (image motif, motif style)
    colours: tuple[RGB, ...]
    props: str
    tagline: str
    intro: tuple[str, ...]
    detail: tuple[str, ...]
    halal: bool = False  # claims halal (and carries the producer's halal certificate)
    # Regulatory registration per product: "food" (P-IRT, or BPOM MD for bigger
    # producers), "NA" (cosmetics), "TR" (traditional medicine), or "" for none.
    registration: str = ""
    sni: str | None = None  # a product standard some producers are certified for
    min_orders: tuple[int, ...] = (1,)
    stock_range: tuple[int, int] = (12, 300)
    # SPP-IRT food type code (digits 2-3 of the P-IRT number).
    pirt_food_code: int = 15


T = ProductTemplate

TEMPLATES: tuple[ProductTemplate, ...] = (
    # Fesyen & Batik ---------------------------------------------------------------------
    T("ecoprint-kain", "ecoprint", "ECO",
      ("Kain Ecoprint Daun Jati", "Kain Ecoprint Daun Jarak Kepyar", "Kain Ecoprint Sutra Daun Lanang",
       "Kain Ecoprint Kenikir Mordan Tunjung", "Kain Ecoprint Daun Ketapang Primisima"),
      ((175_000, 325_000), (175_000, 300_000), (350_000, 450_000), (200_000, 325_000), (175_000, 275_000)),
      "kain-warna", 260, (("cloth", "ecoprint"),),
      ((238, 226, 200), (232, 218, 198), (236, 224, 210), (226, 222, 196)), "leaves", "Pewarna alam",
      ("{name} dicetak langsung dari daun segar dengan teknik pounding dan kukus, sehingga jejak tulang "
       "daunnya tampak jelas di atas kain.",
       "Lembaran {name} berukuran 2 x 1,15 meter, diwarnai dengan kayu secang, tegeran, dan tingi tanpa "
       "pewarna sintetis.",
       "{name} memadukan motif daun yang dikumpulkan di sekitar {place} dengan pewarnaan alam yang lembut."),
      ("Motif setiap lembar tidak pernah sama persis karena mengikuti bentuk daun aslinya.",
       "Cocok dijahit menjadi kemeja, outer, atau gamis.",
       "Kain sudah melalui proses fiksasi agar warna tidak mudah luntur."),
      stock_range=(3, 40)),
    T("ecoprint-syal", "ecoprint", "ESY",
      ("Hijab Ecoprint Voal Daun Jati", "Syal Ecoprint Sutra Daun Kenikir", "Pashmina Ecoprint Daun Ketapang"),
      ((85_000, 140_000), (150_000, 250_000), (95_000, 160_000)),
      "kain-warna", 140, (("scarf", "ecoprint"),),
      ((240, 222, 214), (236, 228, 206), (226, 230, 214)), "leaves", "Pewarna alam",
      ("{name} ringan dan jatuh, dengan cetakan daun yang membingkai sisi depannya.",
       "{name} dibuat satu per satu; tiap helai diberi motif dari daun yang dipetik pagi hari."),
      ("Nyaman dipakai harian maupun untuk acara resmi.",
       "Cuci dengan tangan memakai sabun lerak agar warnanya awet.",
       "Dikemas dalam kotak kertas daur ulang, pas untuk hadiah."),
      stock_range=(4, 60)),
    T("ecoprint-busana", "ecoprint", "EBS",
      ("Outer Ecoprint Kimono {place}", "Blus Ecoprint Katun Rayon", "Kemeja Ecoprint Pria Lengan Panjang"),
      ((275_000, 550_000), (225_000, 375_000), (250_000, 450_000)),
      "busana-ecoprint", 320, (("garment", "ecoprint-long"), ("garment", "ecoprint"), ("garment", "ecoprint")),
      ((226, 216, 196), (234, 226, 210), (222, 214, 190)), "", "Buatan tangan",
      ("{name} dijahit dari kain ecoprint hasil cetak daun, dengan potongan longgar yang nyaman.",
       "{name} memakai kain katun yang dicetak daun jati dan jarak, lalu dijahit penjahit lokal."),
      ("Tersedia beberapa ukuran; lihat tabel ukuran pada foto produk.",
       "Setiap potong unik karena motif daun tidak bisa diulang persis.",
       "Jahitan rapi dengan kancing batok kelapa."),
      stock_range=(2, 25)),
    T("ecoprint-tas", "ecoprint", "ETS",
      ("Tas Jinjing Ecoprint Kanvas", "Pouch Ecoprint Serbaguna"),
      ((95_000, 185_000), (65_000, 95_000)),
      "tunggal", 260, (("tote", "ecoprint"),),
      ((232, 222, 198), (228, 220, 204)), "leaves", "Buatan tangan",
      ("{name} dibuat dari kanvas tebal yang dicetak daun, dilapisi furing katun di bagian dalam.",
       "{name} memadukan kanvas dan motif ecoprint; kuat untuk belanja maupun membawa buku."),
      ("Dilengkapi saku dalam dan ritsleting.",
       "Bisa dicuci dengan tangan; jangan dijemur di bawah terik matahari."),
      stock_range=(5, 80)),
    T("batik-tulis", "batik-tulis", "BTL",
      ("Batik Tulis {place} Motif Sekar Jagad", "Batik Tulis {place} Motif Kawung", "Batik Tulis {place} Motif Parang",
       "Batik Tulis {place} Pewarna Alam"),
      ((450_000, 1_200_000), (350_000, 900_000), (400_000, 1_500_000), (550_000, 1_200_000)),
      "tunggal", 320, (("cloth", "ceplok"), ("cloth", "kawung"), ("cloth", "parang"), ("cloth", "ceplok")),
      ((150, 90, 40), (120, 60, 30), (60, 50, 90), (160, 110, 60)), "", "Batik tulis asli",
      ("{name} digambar dengan canting di atas kain primisima; satu lembar butuh dua sampai empat minggu.",
       "{name} adalah batik tulis halus karya pembatik {place}, dengan isen-isen yang rapat dan rapi.",
       "{name} dikerjakan tangan dari nyanting hingga pelorodan, bukan batik cap maupun printing."),
      ("Ukuran kain 2,1 x 1,15 meter.",
       "Disertai label keterangan pembatik dan proses pewarnaannya.",
       "Simpan terlipat dengan kertas bebas asam agar warnanya terjaga."),
      stock_range=(1, 8)),
    T("batik-madura", "batik-tulis", "BMD",
      ("Batik Tulis Madura Gentongan", "Batik Tulis {place} Motif Perahu Layar", "Selendang Batik Tulis {place}",
       "Batik Tulis {place} Motif Bunga Mawar Merah"),
      ((750_000, 1_500_000), (300_000, 650_000), (250_000, 400_000), (300_000, 600_000)),
      "tunggal", 300, (("cloth", "gentongan"),),
      ((110, 30, 30), (40, 70, 110), (150, 40, 50), (90, 30, 40)), "", "Batik tulis Madura",
      ("{name} memakai warna-warna berani khas pesisir Madura: merah, hijau, dan biru tua.",
       "{name} diwarnai berulang kali dan direndam dalam gentong, sehingga warnanya dalam dan tahan lama."),
      ("Setiap lembar ditandatangani pembatiknya.",
       "Kain 2,2 x 1,1 meter, cocok untuk jarik maupun bahan kemeja.",
       "Warna sedikit luntur pada cucian pertama; cuci terpisah dengan lerak."),
      stock_range=(1, 6)),
    T("kemeja-batik", "batik-tulis", "KBT",
      ("Kemeja Batik Tulis {place} Lengan Panjang", "Kemeja Batik Tulis {place} Lengan Pendek"),
      ((450_000, 750_000), (350_000, 550_000)),
      "kemeja", 350, (("garment", "parang"), ("garment", "kawung")),
      ((120, 70, 30), (40, 50, 90), (100, 30, 40)), "", "Batik tulis",
      ("{name} dijahit dari kain batik tulis {place} dengan furing katun yang adem.",
       "{name} cocok untuk acara resmi maupun Jumatan, dengan potongan slim fit."),
      ("Kancing dan jahitan dikerjakan penjahit binaan pesantren.",
       "Ukuran M sampai XXL; lingkar dada tercantum pada foto terakhir."),
      stock_range=(1, 12)),
    T("sarung", "busana-muslim", "SRG",
      ("Sarung Tenun {place} Motif Kotak", "Sarung Tenun Ikat {place} Motif Songket", "Sarung Santri Katun {place}"),
      ((175_000, 450_000), (250_000, 450_000), (85_000, 150_000)),
      "sarung", 420, (("cloth", "check"),),
      ((30, 60, 100), (110, 30, 40), (40, 90, 60), (70, 70, 70)), "", "Tenun tangan",
      ("{name} ditenun dengan alat tenun bukan mesin (ATBM), sehingga kainnya padat namun tetap adem.",
       "{name} dibuat para penenun {place} yang mewarisi keterampilan turun-temurun."),
      ("Panjang 2 meter, lebar 1,1 meter.",
       "Nyaman dipakai salat maupun mengaji.",
       "Dikemas dalam kotak kardus bergambar, cocok untuk hadiah."),
      stock_range=(4, 90)),
    T("peci", "busana-muslim", "PCI",
      ("Peci Hitam Beludru {place}", "Kopiah Rajut Santri", "Songkok Nasional Bordir Emas"),
      ((45_000, 95_000), (35_000, 55_000), (55_000, 95_000)),
      "peci", 150, (("peci", ""),),
      ((30, 30, 32), (236, 232, 222), (40, 30, 30)), "", "Nyaman dipakai",
      ("{name} berbahan beludru lembut dengan rangka karton tebal agar bentuknya tetap tegak.",
       "{name} dijahit rapi dengan lapisan dalam yang menyerap keringat."),
      ("Tersedia nomor 6 sampai 9; ukur lingkar kepala sebelum memesan.",
       "Cocok untuk santri, wisuda, maupun kondangan."),
      stock_range=(10, 200)),
    T("koko", "busana-muslim", "KKO",
      ("Baju Koko Santri Bordir", "Baju Koko Kurta Katun", "Gamis Pria Toyobo"),
      ((125_000, 225_000), (150_000, 275_000), (175_000, 275_000)),
      "busana", 300, (("garment", "embroidery"), ("garment", "plain"), ("garment", "plain-long")),
      ((236, 236, 232), (40, 60, 100), (90, 110, 90), (120, 40, 50)), "", "Bordir rapi",
      ("{name} berbahan katun adem dengan bordir halus di kerah dan dada.",
       "{name} dijahit di konveksi pesantren, dengan potongan yang leluasa untuk salat."),
      ("Tersedia ukuran S sampai XL.",
       "Bahan tidak menerawang dan mudah disetrika."),
      stock_range=(5, 120)),
    T("gamis", "busana-muslim", "GMS",
      ("Gamis Syar'i Katun Toyobo", "Mukena Katun Jepang Bordir", "Gamis Anak Santri"),
      ((175_000, 350_000), (150_000, 325_000), (95_000, 165_000)),
      "busana", 450, (("garment", "embroidery-long"), ("garment", "embroidery-long"), ("garment", "plain-long")),
      ((110, 80, 90), (236, 232, 226), (70, 90, 80), (60, 60, 90)), "", "Busana muslim",
      ("{name} jatuh dan tidak menerawang, dijahit rapi dengan bahan yang adem.",
       "{name} dibuat oleh penjahit perempuan binaan pesantren dengan bahan pilihan."),
      ("Tersedia ukuran S sampai XL.",
       "Dilengkapi saku di kedua sisi.",
       "Dikemas dalam tas kain yang bisa dipakai ulang."),
      stock_range=(3, 80)),
    T("jilbab", "busana-muslim", "JLB",
      ("Jilbab Segi Empat Voal Santri", "Bergo Instan Jersey", "Jilbab Pashmina Ceruty"),
      ((35_000, 75_000), (35_000, 65_000), (45_000, 95_000)),
      "hijab", 110, (("scarf", "plain"),),
      ((210, 170, 170), (170, 140, 110), (60, 60, 80), (150, 170, 150)), "", "Adem & tegak",
      ("{name} berbahan lembut, tidak licin, dan mudah dibentuk.",
       "{name} dijahit tepi rapi dengan finishing neci."),
      ("Ukuran 115 x 115 cm untuk segi empat.",
       "Tersedia banyak pilihan warna.",
       "Tidak perlu disetrika setelah dicuci."),
      stock_range=(10, 250)),
    # Makanan & Minuman -----------------------------------------------------------------
    T("kopi-robusta", "kopi", "KRB",
      ("Kopi Robusta {place}", "Kopi Robusta {place} Giling Halus", "Kopi Lanang {place}",
       "Kopi Tubruk Santri {place}"),
      ((45_000, 60_000), (45_000, 62_000), (55_000, 75_000), (45_000, 55_000)),
      "kopi", 270, (("pouch", ""),),
      ((96, 60, 36), (120, 40, 36), (40, 40, 40), (150, 110, 70)), "beans", "100% Robusta",
      ("{name} disangrai medium-dark dari biji petik merah kebun rakyat {place}.",
       "{name} berbodi tebal dengan aroma cokelat dan karamel, khas robusta dataran menengah {place}.",
       "{name} diproses natural lalu disangrai dalam jumlah kecil setiap pekan."),
      ("Cocok diseduh tubruk, V60, atau mesin espresso.",
       "Pilih biji utuh atau bubuk; bubuk digiling sedang untuk tubruk.",
       "Dikemas dalam pouch berkatup satu arah agar aromanya terjaga."),
      halal=True, registration="food", min_orders=(1,), pirt_food_code=10),
    T("kopi-arabika", "kopi", "KAR",
      ("Kopi Arabika {place}", "Kopi Arabika {place} Natural Process", "Kopi Arabika {place} Honey Process",
       "Kopi Arabika {place} Full Wash"),
      ((65_000, 85_000), (70_000, 85_000), (70_000, 85_000), (62_000, 80_000)),
      "kopi", 270, (("pouch", ""),),
      ((60, 90, 70), (110, 70, 40), (170, 120, 60), (40, 60, 90)), "beans", "100% Arabika",
      ("{name} ditanam di ketinggian di atas 1.200 mdpl dan dipetik merah oleh petani {place}.",
       "{name} punya keasaman cerah dengan catatan rasa jeruk, gula aren, dan teh hitam.",
       "{name} disangrai light-medium supaya karakter asal kebunnya tetap terasa."),
      ("Paling nikmat diseduh manual: V60, French press, atau Vietnam drip.",
       "Tanggal sangrai tercetak di bagian belakang kemasan.",
       "Dikemas dalam pouch berkatup satu arah agar aromanya terjaga."),
      halal=True, registration="food", pirt_food_code=10),
    T("kopi-greenbean", "kopi", "GBN",
      ("Green Bean Robusta {place}", "Green Bean Arabika {place}"),
      ((68_000, 90_000), (120_000, 165_000)),
      "tunggal", 1000, (("sack", ""),),
      ((196, 164, 116), (186, 156, 110)), "beans", "Biji kopi mentah",
      ("{name} adalah biji kopi mentah grade 1 hasil sortasi tangan, untuk roastery dan kedai kopi.",
       "{name} dijemur di para-para hingga kadar air sekitar 12 persen, lalu disortasi ulang."),
      ("Harga per kilogram; pemesanan minimal 5 kg.",
       "Sampel 100 g tersedia bagi roastery yang ingin mencoba sangrai.",
       "Dikirim dalam karung goni berlapis plastik."),
      registration="food", sni="SNI 2907:2008", min_orders=(5,), stock_range=(50, 300), pirt_food_code=10),
    T("kopi-drip", "kopi", "KDB",
      ("Kopi Drip Bag {place}", "Kopi Drip Bag {place} Blend Santri"),
      ((45_000, 70_000), (45_000, 65_000)),
      "drip", 160, (("box", ""),),
      ((120, 40, 40), (50, 70, 60), (140, 100, 60)), "beans", "Praktis diseduh",
      ("{name} berisi kopi giling sedang dalam kantong saring; cukup disobek, digantung, lalu diseduh.",
       "{name} praktis dibawa ke kantor atau perjalanan, rasa tetap seperti seduhan manual."),
      ("Satu sachet 10 g untuk 150 ml air panas.",
       "Tiap sachet dikemas tertutup dengan nitrogen."),
      halal=True, registration="food", pirt_food_code=10),
    T("keripik-tempe", "camilan", "KTP",
      ("Keripik Tempe {place} Original", "Keripik Tempe {place} Pedas Daun Jeruk", "Keripik Tempe {place} Rasa Balado"),
      ((12_000, 20_000), (14_000, 22_000), (14_000, 22_000)),
      "camilan", 230, (("pouch", "window"),),
      ((200, 50, 40), (220, 140, 40), (170, 40, 50)), "chips", "Renyah tanpa pengawet",
      ("{name} diiris tipis dari tempe kedelai pilihan, lalu digoreng dengan tepung bumbu rempah.",
       "{name} dibuat dari tempe yang difermentasi sendiri, sehingga renyah dan gurih.",
       "{name} adalah oleh-oleh khas {place} yang digoreng setiap pagi."),
      ("Tanpa MSG berlebih dan tanpa pengawet.",
       "Tahan sampai tiga bulan dalam kemasan tertutup.",
       "Dikemas dalam pouch zip-lock agar tetap renyah setelah dibuka."),
      halal=True, registration="food", pirt_food_code=15),
    T("keripik-pisang", "camilan", "KPS",
      ("Keripik Pisang {place} Manis", "Keripik Pisang {place} Cokelat", "Sale Pisang Goreng {place}"),
      ((13_000, 22_000), (15_000, 25_000), (15_000, 28_000)),
      "camilan", 230, (("pouch", "window"),),
      ((240, 190, 50), (120, 70, 40), (200, 120, 40)), "chips", "Pisang pilihan",
      ("{name} dibuat dari pisang agung dan pisang kepok yang dipanen tua dari kebun {place}.",
       "{name} diiris tipis memanjang dan digoreng dengan minyak yang selalu diganti."),
      ("Manisnya pas, tidak bikin seret.",
       "Tahan sampai tiga bulan dalam kemasan tertutup.",
       "Cocok untuk teman minum teh sore."),
      halal=True, registration="food", pirt_food_code=14),
    T("keripik-singkong", "camilan", "KSG",
      ("Keripik Singkong Balado {place}", "Keripik Singkong Bawang {place}", "Kerupuk Samiler {place}"),
      ((12_000, 18_000), (12_000, 18_000), (12_000, 20_000)),
      "camilan", 230, (("pouch", "window"),),
      ((210, 50, 40), (230, 200, 120), (230, 160, 60)), "chips", "Gurih & renyah",
      ("{name} dibuat dari singkong segar petani {place}, diiris tipis lalu dibumbui rempah.",
       "{name} digoreng dua kali agar renyahnya tahan lama."),
      ("Tanpa pengawet dan pewarna buatan.",
       "Pedasnya bisa dipesan sedang atau level tinggi lewat catatan pesanan."),
      halal=True, registration="food", pirt_food_code=15),
    T("camilan", "camilan", "CML",
      ("Rengginang {place}", "Kacang Bawang Santri", "Kerupuk Ikan {place}", "Jenang Ketan {place}",
       "Peyek Kacang {place}"),
      ((14_000, 25_000), (15_000, 25_000), (18_000, 35_000), (15_000, 30_000), (15_000, 25_000)),
      "camilan", 230, (("pouch", "window"),),
      ((230, 120, 40), (200, 160, 80), (60, 120, 160), (130, 80, 50), (220, 170, 90)), "chips", "Oleh-oleh khas",
      ("{name} dibuat dengan resep turun-temurun dan bahan dari pasar {place}.",
       "{name} adalah camilan khas {place} yang dimasak di dapur produksi santri."),
      ("Tahan sampai dua bulan dalam kemasan tertutup.",
       "Cocok untuk suguhan tamu dan oleh-oleh.",
       "Dikemas dalam pouch zip-lock."),
      halal=True, registration="food", pirt_food_code=15),
    T("madu", "madu", "MDU",
      ("Madu Hutan {place}", "Madu Randu {place}", "Madu Kelengkeng {place}", "Madu Kaliandra {place}",
       "Madu Klanceng {place}"),
      ((50_000, 75_000), (50_000, 70_000), (55_000, 80_000), (55_000, 80_000), (85_000, 120_000)),
      "madu", 420, (("jar", "honey"),),
      ((226, 146, 24), (236, 170, 40), (210, 120, 20), (190, 100, 20), (150, 70, 20)), "hex", "Madu murni",
      ("{name} dipanen dari peternakan lebah binaan di sekitar {place} saat musim bunga.",
       "{name} adalah madu murni tanpa campuran gula, disaring dingin agar enzimnya terjaga.",
       "{name} punya rasa manis yang khas dengan sedikit asam di ujung lidah."),
      ("Madu asli bisa mengkristal di suhu dingin; cukup rendam botol dalam air hangat.",
       "Kadar air diuji di bawah 22 persen.",
       "Dikemas dalam botol kaca dan dibungkus bubble wrap tebal."),
      halal=True, registration="food", sni="SNI 8664:2018", pirt_food_code=9, stock_range=(8, 150)),
    T("sambal", "sambal-bumbu", "SBL",
      ("Sambal Bawang {brand}", "Sambal Bajak {brand}", "Sambal Ijo {brand}", "Sambal Teri {brand}",
       "Sambal Cumi Pedas {brand}"),
      ((18_000, 28_000), (18_000, 28_000), (20_000, 30_000), (25_000, 35_000), (28_000, 35_000)),
      "sambal", 260, (("jar", "sambal"),),
      ((196, 40, 30), (170, 40, 30), (70, 120, 50), (160, 60, 30), (150, 30, 30)), "chili", "Pedas mantap",
      ("{name} diulek dari cabai rawit, bawang, dan minyak kelapa, dimasak sampai matang agar awet.",
       "{name} dibuat dalam jumlah kecil tiap hari di dapur {place}, tanpa pengawet."),
      ("Tahan sebulan di suhu ruang, tiga bulan di kulkas.",
       "Cocok untuk nasi hangat, lalapan, atau mi rebus.",
       "Botol kaca disegel dan dibungkus bubble wrap."),
      halal=True, registration="food", pirt_food_code=11),
    T("bumbu", "sambal-bumbu", "BMB",
      ("Sambal Pecel {place}", "Bawang Goreng {place}", "Bumbu Rawon Instan {place}", "Petis Udang {place}"),
      ((15_000, 25_000), (30_000, 45_000), (15_000, 25_000), (25_000, 40_000)),
      "bumbu", 270, (("pouch", ""),),
      ((170, 70, 30), (200, 140, 60), (50, 40, 40), (80, 50, 40)), "chili", "Resep asli",
      ("{name} dibuat dengan resep rumahan khas {place}, dari bahan segar pasar setempat.",
       "{name} praktis: tinggal diseduh atau dicampur, rasanya seperti masakan ibu."),
      ("Tanpa penyedap buatan.",
       "Simpan di wadah tertutup setelah dibuka.",
       "Satu bungkus cukup untuk 8 sampai 10 porsi."),
      halal=True, registration="food", pirt_food_code=11),
    T("minuman-serbuk", "minuman-serbuk", "MSB",
      ("Jahe Merah Instan {place}", "Temulawak Instan {place}", "Wedang Uwuh Serbuk", "Kunyit Asam Instan",
       "Beras Kencur Instan"),
      ((22_000, 35_000), (22_000, 35_000), (25_000, 40_000), (22_000, 35_000), (22_000, 35_000)),
      "serbuk", 280, (("pouch", ""), ("box", "")),
      ((170, 50, 40), (220, 160, 40), (140, 50, 40), (230, 170, 40), (230, 210, 160)), "roots", "Hangat & segar",
      ("{name} dibuat dari rimpang segar yang diparut, diperas, lalu dikristalkan dengan gula aren.",
       "{name} tinggal diseduh air panas; hangatnya pas untuk malam hari di {place}."),
      ("Satu sendok makan untuk satu gelas air panas.",
       "Tanpa pemanis buatan dan tanpa pengawet.",
       "Dikemas dalam pouch zip-lock."),
      halal=True, registration="food", pirt_food_code=13),
    T("susu-etawa", "minuman-serbuk", "SKE",
      ("Susu Kambing Etawa Bubuk {place}", "Susu Etawa Bubuk Rasa Cokelat", "Susu Etawa Bubuk Rasa Jahe"),
      ((45_000, 70_000), (48_000, 70_000), (48_000, 70_000)),
      "serbuk", 280, (("box", ""),),
      ((236, 232, 220), (120, 80, 50), (200, 150, 80)), "", "Susu etawa murni",
      ("{name} dibuat dari susu kambing peranakan etawa yang diperah pagi hari di peternakan {place}.",
       "{name} dikeringkan dengan spray dryer sehingga gizinya tetap terjaga."),
      ("Seduh dua sendok makan dengan 150 ml air hangat.",
       "Tanpa gula tambahan berlebih."),
      halal=True, registration="food", pirt_food_code=13),
    # Kerajinan -------------------------------------------------------------------------
    T("bambu", "kerajinan-bambu", "LBB",
      ("Lampu Hias Bambu {place}", "Lampu Gantung Anyaman Bambu", "Kap Lampu Bambu Motif Kawung"),
      ((85_000, 185_000), (120_000, 275_000), (95_000, 195_000)),
      "kerajinan", 600, (("lamp", ""),),
      ((200, 160, 90), (180, 140, 80), (210, 175, 110)), "", "Buatan tangan",
      ("{name} dianyam dari bambu apus yang diawetkan dengan rendaman air garam, sehingga tidak mudah dimakan bubuk.",
       "{name} dibuat pengrajin {place}; cahayanya memantul hangat lewat celah anyaman."),
      ("Sudah termasuk fitting dan kabel 1,5 meter; bohlam tidak termasuk.",
       "Dikemas kardus tebal dan bubble wrap berlapis.",
       "Cocok untuk teras, kafe, dan ruang keluarga."),
      stock_range=(2, 40)),
    T("bambu-rumah", "kerajinan-bambu", "BRM",
      ("Tempat Tisu Bambu Ukir", "Keranjang Bambu Serbaguna", "Tudung Saji Bambu", "Besek Bambu Isi 10"),
      ((35_000, 65_000), (45_000, 95_000), (45_000, 85_000), (25_000, 45_000)),
      "tunggal", 450, (("wood", "box"), ("basket", ""), ("basket", ""), ("basket", "")),
      ((206, 170, 100), (196, 160, 96), (190, 150, 90)), "", "Ramah lingkungan",
      ("{name} dibuat dari bambu pilihan yang dianyam rapat oleh pengrajin {place}.",
       "{name} ramah lingkungan dan menggantikan wadah plastik di dapur."),
      ("Dilapisi pernis food grade.",
       "Bersihkan dengan kain lembap; jangan direndam."),
      stock_range=(5, 120)),
    T("kayu", "kerajinan-kayu", "KYU",
      ("Rehal Al-Qur'an Kayu Jati", "Talenan Kayu Jati {place}", "Kotak Tisu Kayu Jati", "Kaligrafi Ukir Kayu Jati",
       "Nampan Kayu Jati"),
      ((65_000, 150_000), (45_000, 120_000), (55_000, 110_000), (250_000, 850_000), (75_000, 160_000)),
      "tunggal", 900, (("wood", "rehal"), ("wood", "board"), ("wood", "box"), ("wood", "frame"), ("wood", "board")),
      ((160, 100, 50), (170, 110, 60), (150, 95, 50), (140, 85, 45)), "", "Kayu jati",
      ("{name} dibuat dari kayu jati perhutani sisa produksi mebel, diamplas halus hingga seratnya menonjol.",
       "{name} dikerjakan tangan oleh pengrajin {place} dan difinishing minyak alami."),
      ("Lapisi ulang dengan minyak kelapa atau lilin lebah beberapa bulan sekali agar kilapnya terjaga.",
       "Serat kayu tiap produk berbeda-beda.",
       "Dikemas kardus dan bubble wrap."),
      stock_range=(2, 60)),
    T("topeng", "kerajinan-kayu", "TPG",
      ("Topeng Malangan Panji Asmorobangun", "Topeng Malangan Klana Sewandana", "Topeng Malangan Dewi Sekartaji"),
      ((150_000, 450_000), (175_000, 450_000), (150_000, 400_000)),
      "kerajinan", 400, (("wood", "mask"),),
      ((160, 100, 50),), "", "Ukir tangan",
      ("{name} diukir dari kayu pule lalu dicat dengan pakem warna topeng Malangan.",
       "{name} dibuat di sanggar yang juga mengajarkan tari topeng kepada anak-anak."),
      ("Dilengkapi pengait untuk dipajang di dinding.",
       "Setiap topeng disertai kartu kisah tokohnya."),
      stock_range=(1, 15)),
    T("anyaman", "anyaman", "ANY",
      ("Tas Anyaman Pandan {place}", "Keranjang Anyaman Rotan", "Topi Anyaman Pandan", "Tikar Mendong {place}",
       "Tas Anyaman Eceng Gondok"),
      ((65_000, 185_000), (55_000, 150_000), (35_000, 75_000), (85_000, 220_000), (85_000, 195_000)),
      "tunggal", 450, (("tote", "weave"), ("basket", ""), ("basket", ""), ("cloth", "weave"), ("tote", "weave")),
      ((196, 160, 100), (170, 120, 70), (210, 180, 120), (150, 130, 80)), "", "Anyaman tangan",
      ("{name} dianyam tangan oleh ibu-ibu pengrajin {place} dari bahan yang dijemur kering alami.",
       "{name} kuat, ringan, dan dibuat tanpa lem maupun bahan plastik."),
      ("Dilengkapi furing kain untuk tas.",
       "Jauhkan dari tempat lembap agar tidak berjamur.",
       "Ukuran dan warna bisa sedikit berbeda karena buatan tangan."),
      stock_range=(3, 80)),
    # Herbal & Kesehatan ----------------------------------------------------------------
    T("jamu", "jamu", "JMU",
      ("Jamu Kunyit Asam Serbuk", "Jamu Beras Kencur Serbuk", "Jamu Pegal Linu {place}", "Jamu Galian Singset Madura",
       "Jamu Sirih Kunci"),
      ((15_000, 30_000), (15_000, 30_000), (18_000, 35_000), (20_000, 35_000), (18_000, 32_000)),
      "jamu", 130, (("box", ""), ("pouch", "")),
      ((230, 170, 40), (220, 200, 140), (90, 120, 60), (150, 60, 60), (80, 110, 60)), "roots", "Jamu tradisional",
      ("{name} diracik dari rimpang dan daun segar menurut resep jamu keluarga {place}.",
       "{name} diolah higienis dalam sachet siap seduh, tanpa bahan kimia obat."),
      ("Seduh satu sachet dengan setengah gelas air hangat, diminum pagi hari.",
       "Bukan pengganti obat dokter; baca aturan pakai pada kemasan.",
       "Simpan di tempat kering dan sejuk."),
      halal=True, registration="TR"),
    T("minyak-herbal", "minyak-herbal", "MNY",
      ("Minyak Kayu Putih {place}", "Minyak Telon Santri", "Minyak Habbatussauda", "Minyak Sereh Wangi",
       "Minyak Urut Jahe Merah"),
      ((18_000, 35_000), (15_000, 30_000), (35_000, 45_000), (18_000, 30_000), (20_000, 35_000)),
      "minyak", 70, (("bottle", "small"),),
      ((60, 120, 70), (230, 190, 120), (40, 40, 40), (140, 170, 60), (170, 60, 40)), "leaves", "Herbal alami",
      ("{name} disuling dari daun dan biji pilihan, tanpa campuran minyak mineral.",
       "{name} diracik di rumah produksi {place} dengan takaran yang konsisten."),
      ("Oleskan tipis pada bagian yang diperlukan.",
       "Hanya untuk pemakaian luar kecuali tertulis lain di kemasan.",
       "Botol kaca gelap menjaga minyak dari cahaya."),
      halal=True, registration="TR", stock_range=(10, 250)),
    # Kosmetik --------------------------------------------------------------------------
    T("sabun", "sabun", "SBN",
      ("Sabun Zaitun Santri", "Sabun Susu Kambing Etawa", "Sabun Kopi Scrub {place}", "Sabun Madu Habbatussauda",
       "Sabun Sereh Wangi", "Sabun Kunyit Temulawak"),
      ((15_000, 28_000), (15_000, 30_000), (15_000, 25_000), (18_000, 35_000), (12_000, 22_000), (12_000, 25_000)),
      "sabun", 110, (("soap", ""),),
      ((200, 210, 120), (242, 236, 222), (120, 80, 50), (220, 160, 60), (190, 210, 140), (236, 180, 60)),
      "leaves", "Cold process",
      ("{name} dibuat dengan metode cold process dan didiamkan empat minggu agar lembut di kulit.",
       "{name} memakai minyak kelapa dan minyak zaitun, tanpa deterjen SLS."),
      ("Cocok untuk kulit kering dan sensitif.",
       "Simpan di tempat sabun yang kering agar awet.",
       "Lakukan uji di kulit lengan sebelum pemakaian pertama."),
      halal=True, registration="NA", sni="SNI 3532:2016", stock_range=(10, 300)),
    T("perawatan-kulit", "perawatan-kulit", "PKL",
      ("Lulur Mandi Bengkoang Madura", "Masker Wajah Bengkoang", "Body Lotion Susu Kambing", "Lip Balm Madu Hutan",
       "Serum Minyak Zaitun Rambut", "Bedak Dingin Beras"),
      ((25_000, 45_000), (25_000, 45_000), (35_000, 65_000), (25_000, 40_000), (45_000, 85_000), (20_000, 35_000)),
      "kosmetik", 90,
      (("cream", ""), ("cream", ""), ("bottle", ""), ("cream", ""), ("bottle", "small"), ("cream", "")),
      ((210, 120, 150), (236, 200, 170), (230, 226, 214), (200, 80, 90), (150, 160, 60), (236, 230, 220)),
      "flowers", "Bahan alami",
      ("{name} diracik dari bahan alami seperti bengkoang, beras, dan madu, sesuai resep perawatan keraton Madura.",
       "{name} lembut di kulit dan aman dipakai sehari-hari."),
      ("Lakukan uji di kulit lengan sebelum pemakaian pertama.",
       "Simpan di tempat sejuk, jauhkan dari sinar matahari langsung.",
       "Tanpa merkuri dan tanpa hidrokuinon."),
      halal=True, registration="NA"),
    # Pertanian & Perkebunan ------------------------------------------------------------
    T("beras", "beras", "BRS",
      ("Beras Organik Pandan Wangi {place}", "Beras Merah Organik {place}", "Beras Hitam Organik {place}",
       "Beras Mentik Susu {place}"),
      ((18_000, 28_000), (22_000, 32_000), (28_000, 40_000), (16_000, 22_000)),
      "beras", 1020, (("sack", ""),),
      ((236, 230, 210), (226, 214, 196), (214, 210, 206), (240, 236, 224)), "grains", "Tanpa pemutih",
      ("{name} ditanam tanpa pupuk dan pestisida kimia oleh kelompok tani binaan di {place}.",
       "{name} pulen dan wangi, digiling sekali sehingga lapisan bekatulnya tetap terjaga.",
       "{name} dipanen dari sawah irigasi {place} dan dijemur di lantai jemur, bukan oven."),
      ("Tanpa pemutih, pewangi, maupun pengawet.",
       "Dikemas vakum untuk ukuran 1 kg dan 5 kg.",
       "Simpan di wadah tertutup, jauh dari lantai lembap."),
      sni="SNI 6128:2020", stock_range=(20, 300)),
    T("beras-grosir", "beras", "BRG",
      ("Beras Premium {place} Karung 25 kg", "Beras Medium {place} Karung 25 kg"),
      ((330_000, 420_000), (280_000, 320_000)),
      "tunggal", 25_100, (("sack", ""),),
      ((240, 238, 230), (232, 228, 216)), "grains", "Karung 25 kg",
      ("{name} untuk warung, katering, dan dapur pesantren, digiling dari gabah petani {place}.",
       "{name} disortasi dengan mesin color sorter sehingga butir patah di bawah 15 persen."),
      ("Harga per karung; pemesanan minimal 5 karung.",
       "Ongkos kirim dihitung per berat; tersedia pengiriman truk untuk pesanan besar."),
      sni="SNI 6128:2020", min_orders=(5,), stock_range=(20, 200)),
    T("rempah", "rempah", "RMP",
      ("Jahe Merah Kering {place}", "Kayu Manis Batang", "Cengkeh Kering {place}", "Lada Putih Butir",
       "Kunyit Bubuk {place}", "Kapulaga Jawa", "Temulawak Iris Kering"),
      ((15_000, 25_000), (12_000, 20_000), (18_000, 30_000), (25_000, 40_000), (10_000, 18_000), (30_000, 45_000),
       (12_000, 20_000)),
      "rempah", 120, (("pouch", "window"),),
      ((170, 80, 40), (150, 80, 40), (110, 60, 40), (220, 214, 190), (230, 160, 30), (120, 130, 70),
       (220, 150, 40)),
      "sticks", "Rempah pilihan",
      ("{name} dipanen dari kebun rakyat {place}, dijemur, lalu disortasi ulang dengan tangan.",
       "{name} kering sempurna sehingga aromanya kuat dan tahan lama."),
      ("Cocok untuk bumbu masakan, wedang, maupun jamu.",
       "Simpan di wadah kedap udara.",
       "Tersedia harga grosir untuk pembelian banyak."),
      stock_range=(15, 300)),
    T("bibit", "bibit", "BBT",
      ("Bibit Kopi Robusta Siap Tanam", "Bibit Jeruk Keprok Batu 55", "Bibit Apel Manalagi", "Bibit Kelengkeng Itoh",
       "Bibit Alpukat Miki", "Bibit Porang Katak"),
      ((5_000, 9_000), (25_000, 45_000), (30_000, 60_000), (35_000, 75_000), (35_000, 65_000), (8_000, 15_000)),
      "tunggal", 900, (("seedling", ""),),
      ((70, 140, 60), (90, 150, 50), (80, 140, 70), (60, 130, 60)), "", "Siap tanam",
      ("{name} disemai di kebun pembibitan {place} dan sudah beradaptasi di polybag.",
       "{name} hasil okulasi/sambung pucuk dari pohon induk yang produktif."),
      ("Dikirim dengan media tanam dibungkus rapat; tanam segera setelah diterima.",
       "Garansi tumbuh: bibit mati dalam perjalanan diganti.",
       "Tinggi bibit saat dikirim 30 sampai 60 cm."),
      min_orders=(10, 1, 1, 1, 1, 10), stock_range=(20, 300)),
)

TEMPLATE_BY_KEY: dict[str, ProductTemplate] = {t.key: t for t in TEMPLATES}


# --- producers -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProducerSpec:
    slug: str
    name: str
    kind: ProducerKind
    region: str  # Kemendagri code of the kabupaten/kota, "35.78"
    place: str  # the locality product names mention ("Dampit", "Sanan")
    street: str  # street, village and kecamatan; the kabupaten/kota is added from region
    about: str  # one sentence only this producer can say
    lines: tuple[str, ...]  # template keys, in the order the shop is known for them
    brands: tuple[str, ...]
    code: str  # SKU prefix
    colour: RGB  # logo colour
    pesantren: str | None = None
    koperasi: str | None = None
    # Names the shop is famous for, made first: (template key, product name).
    signatures: tuple[tuple[str, str], ...] = ()
    # Which brand each line is sold under (index into brands); all the first by default.
    brand_lines: tuple[int, ...] = ()
    # Bigger cooperatives register food with BPOM (MD) instead of P-IRT.
    bpom_md: bool = False
    verified: bool = True


P = ProducerSpec
PK = ProducerKind.PESANTREN
KK = ProducerKind.KOPONTREN
UK = ProducerKind.UMKM

PRODUCERS: tuple[ProducerSpec, ...] = (
    P("namira-ecoprint", "Namira Ecoprint", UK, "35.78", "Surabaya",
      "Jl. Rungkut Asri Tengah No. 18, Kec. Rungkut",
      "Namira Ecoprint mencetak kain dan busana dengan teknik pounding dan kukus memakai daun jati, jarak kepyar, "
      "dan kenikir yang dipetik di sekitar Surabaya.",
      ("ecoprint-kain", "ecoprint-syal", "ecoprint-busana", "ecoprint-tas"), ("Namira Ecoprint", "Namira Daun"),
      "NMR", (120, 80, 40),
      brand_lines=(0, 1, 0, 1)),
    P("kopontren-sidogiri", "Kopontren Sidogiri", KK, "35.14", "Sidogiri",
      "Jl. Raya Sidogiri, Desa Sidogiri, Kec. Kraton",
      "Kopontren Sidogiri berawal dari toko kebutuhan santri dan kini mengolah hasil bumi warga sekitar pesantren.",
      ("kopi-robusta", "madu", "minuman-serbuk", "beras", "sambal"), ("Sidogiri Berkah", "Santri Sidogiri"),
      "SDG", (20, 100, 60), "Pondok Pesantren Sidogiri", "Kopontren Sidogiri", bpom_md=True,
      brand_lines=(1, 0, 1, 0, 1)),
    P("unit-usaha-pesantren-tebuireng", "Unit Usaha Pesantren Tebuireng", PK, "35.17", "Tebuireng",
      "Jl. Irian Jaya No. 10, Desa Cukir, Kec. Diwek",
      "Unit usaha ini menjahit busana santri dan menyangrai kopi di lingkungan Pesantren Tebuireng.",
      ("koko", "peci", "kopi-robusta", "keripik-singkong"), ("Tebuireng Store", "Kopi Tebuireng"),
      "TBR", (30, 60, 120), "Pondok Pesantren Tebuireng",
      brand_lines=(0, 0, 1, 0)),
    P("kopontren-darul-ulum-rejoso", "Kopontren Darul Ulum", KK, "35.17", "Peterongan",
      "Jl. Rejoso, Desa Rejoso, Kec. Peterongan",
      "Kopontren Darul Ulum menampung hasil sawah wali santri di Peterongan dan mengolahnya menjadi beras kemasan.",
      ("beras", "keripik-tempe", "sabun", "jilbab"), ("Rejoso Berkah",),
      "DUL", (40, 110, 70), "Pondok Pesantren Darul Ulum Rejoso", "Kopontren Darul Ulum"),
    P("kopontren-lirboyo", "Kopontren Lirboyo", KK, "35.71", "Kediri",
      "Jl. KH. Abdul Karim, Kel. Lirboyo, Kec. Mojoroto",
      "Kopontren Lirboyo dikenal dengan sarung dan peci santri, serta camilan tahu khas Kediri.",
      ("sarung", "peci", "camilan", "minuman-serbuk"), ("Lirboyo Mart", "Sarung Santri Lirboyo"),
      "LRB", (20, 80, 50), "Pondok Pesantren Lirboyo", "Kopontren Lirboyo",
      signatures=(("camilan", "Stik Tahu Kuning Kediri"), ("camilan", "Keripik Tahu Takwa Kediri")),
      brand_lines=(1, 1, 0, 0)),
    P("kopontren-darussalam-gontor", "Kopontren Darussalam Gontor", KK, "35.02", "Gontor",
      "Jl. Raya Ponorogo–Pacitan, Desa Gontor, Kec. Mlarak",
      "Koperasi ini dikelola guru dan santri senior sebagai bagian dari pendidikan kemandirian ekonomi pondok.",
      ("sabun", "perawatan-kulit", "madu", "koko", "minyak-herbal"), ("Darussalam Herbal", "Gontor Santri Wear"),
      "GTR", (30, 90, 60), "Pondok Modern Darussalam Gontor", "Koperasi Pondok Modern Darussalam Gontor",
      bpom_md=True,
      brand_lines=(0, 0, 0, 1, 0)),
    P("unit-usaha-nurul-jadid", "Unit Usaha Nurul Jadid", PK, "35.13", "Argopuro",
      "Jl. KH. Zaini Mun'im, Desa Karanganyar, Kec. Paiton",
      "Unit usaha Pesantren Nurul Jadid membina petani kopi di lereng Argopuro dan peternak lebah di Paiton.",
      ("kopi-arabika", "kopi-robusta", "madu", "sabun"), ("Nurja Kopi", "Nurja Herbal"),
      "NJD", (30, 70, 110), "Pondok Pesantren Nurul Jadid",
      brand_lines=(0, 0, 1, 1)),
    P("kopontren-salafiyah-syafiiyah", "Kopontren Salafiyah Syafi'iyah", KK, "35.12", "Situbondo",
      "Jl. KHR. As'ad Syamsul Arifin, Desa Sumberejo, Kec. Banyuputih",
      "Kopontren ini mengelola penggilingan padi dan gudang hasil bumi untuk ribuan santri Sukorejo.",
      ("beras", "beras-grosir", "kopi-robusta", "camilan", "rempah"), ("Sukorejo Makmur",),
      "SSS", (20, 90, 80), "Pondok Pesantren Salafiyah Syafi'iyah Sukorejo",
      "Kopontren Salafiyah Syafi'iyah Sukorejo",
      signatures=(("camilan", "Kerupuk Ikan Tengiri Situbondo"),)),
    P("kopontren-al-amien-prenduan", "Kopontren Al-Amien Prenduan", KK, "35.29", "Sumenep",
      "Jl. Raya Prenduan, Desa Pragaan Laok, Kec. Pragaan",
      "Kopontren Al-Amien memasarkan batik dan jamu buatan perempuan pesisir Prenduan.",
      ("batik-madura", "jamu", "rempah", "perawatan-kulit"), ("Al-Amien Herbal", "Batik Prenduan"),
      "AMN", (100, 40, 60), "Pondok Pesantren Al-Amien Prenduan", "Kopontren Al-Amien",
      brand_lines=(1, 0, 0, 0)),
    P("agro-amanatul-ummah", "Agro Amanatul Ummah", PK, "35.16", "Pacet",
      "Jl. Tirtowening, Desa Kembangbelor, Kec. Pacet",
      "Kebun dan sawah pesantren di lereng Welirang menjadi kelas praktik pertanian organik bagi santri.",
      ("beras", "bibit", "madu", "minuman-serbuk"), ("Agro Pacet Santri",),
      "AMU", (60, 120, 40), "Pondok Pesantren Amanatul Ummah"),
    P("kopontren-tremas", "Kopontren Tremas", KK, "35.01", "Pacitan",
      "Jl. KH. Dimyathi, Desa Tremas, Kec. Arjosari",
      "Kopontren Tremas memasarkan cengkeh dan batik dari desa-desa sekitar pondok di Arjosari.",
      ("batik-tulis", "rempah", "keripik-singkong", "jilbab"), ("Tremas Berkah",),
      "TRM", (70, 60, 110), "Perguruan Islam Pondok Tremas", "Kopontren Tremas",
      signatures=(("batik-tulis", "Batik Tulis Pacitan Motif Kembang Cengkeh"), ("rempah", "Cengkeh Kering Pacitan"))),
    P("sari-alen-trenggalek", "Sari Alen Trenggalek", UK, "35.03", "Trenggalek",
      "Jl. Panglima Sudirman No. 41, Kec. Trenggalek",
      "Sari Alen membuat alen-alen, camilan singkong berbentuk cincin khas Trenggalek, sejak 1998.",
      ("camilan", "keripik-tempe", "keripik-pisang", "kopi-robusta"), ("Sari Alen", "Dilem Wilis"),
      "SAT", (180, 90, 30), "Pondok Pesantren Babul Ulum",
      signatures=(("camilan", "Alen-Alen Trenggalek Original"), ("camilan", "Alen-Alen Trenggalek Pedas")),
      brand_lines=(0, 0, 0, 1)),
    P("batik-kalangbret-sekar-arum", "Batik Kalangbret Sekar Arum", UK, "35.04", "Tulungagung",
      "Desa Kalangbret, Kec. Kauman",
      "Sekar Arum meneruskan tradisi batik tulis Kalangbret dengan pewarna alam dari kulit mahoni dan tingi.",
      ("batik-tulis", "kemeja-batik", "jilbab"), ("Sekar Arum Batik",),
      "SAR", (130, 70, 40),
      signatures=(("batik-tulis", "Batik Tulis Kalangbret Motif Sekar Jagad"),)),
    P("kopontren-al-kamal", "Kopontren Al-Kamal", KK, "35.05", "Blitar",
      "Jl. Raya Kunir, Desa Kunir, Kec. Wonodadi",
      "Kopontren Al-Kamal menampung kopi rakyat dan susu kambing etawa dari peternak di sekitar Wonodadi.",
      ("kopi-robusta", "susu-etawa", "madu", "bumbu"), ("Al-Kamal", "Etawa Kunir"),
      "AKM", (50, 90, 40), "Pondok Pesantren Al-Kamal", "Kopontren Al-Kamal",
      brand_lines=(0, 1, 0, 0)),
    P("kopontren-al-falah-ploso", "Kopontren Al-Falah Ploso", KK, "35.06", "Ploso",
      "Desa Ploso, Kec. Mojo",
      "Kopontren Al-Falah mengolah singkong dan padi dari lahan wakaf pesantren di tepi Sungai Brantas.",
      ("beras", "keripik-singkong", "sabun", "minyak-herbal"), ("Ploso Barokah",),
      "AFP", (40, 80, 100), "Pondok Pesantren Al-Falah Ploso", "Kopontren Al-Falah Ploso"),
    P("kopi-santri-dampit", "Kopi Santri Dampit", UK, "35.07", "Dampit",
      "Jl. Raya Dampit No. 12, Kec. Dampit",
      "Kopi Santri Dampit membeli biji petik merah langsung dari petani robusta di lereng Semeru selatan.",
      ("kopi-robusta", "kopi-greenbean", "kopi-drip", "bibit"), ("Kopi Santri Dampit", "Dampit Roastery"),
      "KSD", (90, 50, 30), "Pondok Pesantren Miftahul Ulum Dampit",
      brand_lines=(0, 0, 1, 0)),
    P("sanggar-topeng-panji", "Sanggar Topeng Panji", UK, "35.07", "Malang",
      "Dusun Kedungmonggo, Desa Karangpandan, Kec. Pakisaji",
      "Sanggar ini menjaga seni topeng Malangan dan membuka kelas ukir untuk santri dan pemuda desa.",
      ("topeng", "kayu", "bambu"), ("Sanggar Panji",),
      "SPJ", (140, 40, 40)),
    P("pisang-agung-senduro", "Pisang Agung Senduro", UK, "35.08", "Lumajang",
      "Jl. Raya Senduro, Kec. Senduro",
      "Usaha keluarga ini mengolah pisang agung, buah raksasa khas Senduro, dan susu kambing etawa tetangga.",
      ("keripik-pisang", "madu", "kopi-robusta", "susu-etawa"), ("Agung Senduro", "Etawa Senduro"),
      "PAS", (200, 150, 30), "Pondok Pesantren Nurul Huda Senduro",
      signatures=(("keripik-pisang", "Keripik Pisang Agung Lumajang"), ("madu", "Madu Hutan Semeru"),
                  ("kopi-robusta", "Kopi Robusta Senduro")),
      brand_lines=(0, 0, 0, 1)),
    P("kopontren-al-qodiri", "Kopontren Al-Qodiri", KK, "35.09", "Jember",
      "Jl. Manggar No. 139, Kel. Gebang Poreng, Kec. Patrang",
      "Kopontren Al-Qodiri memasarkan suwar-suwir, kopi, dan batik labako hasil binaan pesantren di Jember.",
      ("camilan", "kopi-arabika", "minuman-serbuk", "batik-tulis"), ("Al-Qodiri Food", "Labako Santri"),
      "AQD", (30, 100, 90), "Pondok Pesantren Al-Qodiri", "Kopontren Al-Qodiri",
      signatures=(("camilan", "Suwar-Suwir Jember Aneka Rasa"), ("camilan", "Edamame Goreng Jember"),
                  ("batik-tulis", "Batik Labako Jember Motif Daun Tembakau")),
      brand_lines=(0, 0, 0, 1)),
    P("nuris-herbal", "Nuris Herbal", PK, "35.09", "Jember",
      "Jl. Pangandaran No. 48, Kel. Antirogo, Kec. Sumbersari",
      "Nuris Herbal adalah laboratorium jamu santri yang menanam sendiri kunyit, temulawak, dan sereh.",
      ("jamu", "minyak-herbal", "sabun"), ("Nuris Herbal",),
      "NRS", (40, 120, 60), "Pondok Pesantren Nurul Islam (Nuris) Jember"),
    P("kopontren-darussalam-blokagung", "Kopontren Darussalam Blokagung", KK, "35.10", "Banyuwangi",
      "Jl. KH. Mukhtar Syafaat, Dusun Blokagung, Desa Karangdoro, Kec. Tegalsari",
      "Kopontren Blokagung menghubungkan petani kopi Kalibendo dan pembatik Gajah Oling dengan pembeli di luar kota.",
      ("kopi-arabika", "batik-tulis", "keripik-pisang", "rempah"), ("Blokagung Berkah", "Gajah Oling Santri"),
      "DBA", (20, 70, 100), "Pondok Pesantren Darussalam Blokagung", "Kopontren Darussalam Blokagung",
      signatures=(("kopi-arabika", "Kopi Arabika Kalibendo Ijen"),
                  ("batik-tulis", "Batik Tulis Gajah Oling Banyuwangi"),
                  ("keripik-pisang", "Sale Pisang Banyuwangi")),
      brand_lines=(0, 1, 0, 0)),
    P("bambu-gintangan-lestari", "Bambu Gintangan Lestari", UK, "35.10", "Gintangan",
      "Desa Gintangan, Kec. Blimbingsari",
      "Desa Gintangan dikenal sebagai kampung anyaman bambu; kelompok ini beranggotakan tiga puluh pengrajin.",
      ("bambu", "bambu-rumah", "anyaman"), ("Gintangan Craft",),
      "BGL", (150, 110, 50)),
    P("kopi-sumberwringin", "Kopi Sumberwringin", UK, "35.11", "Ijen Raung",
      "Desa Sumberwringin, Kec. Sumberwringin",
      "Kelompok tani kopi ini mengolah arabika dataran tinggi Ijen-Raung di unit pengolahan hasil milik bersama.",
      ("kopi-arabika", "kopi-greenbean", "kopi-drip", "camilan"), ("Raung Santri", "Kopi Sumberwringin"),
      "KIR", (60, 40, 30), "Pondok Pesantren Nurul Falah Sumberwringin",
      signatures=(("camilan", "Keripik Tape Bondowoso"),),
      brand_lines=(1, 1, 1, 0)),
    P("bordir-bangil-santri", "Bordir Bangil Santri", UK, "35.14", "Bangil",
      "Jl. Gajah Mada No. 27, Kec. Bangil",
      "Bangil sudah lama dikenal sebagai kota bordir; usaha ini mempekerjakan alumni santriwati sebagai penjahit.",
      ("koko", "gamis", "jilbab"), ("Bordir Bangil Santri",),
      "BBS", (110, 50, 90), "Pondok Pesantren Persis Bangil"),
    P("batik-jetis-lestari", "Batik Jetis Lestari", UK, "35.15", "Sidoarjo",
      "Kampung Batik Jetis, Kel. Lemahputro, Kec. Sidoarjo",
      "Batik Jetis Lestari adalah generasi ketiga pembatik di Kampung Jetis, Sidoarjo.",
      ("batik-tulis", "kemeja-batik", "jilbab"), ("Jetis Lestari",),
      "BJL", (150, 60, 30),
      signatures=(("batik-tulis", "Batik Tulis Jetis Motif Kembang Tebu"),)),
    P("kopontren-al-khoziny", "Kopontren Al-Khoziny", KK, "35.15", "Buduran",
      "Jl. KH. Abbas Khozin, Desa Siwalanpanji, Kec. Buduran",
      "Kopontren Al-Khoziny mengolah hasil tambak Sidoarjo menjadi kerupuk dan petis.",
      ("camilan", "bumbu", "sambal"), ("Khoziny Food",),
      "AKZ", (30, 90, 120), "Pondok Pesantren Al-Khoziny", "Kopontren Al-Khoziny",
      signatures=(("camilan", "Kerupuk Udang Sidoarjo"), ("camilan", "Kerupuk Bandeng Sidoarjo"),
                  ("bumbu", "Petis Udang Sidoarjo"))),
    P("kopontren-miftahul-huda-nganjuk", "Kopontren Miftahul Huda", KK, "35.18", "Nganjuk",
      "Jl. Raya Kertosono No. 88, Kec. Bagor",
      "Kopontren ini membeli bawang merah dari petani Bagor saat panen raya agar harga tidak jatuh.",
      ("bumbu", "sambal", "rempah", "bibit"), ("Bawang Santri",),
      "MHN", (130, 40, 60), "Pondok Pesantren Miftahul Huda Bagor", "Kopontren Miftahul Huda",
      signatures=(("bumbu", "Bawang Goreng Nganjuk"),)),
    P("brem-kaliabu-santri", "Brem Kaliabu Santri", UK, "35.19", "Madiun",
      "Desa Kaliabu, Kec. Mejayan",
      "Kaliabu adalah sentra brem Madiun; usaha ini mengolah ketan menjadi brem padat dengan fermentasi alami.",
      ("camilan", "bumbu", "keripik-tempe", "bibit"), ("Brem Kaliabu",),
      "BKS", (170, 120, 60),
      signatures=(("camilan", "Brem Madiun Kaliabu Original"), ("camilan", "Brem Madiun Rasa Durian"),
                  ("bumbu", "Sambal Pecel Madiun"), ("bibit", "Bibit Porang Katak"))),
    P("kopontren-al-fatah-temboro", "Kopontren Al-Fatah Temboro", KK, "35.20", "Temboro",
      "Desa Temboro, Kec. Karas",
      "Kopontren Al-Fatah dikenal dengan produk herbal sunah dan busana muslim yang dijahit di kampung Temboro.",
      ("minyak-herbal", "madu", "gamis", "sabun"), ("Temboro Herbal", "Busana Temboro"),
      "AFT", (60, 40, 90), "Pondok Pesantren Al-Fatah Temboro", "Kopontren Al-Fatah Temboro",
      brand_lines=(0, 0, 1, 0)),
    P("lumbung-tani-ngawi", "Lumbung Tani Ngawi", UK, "35.21", "Ngawi",
      "Jl. Raya Solo–Ngawi Km 5, Kec. Paron",
      "Lumbung Tani Ngawi mengumpulkan gabah organik dari empat kelompok tani di sepanjang Bengawan Solo.",
      ("beras", "beras-grosir", "rempah", "keripik-tempe"), ("Lumbung Ngawi",),
      "LTN", (90, 120, 40)),
    P("jati-santri-bojonegoro", "Jati Santri Bojonegoro", UK, "35.22", "Bojonegoro",
      "Jl. Veteran No. 52, Kec. Bojonegoro",
      "Jati Santri memanfaatkan potongan kayu jati sisa industri mebel menjadi perlengkapan rumah dan mengaji.",
      ("kayu", "batik-tulis", "bambu-rumah"), ("Jati Santri",),
      "JSB", (120, 70, 30), "Pondok Pesantren Attanwir Talun",
      signatures=(("batik-tulis", "Batik Jonegoroan Motif Sekar Jati"),)),
    P("kopontren-langitan", "Kopontren Langitan", KK, "35.23", "Tuban",
      "Desa Widang, Kec. Widang",
      "Kopontren Langitan memasarkan batik gedog dan anyaman pandan karya warga pesisir Tuban.",
      ("batik-tulis", "anyaman", "madu", "sarung"), ("Langitan Berkah",),
      "LGT", (40, 80, 60), "Pondok Pesantren Langitan", "Kopontren Langitan",
      signatures=(("batik-tulis", "Batik Gedog Tuban Tenun Tangan"),)),
    P("kopontren-sunan-drajat", "Kopontren Sunan Drajat", KK, "35.24", "Paciran",
      "Jl. Raya Banjaranyar, Desa Banjarwati, Kec. Paciran",
      "Kopontren Sunan Drajat termasuk koperasi pesantren terbesar di pantura Lamongan, dengan pabrik pengolahan "
      "sendiri.",
      ("madu", "minyak-herbal", "camilan", "minuman-serbuk"), ("Sunan Drajat Herbal", "Drajat Food"),
      "SDJ", (20, 110, 100), "Pondok Pesantren Sunan Drajat", "Kopontren Sunan Drajat",
      signatures=(("camilan", "Wingko Babat Lamongan"),), bpom_md=True,
      brand_lines=(1, 0, 1, 1)),
    P("kopontren-qomaruddin", "Kopontren Qomaruddin", KK, "35.25", "Gresik",
      "Jl. KH. Sholeh Tsani, Desa Sampurnan, Kec. Bungah",
      "Kopontren Qomaruddin menampung sarung tenun dan songkok dari perajin rumahan di Bungah.",
      ("sarung", "peci", "camilan", "koko"), ("Qomaruddin Tenun",),
      "QMR", (90, 30, 40), "Pondok Pesantren Qomaruddin", "Kopontren Qomaruddin",
      signatures=(("sarung", "Sarung Tenun Ikat Gresik Motif Wajik"), ("peci", "Songkok Gresik Beludru Hitam"),
                  ("camilan", "Pudak Gresik"))),
    P("batik-gentongan-paseseh", "Batik Gentongan Paseseh", UK, "35.26", "Tanjung Bumi",
      "Desa Paseseh, Kec. Tanjung Bumi",
      "Para pembatik Paseseh merendam kainnya berbulan-bulan di dalam gentong, warisan cara nenek moyang mereka.",
      ("batik-madura", "kemeja-batik", "jilbab"), ("Gentongan Paseseh",),
      "BGT", (140, 30, 30), "Pondok Pesantren Syaichona Cholil"),
    P("jamu-madura-sekar-ayu", "Jamu Madura Sekar Ayu", UK, "35.27", "Sampang",
      "Jl. Trunojoyo No. 77, Kec. Sampang",
      "Sekar Ayu meracik jamu dan lulur Madura dari resep keluarga yang dicatat sejak tiga generasi.",
      ("jamu", "perawatan-kulit", "rempah", "minyak-herbal"), ("Sekar Ayu", "Sekar Ayu Herbal"),
      "JSA", (160, 60, 100), "Pondok Pesantren Nazhatut Thullab",
      brand_lines=(1, 0, 0, 1)),
    P("kopontren-banyuanyar", "Kopontren Banyuanyar", KK, "35.28", "Pamekasan",
      "Desa Potoan Daya, Kec. Palengaan",
      "Kopontren Banyuanyar mengumpulkan batik, rempah, dan rengginang dari desa-desa di Palengaan.",
      ("batik-madura", "rempah", "jamu", "camilan"), ("Banyuanyar Mandiri",),
      "BYN", (30, 100, 50), "Pondok Pesantren Darul Ulum Banyuanyar", "Kopontren Banyuanyar",
      signatures=(("camilan", "Rengginang Lorjuk Madura"),)),
    P("pecel-sekar-wangi-blitar", "Pecel Sekar Wangi", UK, "35.72", "Blitar",
      "Jl. Kalimantan No. 15, Kec. Sananwetan",
      "Sekar Wangi menggiling sambal pecel dari kacang tanah sangrai dan daun jeruk, resep warung nenek sejak 1975.",
      ("bumbu", "sambal", "keripik-singkong", "camilan"), ("Sekar Wangi",),
      "PSW", (150, 80, 30),
      signatures=(("bumbu", "Sambal Pecel Blitar Pedas Sedang"), ("bumbu", "Sambal Pecel Blitar Super Pedas"),
                  ("camilan", "Wajik Kletik Blitar"))),
    P("keripik-tempe-sanan-barokah", "Keripik Tempe Sanan Barokah", UK, "35.73", "Sanan",
      "Sentra Keripik Tempe Sanan, Kel. Purwantoro, Kec. Blimbing",
      "Usaha ini lahir di gang-gang Sanan, kampung tempe di Kota Malang, dan kini memproduksi dua kuintal sehari.",
      ("keripik-tempe", "keripik-singkong", "camilan", "keripik-pisang"), ("Sanan Barokah", "Tempe Mas Sanan"),
      "TSB", (200, 120, 40), "Pondok Pesantren Bahrul Maghfiroh",
      brand_lines=(1, 0, 0, 0)),
    P("kopontren-bahrul-maghfiroh", "Kopontren Bahrul Maghfiroh", KK, "35.73", "Arjuno",
      "Jl. Joyo Agung No. 2, Kel. Merjosari, Kec. Lowokwaru",
      "Kopontren Bahrul Maghfiroh menjual kopi lereng Arjuno dan produk perawatan buatan santri.",
      ("kopi-arabika", "madu", "sabun", "jilbab"), ("Bahrul Maghfiroh",),
      "BMF", (40, 60, 120), "Pondok Pesantren Bahrul Maghfiroh", "Kopontren Bahrul Maghfiroh"),
    P("olahan-mangga-bayuangga", "Olahan Mangga Bayuangga", UK, "35.74", "Probolinggo",
      "Jl. Soekarno Hatta No. 120, Kec. Mayangan",
      "Bayuangga mengolah mangga manalagi dan bawang merah, dua hasil bumi kebanggaan Probolinggo.",
      ("minuman-serbuk", "camilan", "bumbu", "sambal"), ("Bayuangga Food",),
      "OMB", (230, 150, 30),
      signatures=(("minuman-serbuk", "Sari Mangga Instan Probolinggo"), ("camilan", "Dodol Mangga Probolinggo"),
                  ("camilan", "Manisan Mangga Probolinggo"), ("bumbu", "Bawang Goreng Probolinggo"))),
    P("kopontren-salafiyah-pasuruan", "Kopontren Salafiyah Pasuruan", KK, "35.75", "Pasuruan",
      "Jl. KH. Abdul Hamid No. 35, Kel. Kebonsari, Kec. Panggungrejo",
      "Kopontren ini melayani peziarah dan wali santri dengan minuman rempah dan sabun herbal buatan sendiri.",
      ("minuman-serbuk", "sabun", "rempah", "peci"), ("Salafiyah Berkah",),
      "SLF", (20, 80, 60), "Pondok Pesantren Salafiyah Pasuruan", "Kopontren Salafiyah Pasuruan"),
    P("anyaman-majapahit", "Anyaman Majapahit", UK, "35.76", "Mojokerto",
      "Jl. Empunala No. 101, Kec. Magersari",
      "Anyaman Majapahit mengajak ibu-ibu kampung menganyam pandan dan eceng gondok dari waduk sekitar Mojokerto.",
      ("anyaman", "bambu-rumah", "kayu"), ("Majapahit Craft",),
      "AMJ", (160, 90, 40)),
    P("batik-pecelan-madiun", "Batik Pecelan Madiun", UK, "35.77", "Madiun",
      "Jl. Pahlawan No. 63, Kec. Taman",
      "Batik Pecelan mengangkat motif daun dan kembang pecel, makanan kebanggaan Kota Madiun.",
      ("batik-tulis", "kemeja-batik", "gamis"), ("Batik Pecelan",),
      "BPM", (100, 60, 30),
      signatures=(("batik-tulis", "Batik Tulis Madiun Motif Pecelan"),)),
    P("kebun-santri-bumiaji", "Kebun Santri Bumiaji", UK, "35.79", "Batu",
      "Jl. Raya Bumiaji No. 9, Kec. Bumiaji",
      "Kebun Santri Bumiaji membibitkan jeruk dan apel di lereng Arjuno, dan mengolah apel afkir menjadi camilan.",
      ("bibit", "camilan", "minuman-serbuk", "susu-etawa"), ("Bumiaji Fresh",),
      "KSB", (60, 130, 60), "Pondok Pesantren Ar-Rahmah Batu",
      signatures=(("bibit", "Bibit Apel Manalagi Batu"), ("bibit", "Bibit Jeruk Keprok Batu 55"),
                  ("camilan", "Keripik Apel Batu"), ("minuman-serbuk", "Sari Apel Instan Batu"))),
    P("kopontren-al-fithrah", "Kopontren Al-Fithrah", KK, "35.78", "Surabaya",
      "Jl. Kedinding Lor No. 99, Kec. Kenjeran",
      "Kopontren Al-Fithrah mengolah sambal dan bumbu khas Surabaya di dapur produksi pesantren.",
      ("sambal", "bumbu", "minuman-serbuk", "koko"), ("Al-Fithrah Mart",),
      "AFR", (30, 70, 50), "Pondok Pesantren Assalafi Al Fithrah", "Kopontren Al-Fithrah",
      signatures=(("bumbu", "Bumbu Rujak Cingur Surabaya"),)),
    # Waiting for the curators: their products are published but the shop is not yet
    # verified, so nothing of theirs may show in public.
    P("madu-klanceng-pacitan", "Madu Klanceng Pacitan", UK, "35.01", "Pacitan",
      "Desa Klepu, Kec. Donorojo",
      "Usaha rintisan ini memanen madu klanceng dari stup kayu di pekarangan rumah warga Donorojo.",
      ("madu",), ("Klanceng Donorojo",),
      "MKP", (200, 140, 30), verified=False),
    P("sabun-herbal-sekar-kenanga", "Sabun Herbal Sekar Kenanga", UK, "35.24", "Lamongan",
      "Jl. Sunan Giri No. 21, Kec. Lamongan",
      "Sekar Kenanga baru mendaftar ke program dan masih menunggu verifikasi dokumen.",
      ("sabun",), ("Sekar Kenanga",),
      "SSK", (120, 100, 150), verified=False),
)


# --- the plan ------------------------------------------------------------------------


@dataclass
class CertPlan:
    key: str  # unique within the producer; products refer to it
    type: CertType
    number: str
    issuer: str
    issued_on: date | None
    expires_on: date | None
    halal_scheme: HalalScheme | None = None
    verified: bool = True


@dataclass
class VariantPlan:
    sku: str
    option1: str | None
    option2: str | None
    price: int
    stock: int
    weight_grams: int
    min_order_qty: int
    position: int
    tiers: list[tuple[int, int]] = field(default_factory=list)  # (min_qty, unit_price)


@dataclass
class ImagePlan:
    motif: str
    style: str
    props: str
    palette: str  # root category slug
    colour: RGB
    title: str
    brand: str
    tagline: str
    view: int
    seed: int
    alt: str


@dataclass
class EventPlan:
    from_status: ProductStatus | None
    to_status: ProductStatus
    age_days: float
    note: str = ""


@dataclass
class ProductPlan:
    slug: str
    name: str
    template: str
    category: str
    brand: str
    description: str
    claims_halal: bool
    option1_name: str | None
    option2_name: str | None
    variants: list[VariantPlan]
    images: list[ImagePlan]
    cert_keys: list[str]
    status: ProductStatus
    events: list[EventPlan]
    created_age_days: float
    published_age_days: float | None


@dataclass
class ProducerPlan:
    spec: ProducerSpec
    nib: str
    address: str
    description: str
    brands: list[tuple[str, str | None]]  # (name, DJKI number)
    certs: list[CertPlan]
    products: list[ProductPlan]
    joined_age_days: float

    @property
    def slug(self) -> str:
        return self.spec.slug


@dataclass
class DemoPlan:
    categories: tuple[CategorySpec, ...]
    producers: list[ProducerPlan]

    def products(self) -> list[ProductPlan]:
        return [p for producer in self.producers for p in producer.products]


# --- pure helpers -------------------------------------------------------------------


def round_price(value: float) -> int:
    """Shop prices end in 500 below Rp 100.000 and in 1.000 above."""
    step = 500 if value < 100_000 else 1000
    return max(step, math.floor(value / step + 0.5) * step)


def wholesale_tiers(price: int, min_order_qty: int) -> list[tuple[int, int]]:
    """Harga grosir: -5% from 10 units (or twice the minimum order), -10% from 50.

    Tiers whose rounded price would not drop are left out, so unit prices always fall."""
    tiers: list[tuple[int, int]] = []
    last = price
    for qty, discount in ((max(10, 2 * min_order_qty), 0.05), (max(50, 5 * min_order_qty), 0.10)):
        unit = (int(price * (1 - discount)) // 500) * 500
        if 0 < unit < last:
            tiers.append((qty, unit))
            last = unit
    return tiers


def sku_part(value: str) -> str:
    """A short code for an option value: "250 g" -> "250G", "Botol 150 g" -> "B150G",
    "No. 7" -> "N7", "Hijau Lumut" -> "HL", "Putih" -> "PUT"."""
    words = [w for w in slugify(value).split("-") if w]
    numbered = [i for i, w in enumerate(words) if any(ch.isdigit() for ch in w)]
    if numbered:
        i = numbered[0]
        unit = words[i + 1][:3] if i + 1 < len(words) else ""
        return ("".join(w[0] for w in words[:i]) + words[i] + unit).upper()
    if len(words) > 1:
        return "".join(w[0] for w in words).upper()[:4]
    return words[0][:3].upper() if words else "X"


def region_names() -> dict[str, str]:
    """Kemendagri code -> "Kab. Malang" / "Kota Malang" for Jawa Timur."""
    return {r["code"]: region_label(r["kind"], r["name"]) for r in jatim_regencies()}


def _join_list(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " dan " + items[-1]


_KIND_PRODUCT_SENTENCES = {
    ProducerKind.PESANTREN: (
        "Diproduksi oleh santri {pesantren} sebagai bagian dari pembelajaran kewirausahaan.",
        "Dibuat di unit usaha {pesantren} dengan melibatkan santri dan warga sekitar.",
    ),
    ProducerKind.KOPONTREN: (
        "Diproduksi dan dipasarkan oleh {koperasi}, koperasi milik keluarga besar {pesantren}.",
        "Dikemas oleh {koperasi}; sebagian hasil penjualannya kembali untuk kegiatan pesantren.",
    ),
    ProducerKind.UMKM: (
        "Dibuat oleh {producer}, usaha rumahan di {region}.",
        "Diproduksi {producer} di {region} dengan tenaga kerja dari warga sekitar.",
    ),
}
_UMKM_BINAAN = "Dibuat oleh {producer}, UMKM binaan {pesantren} di {region}."

_ROOT_CLOSINGS = {
    "fesyen-batik": ("Setiap pesanan dikemas dalam plastik kedap air dan kardus agar tetap rapi.",
                     "Warna pada foto bisa sedikit berbeda karena pencahayaan."),
    "makanan-minuman": ("Tanggal kedaluwarsa tercetak pada kemasan.",
                        "Pesanan dikirim di hari yang sama bila masuk sebelum pukul 14.00 WIB."),
    "kerajinan": ("Dikemas dengan kardus dan bubble wrap berlapis agar aman dalam pengiriman.",
                  "Bisa dipesan dalam jumlah banyak untuk suvenir acara."),
    "herbal-kesehatan": ("Simpan di tempat kering dan terhindar dari sinar matahari langsung.",
                         "Konsultasikan dengan dokter bila sedang hamil atau menyusui."),
    "kosmetik": ("Hanya untuk pemakaian luar.",
                 "Hentikan pemakaian bila timbul kemerahan atau gatal."),
    "pertanian-perkebunan": ("Dipanen dan dikemas langsung oleh kelompok tani binaan pesantren.",
                             "Harga mengikuti musim panen dan bisa berubah sewaktu-waktu."),
}

_CATEGORY_PHRASE = {
    "ecoprint": "kain dan busana ecoprint", "batik-tulis": "batik tulis", "busana-muslim": "busana muslim",
    "kopi": "kopi", "camilan": "camilan khas daerah", "madu": "madu", "sambal-bumbu": "sambal dan bumbu",
    "minuman-serbuk": "minuman serbuk", "kerajinan-bambu": "kerajinan bambu", "kerajinan-kayu": "kerajinan kayu",
    "anyaman": "anyaman", "jamu": "jamu", "minyak-herbal": "minyak herbal", "sabun": "sabun herbal",
    "perawatan-kulit": "perawatan kulit", "beras": "beras", "rempah": "rempah", "bibit": "bibit tanaman",
}


def _fill(text: str, **values: str) -> str:
    return text.format(**values)


def _product_description(rng: random.Random, tpl: ProductTemplate, spec: ProducerSpec, name: str,
                         region: str, root: str) -> str:
    values = {"name": name, "place": spec.place, "region": region, "producer": spec.name,
              "pesantren": spec.pesantren or "", "koperasi": spec.koperasi or spec.name}
    sentences = [_fill(rng.choice(tpl.intro), **values)]
    if spec.kind is ProducerKind.UMKM and spec.pesantren:
        sentences.append(_fill(_UMKM_BINAAN, **values))
    else:
        sentences.append(_fill(rng.choice(_KIND_PRODUCT_SENTENCES[spec.kind]), **values))
    extra = rng.randint(0, 2)
    pool = list(tpl.detail)
    rng.shuffle(pool)
    sentences.extend(_fill(s, **values) for s in pool[:extra])
    if extra < 2 and rng.random() < 0.35:
        sentences.append(rng.choice(_ROOT_CLOSINGS[root]))
    return " ".join(sentences[:4])


def _producer_description(rng: random.Random, spec: ProducerSpec, region: str) -> str:
    sentences = [spec.about]
    if spec.kind is ProducerKind.PESANTREN:
        sentences.append(f"Unit usaha ini dikelola langsung oleh pengurus dan santri {spec.pesantren}.")
    elif spec.kind is ProducerKind.KOPONTREN:
        sentences.append(f"{spec.koperasi} melayani kebutuhan santri dan wali santri sekaligus memasarkan "
                         f"produk warga di sekitar pesantren.")
    elif spec.pesantren:
        sentences.append(f"Sebagai UMKM binaan {spec.pesantren}, usaha ini ikut program One Pesantren One "
                         f"Product (OPOP) Jawa Timur.")
    else:
        sentences.append(f"Usaha di {region} ini tergabung dalam program One Pesantren One Product (OPOP) "
                         f"Jawa Timur sebagai mitra pesantren setempat.")
    phrases: list[str] = []
    for key in spec.lines:
        phrase = _CATEGORY_PHRASE[TEMPLATE_BY_KEY[key].category]
        if phrase not in phrases:
            phrases.append(phrase)
    if len(phrases) > 1 or rng.random() < 0.5:
        sentences.append(f"Produk unggulannya: {_join_list(phrases[:4])}.")
    return " ".join(sentences)


def _nib(rng: random.Random) -> str:
    return f"{rng.choice(('0220', '1212', '2702', '9120', '8120'))}{rng.randrange(10**9):09d}"


def _on(rng: random.Random, year: int) -> date:
    """A day in ``year``; the 28th at most, so any month works."""
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def _plus_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years)


# Halal certificates issued after PP 42/2024 took effect stay valid while the recipe is
# unchanged; older ones carry the four-year term.
HALAL_NO_EXPIRY_FROM = date(2024, 10, 17)


def _name_for(template: ProductTemplate, index: int, spec: ProducerSpec, brand: str) -> str:
    return template.names[index % len(template.names)].format(place=spec.place, brand=brand)


def _product_queue(spec: ProducerSpec, brands: Sequence[str]) -> list[tuple[str, str, int, str, int]]:
    """(template key, name, name index, brand, colour index) in the order a shop would
    list them: signatures first, then round-robin over its lines."""
    queue: list[tuple[str, str, int, str, int]] = []
    seen: set[str] = set()
    line_brand = {key: brands[spec.brand_lines[i] if spec.brand_lines else 0] for i, key in enumerate(spec.lines)}
    for key, name in spec.signatures:
        # A signature takes the price range and look of the template's first name.
        queue.append((key, name, 0, line_brand.get(key, brands[0]), len(queue)))
        seen.add(name)
    depth = max(len(TEMPLATE_BY_KEY[k].names) for k in spec.lines)
    for i in range(depth):
        for key in spec.lines:
            tpl = TEMPLATE_BY_KEY[key]
            if i >= len(tpl.names):
                continue
            name = _name_for(tpl, i, spec, line_brand[key])
            if name not in seen:
                seen.add(name)
                queue.append((key, name, i, line_brand[key], i))
    return queue


def build_plan(seed: int = DEMO_SEED, today: date | None = None) -> DemoPlan:
    """The whole demo catalogue, deterministic for a seed and a calendar year."""
    today = today or date.today()
    year = today.year
    rng = random.Random(seed)
    regions = region_names()
    root_of = category_root_of()
    used_slugs: set[str] = set()
    used_nibs: set[str] = set()
    producers: list[ProducerPlan] = []

    for spec in PRODUCERS:
        prng = random.Random(f"{seed}:{spec.slug}")
        region = regions[spec.region]
        nib = _nib(prng)
        while nib in used_nibs:
            nib = _nib(prng)
        used_nibs.add(nib)
        brands = [(b, f"IDM{prng.randint(100_000, 1_300_000):09d}" if prng.random() < 0.55 else None)
                  for b in spec.brands]
        queue = _product_queue(spec, spec.brands)
        count = 2 if not spec.verified else min(len(queue), prng.randint(7, 10))
        products: list[ProductPlan] = []
        for n, (key, name, name_index, brand, colour_index) in enumerate(queue[:count], start=1):
            tpl = TEMPLATE_BY_KEY[key]
            root = root_of[tpl.category]
            slug = slugify(name)
            if slug in used_slugs:
                slug = slugify(f"{name} {spec.place}")
            if slug in used_slugs:
                slug = f"{slugify(name)}-{spec.code.lower()}"
            used_slugs.add(slug)
            layout = SCHEMES[tpl.scheme](prng, tpl.weight)
            low, high = tpl.prices[name_index % len(tpl.prices)]
            base = prng.uniform(low, high)
            min_order = tpl.min_orders[name_index % len(tpl.min_orders)]
            lo_stock, hi_stock = tpl.stock_range
            variants: list[VariantPlan] = []
            sku_stem = f"{spec.code}-{tpl.sku}-{n:03d}"
            used_skus: set[str] = set()
            for pos, choice in enumerate(layout.choices):
                parts = [sku_part(v) for v in (choice.option1, choice.option2) if v]
                sku = "-".join([sku_stem, *parts]) if parts else sku_stem
                if sku in used_skus:
                    sku = f"{sku}-{pos + 1}"
                used_skus.add(sku)
                stock = 0 if prng.random() < 0.04 else prng.randint(lo_stock, hi_stock)
                variants.append(VariantPlan(sku, choice.option1, choice.option2,
                                            round_price(base * choice.price_factor), stock, choice.weight_grams,
                                            min_order, pos))
            # Harga grosir on about three products in ten, where stock allows bulk orders.
            if prng.random() < 0.36 and tpl.stock_range[1] >= 40:
                for v in variants:
                    v.tiers = wholesale_tiers(v.price, v.min_order_qty)
            motif, style = tpl.looks[name_index % len(tpl.looks)]
            colour = tpl.colours[colour_index % len(tpl.colours)]
            n_images = prng.choices((1, 2, 3), weights=(45, 40, 15))[0]
            images = [ImagePlan(motif, style, tpl.props, root, colour, name, brand, tpl.tagline, view,
                                prng.randrange(1 << 30),
                                name if view == 0 else f"{name} ({'tampak lain' if view == 1 else 'detail'})")
                      for view in range(n_images)]
            claims_halal = tpl.halal and prng.random() < 0.95
            products.append(ProductPlan(
                slug=slug, name=name, template=key, category=tpl.category, brand=brand,
                description=_product_description(prng, tpl, spec, name, region, root),
                claims_halal=claims_halal, option1_name=layout.option1_name, option2_name=layout.option2_name,
                variants=variants, images=images, cert_keys=[], status=ProductStatus.PUBLISHED, events=[],
                created_age_days=0.0, published_age_days=None))
        producers.append(ProducerPlan(spec, nib, f"{spec.street}, {region}, Jawa Timur",
                                      _producer_description(prng, spec, region), brands, [], products, 0.0))

    _plan_statuses(rng, producers)
    _plan_stock_outs(rng, producers)
    _plan_certificates(rng, producers, year, regions)
    return DemoPlan(CATEGORIES, producers)


_REJECT_NOTES = (
    "Foto kemasan belum menampilkan nomor P-IRT; mohon unggah foto label yang jelas.",
    "Nama produk mencantumkan klaim khasiat yang tidak boleh dipakai; mohon diperbaiki.",
    "Sertifikat halal yang dilampirkan milik usaha lain.",
)
_CHANGES_NOTES = (
    "Mohon lengkapi berat bersih setiap varian.",
    "Deskripsi perlu menyebutkan bahan utama dan cara penyimpanan.",
)


def _plan_statuses(rng: random.Random, producers: list[ProducerPlan]) -> None:
    """Published dates over eighteen months, and about one product in twenty kept out of
    public view (draft, submitted, sent back, rejected, archived), at most one per shop."""
    for producer in producers:
        for product in producer.products:
            published = rng.uniform(0.5, PUBLISHED_WINDOW_DAYS)
            created = published + rng.uniform(3.5, 21)
            product.created_age_days = created
            product.published_age_days = published
            product.events = [
                EventPlan(ProductStatus.DRAFT, ProductStatus.SUBMITTED, published + rng.uniform(0.2, 3)),
                EventPlan(ProductStatus.SUBMITTED, ProductStatus.PUBLISHED, published),
            ]
        joined = max(p.created_age_days for p in producer.products) + rng.uniform(10, 60)
        producer.joined_age_days = joined

    verified = [p for p in producers if p.spec.verified]
    hidden = (
        [ProductStatus.DRAFT] * 4 + [ProductStatus.SUBMITTED] * 5 + [ProductStatus.CHANGES_REQUESTED] * 2
        + [ProductStatus.REJECTED] * 3 + [ProductStatus.ARCHIVED] * 4
    )
    shops = rng.sample(verified, len(hidden))
    for status, shop in zip(hidden, shops, strict=True):
        # Never the shop's first product: the showcase item of each shop stays public.
        product = rng.choice(shop.products[1:])
        product.status = status
        created = product.created_age_days
        if status is ProductStatus.DRAFT:
            product.events = []
            product.published_age_days = None
        elif status is ProductStatus.SUBMITTED:
            product.events = [EventPlan(ProductStatus.DRAFT, ProductStatus.SUBMITTED, rng.uniform(0.2, 6))]
            product.created_age_days = product.events[0].age_days + rng.uniform(0.5, 5)
            product.published_age_days = None
        elif status in (ProductStatus.REJECTED, ProductStatus.CHANGES_REQUESTED):
            reviewed = rng.uniform(0.5, 40)
            submitted = reviewed + rng.uniform(0.5, 3)
            product.created_age_days = submitted + rng.uniform(0.5, 5)
            notes = _REJECT_NOTES if status is ProductStatus.REJECTED else _CHANGES_NOTES
            product.events = [EventPlan(ProductStatus.DRAFT, ProductStatus.SUBMITTED, submitted),
                              EventPlan(ProductStatus.SUBMITTED, status, reviewed, rng.choice(notes))]
            product.published_age_days = None
        else:  # archived after having been on sale
            published = product.published_age_days or 0.0
            product.events.append(EventPlan(ProductStatus.PUBLISHED, ProductStatus.ARCHIVED,
                                            published * rng.uniform(0.1, 0.8),
                                            "Produk tidak diproduksi lagi."))


def _plan_stock_outs(rng: random.Random, producers: list[ProducerPlan]) -> None:
    """A few public products sold out entirely (every variant at zero)."""
    candidates = [p for producer in producers if producer.spec.verified for p in producer.products
                  if p.status is ProductStatus.PUBLISHED]
    for product in rng.sample(candidates, 8):
        for v in product.variants:
            v.stock = 0


_ISSUER_BPOM = "Badan POM RI"
_ISSUER_HALAL = "BPJPH"
_ISSUER_SNI = "LSPro Baristand Industri Surabaya"
_ISSUER_MEREK = "DJKI Kementerian Hukum"


def pirt_number(rng: random.Random, food_code: int, region_code: str, producer_no: int, product_no: int,
                expires_year: int) -> str:
    """``NNNNNNNNNNNNN-NN``: packaging digit, food type, kabupaten/kota code, producer and
    product serials, then the two-digit year the registration lapses."""
    return (f"{rng.choice('2356')}{food_code:02d}{region_code.replace('.', '')}{producer_no:04d}"
            f"{product_no:02d}-{expires_year % 100:02d}")


def md_number(rng: random.Random) -> str:
    return f"MD {rng.choice('2345')}{rng.randint(100, 999)}35{rng.randint(1000, 9999)}{rng.randint(1, 99):02d}"


def na_number(rng: random.Random, issued: date) -> str:
    return f"NA 18{issued.year % 100:02d}{rng.randint(1, 14):02d}{rng.randint(1, 99999):05d}"


def tr_number(rng: random.Random, issued: date) -> str:
    return f"TR {issued.year % 100:02d}{rng.randint(1, 9_999_999):07d}"


def halal_number(rng: random.Random, region_code: str, issued: date) -> str:
    """``ID`` + province 35 + kabupaten/kota + serial + month and year of issue."""
    return f"ID35{region_code[3:5]}{rng.randint(1, 999_999_999):09d}{issued.month:02d}{issued.year % 100:02d}"


def _plan_certificates(rng: random.Random, producers: list[ProducerPlan], year: int,
                       regions: dict[str, str]) -> None:
    """Registrations per product, one halal certificate per shop and category group,
    some SNI and merek certificates, three expired and a few not yet checked."""
    root_of = category_root_of()
    # Which certificates are planned as expired: one P-IRT, one halal, one SNI.
    food_pirt = [(pp, p) for pp in producers if pp.spec.verified and not pp.spec.bpom_md for p in pp.products
                 if TEMPLATE_BY_KEY[p.template].registration == "food"]
    expired_pirt = rng.choice(food_pirt)[1].slug
    halal_shops = [pp.slug for pp in producers if pp.spec.verified and any(p.claims_halal for p in pp.products)]
    expired_halal_shop = rng.choice(halal_shops)
    sni_pairs: list[tuple[str, str]] = []
    sni_chosen: set[tuple[str, str]] = set()
    for pp in producers:
        for key in dict.fromkeys(p.template for p in pp.products):
            if TEMPLATE_BY_KEY[key].sni and pp.spec.verified:
                sni_pairs.append((pp.slug, key))
                if rng.random() < 0.4:
                    sni_chosen.add((pp.slug, key))
    expired_sni = rng.choice(sorted(sni_chosen))

    producer_serial = rng.sample(range(1, 10_000), len(producers))
    for pp, serial in zip(producers, producer_serial, strict=True):
        spec = pp.spec
        crng = random.Random(f"{rng.random()}:certs:{spec.slug}")
        region_name = regions[spec.region]
        certs: dict[str, CertPlan] = {}

        # Product registrations: one per product (P-IRT, BPOM MD/NA/TR).
        for n, product in enumerate(pp.products, start=1):
            tpl = TEMPLATE_BY_KEY[product.template]
            reg = tpl.registration
            if reg == "food" and not spec.bpom_md:
                expired = product.slug == expired_pirt
                issued = _on(crng, year - 6 if expired else year - crng.randint(1, 4))
                expires = _plus_years(issued, 5)
                number = pirt_number(crng, tpl.pirt_food_code, spec.region, serial, n, expires.year)
                cert = CertPlan(f"pirt:{product.slug}", CertType.PIRT, number, f"Pemerintah {region_name}",
                                issued, expires)
            elif reg:
                issued = _on(crng, year - crng.randint(1, 2 if reg == "NA" else 4))
                if reg == "food":
                    number, expires = md_number(crng), _plus_years(issued, 5)
                elif reg == "NA":
                    number, expires = na_number(crng, issued), _plus_years(issued, 3)
                else:
                    number, expires = tr_number(crng, issued), _plus_years(issued, 5)
                cert = CertPlan(f"bpom:{product.slug}", CertType.BPOM, number, _ISSUER_BPOM, issued, expires)
            else:
                continue
            certs[cert.key] = cert
            product.cert_keys.append(cert.key)

        # Halal: one certificate per category group, shared by the products it lists.
        groups: dict[str, list[ProductPlan]] = {}
        for product in pp.products:
            if product.claims_halal:
                groups.setdefault(root_of[product.category], []).append(product)
        for root, members in groups.items():
            expired = spec.slug == expired_halal_shop and not any(c.type is CertType.HALAL for c in certs.values())
            halal_expires: date | None
            if expired:
                issued = _on(crng, year - 5)
                halal_expires = _plus_years(issued, 4)
            else:
                issued = _on(crng, year - crng.randint(1, 3))
                halal_expires = None if issued >= HALAL_NO_EXPIRY_FROM else _plus_years(issued, 4)
            scheme = (HalalScheme.SELF_DECLARE if spec.kind is not ProducerKind.KOPONTREN and root == "makanan-minuman"
                      else HalalScheme.REGULER)
            cert = CertPlan(f"halal:{root}", CertType.HALAL, halal_number(crng, spec.region, issued), _ISSUER_HALAL,
                            issued, halal_expires, scheme)
            certs[cert.key] = cert
            for product in members:
                product.cert_keys.append(cert.key)

        # SNI: for some product kinds with a standard; one certificate per standard, shared
        # by the products it covers (premium and medium rice both fall under SNI 6128).
        for key in dict.fromkeys(p.template for p in pp.products):
            if (spec.slug, key) not in sni_chosen:
                continue
            sni = TEMPLATE_BY_KEY[key].sni
            assert sni is not None
            cert_key = f"sni:{sni}"
            if cert_key not in certs:
                expired = (spec.slug, key) == expired_sni
                issued = _on(crng, year - 5 if expired else year - crng.randint(1, 3))
                certs[cert_key] = CertPlan(cert_key, CertType.SNI, sni, _ISSUER_SNI, issued, _plus_years(issued, 4))
            cert = certs[cert_key]
            for product in pp.products:
                if product.template == key:
                    product.cert_keys.append(cert.key)

        # Merek: some registered brands also upload their DJKI certificate.
        for brand, djki in pp.brands:
            if djki is None or crng.random() >= 0.4:
                continue
            issued = _on(crng, year - crng.randint(1, 6))
            cert = CertPlan(f"merek:{brand}", CertType.MEREK, djki, _ISSUER_MEREK, issued, _plus_years(issued, 10))
            certs[cert.key] = cert
            for product in pp.products:
                if product.brand == brand:
                    product.cert_keys.append(cert.key)
        pp.certs = list(certs.values())

    # A few uploads the curators have not checked yet.
    checkable = [c for pp in producers for c in pp.certs
                 if c.expires_on is None or c.expires_on.year > year]
    for cert in rng.sample(checkable, 6):
        cert.verified = False


# --- extra producers for benchmarks -------------------------------------------------------

_PESANTREN_NAMES = (
    "Al-Hikmah", "Darussalam", "Nurul Huda", "Miftahul Ulum", "Bustanul Ulum", "Darul Falah", "Raudlatul Ulum",
    "Mambaul Ulum", "Hidayatul Mubtadiin", "Roudlotul Muttaqin", "Al-Ishlah", "Assalafiyah", "Nurul Iman",
    "Al-Muhajirin", "Baitul Hikmah", "Sabilul Muttaqin", "Nurul Qur'an", "Darul Hikam", "Al-Anwar", "Manbaul Hikam",
    "Tarbiyatul Islam", "Al-Ikhlas", "Riyadlul Jannah", "Sunan Ampel", "Al-Furqon", "Nurul Falah",
)
_UMKM_HEADS = ("Griya", "Dapur", "Omah", "Sentra", "Rumah", "Galeri", "Kebun", "Pawon", "Sanggar", "Warung")
_UMKM_TAILS = ("Barokah", "Berkah", "Mandiri", "Lestari", "Makmur", "Sejahtera", "Sumber Rejeki", "Cahaya",
               "Sekar Arum", "Melati", "Sari Rasa", "Mekar Sari", "Ananda", "Kencana", "Mulia")

# Coherent product ranges for generated shops.
EXTRA_PROFILES: tuple[tuple[str, ...], ...] = (
    ("kopi-robusta", "kopi-arabika", "kopi-drip"),
    ("keripik-tempe", "keripik-singkong", "camilan"),
    ("madu", "minuman-serbuk", "sambal"),
    ("batik-tulis", "kemeja-batik", "jilbab"),
    ("ecoprint-kain", "ecoprint-syal", "ecoprint-tas"),
    ("sarung", "peci", "koko"),
    ("gamis", "jilbab", "koko"),
    ("bambu", "bambu-rumah", "anyaman"),
    ("kayu", "topeng", "bambu-rumah"),
    ("jamu", "minyak-herbal", "rempah"),
    ("sabun", "perawatan-kulit", "minyak-herbal"),
    ("beras", "rempah", "bibit"),
    ("bumbu", "sambal", "keripik-pisang"),
    ("susu-etawa", "madu", "kopi-robusta"),
)


@dataclass(frozen=True)
class ExtraProducer:
    slug: str
    name: str
    kind: ProducerKind
    region: str
    place: str
    pesantren: str | None
    koperasi: str | None
    lines: tuple[str, ...]
    nib: str
    code: str
    brand: str


def extra_producers(count: int, seed: int = DEMO_SEED) -> list[ExtraProducer]:
    """``count`` generated shops spread over all 38 kabupaten/kota; the first n of a
    longer list are the same n, so growing the benchmark only adds shops."""
    rng = random.Random(f"{seed}:extra-producers")
    regencies = jatim_regencies()
    taken: set[str] = {spec.name for spec in PRODUCERS}
    out: list[ExtraProducer] = []
    for i in range(count):
        region = regencies[i % len(regencies)]
        place = region["name"]
        kind = (KK, PK, UK)[rng.randrange(3)]
        pesantren_short = rng.choice(_PESANTREN_NAMES)
        pesantren = f"Pondok Pesantren {pesantren_short} {place}"
        koperasi = None
        if kind is KK:
            name = f"Kopontren {pesantren_short} {place}"
            koperasi = name
        elif kind is PK:
            name = f"Unit Usaha {pesantren_short} {place}"
        else:
            name = f"{rng.choice(_UMKM_HEADS)} {rng.choice(_UMKM_TAILS)} {place}"
            pesantren = pesantren if rng.random() < 0.6 else None
        base, k = name, 2
        while name in taken:
            name, k = f"{base} {k}", k + 1
        taken.add(name)
        if koperasi is not None:
            koperasi = name
        lines = rng.choice(EXTRA_PROFILES)
        brand = f"{rng.choice(_UMKM_TAILS)} {place}"
        out.append(ExtraProducer(
            slug=f"mitra-{i + 1:05d}-{slugify(name, 100)}", name=name, kind=kind, region=region["code"],
            place=place, pesantren=pesantren, koperasi=koperasi, lines=lines, nib=_nib(rng),
            code=f"M{i + 1:05d}", brand=brand))
    return out


def extra_producer_description(extra: ExtraProducer, region: str) -> str:
    phrases: list[str] = []
    for key in extra.lines:
        phrase = _CATEGORY_PHRASE[TEMPLATE_BY_KEY[key].category]
        if phrase not in phrases:
            phrases.append(phrase)
    first = {
        ProducerKind.PESANTREN: f"Unit usaha santri {extra.pesantren}.",
        ProducerKind.KOPONTREN: f"Koperasi milik keluarga besar {extra.pesantren}.",
        ProducerKind.UMKM: (f"UMKM binaan {extra.pesantren}." if extra.pesantren
                            else f"Usaha rumahan di {region}, mitra program OPOP Jawa Timur."),
    }[extra.kind]
    return f"{first} Produk unggulannya: {_join_list(phrases)}."


_EXTRA_SUFFIXES = ("", "", "", " Kemasan Hemat", " Premium", " Edisi Santri", " Paket Oleh-Oleh", " Spesial",
                   " Pilihan", " Edisi Ramadan")


def extra_product_name(rng: random.Random, template: ProductTemplate, place: str, brand: str) -> tuple[str, int]:
    """A believable name for a benchmark product, and the template name index it came from."""
    index = rng.randrange(len(template.names))
    name = template.names[index].format(place=place, brand=brand) + rng.choice(_EXTRA_SUFFIXES)
    return name, index


def extra_product_description(rng: random.Random, template: ProductTemplate, name: str, place: str,
                              producer: str, region: str) -> str:
    values = {"name": name, "place": place, "region": region, "producer": producer, "pesantren": "",
              "koperasi": producer}
    parts = [_fill(rng.choice(template.intro), **values), f"Dibuat oleh {producer} di {region}."]
    parts.append(_fill(rng.choice(template.detail), **values))
    return " ".join(parts)
