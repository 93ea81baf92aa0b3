"""Demo catalogue: categories and realistic products for the demo suppliers.

Products are made through the catalogue services (so the audit trail
verifies); pictures are drawn here with Pillow, a few per sub-category, and
shared between products so the demo stays small on disk.
"""
from __future__ import annotations

import dataclasses
import io
import random
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.models.accounts import User
from pbj.models.catalogue import Category, Product, ProductStatus
from pbj.models.suppliers import SupplierProfile, VerificationStatus
from pbj.services import catalogue, revisions
from pbj.services.uploads import StoredImage, save_product_image

# top category → sub-categories → product lines:
# (name, unit, lowest price, highest price, evidence, TKDN range %, certifications)
# Evidence of domestic content, as an inspector would expect it (issue 10):
#   "cert"   manufactured goods: most listings carry a TKDN certificate from the Ministry of
#            Industry (number and date); some by certified companies add BMP; resellers without
#            one are SIINas-registered or plain domestic.
#   "ik"     home and small industries (batik, songket, keramik, rotan, konveksi, mebel): a
#            TKDN-IK certificate (self-assessment, Permenperin 46/2022) for most, none for some.
#   "siinas" small manufacturers and print shops registered in SIINas, mostly, without TKDN.
#   "none"   food, catering and services: no TKDN claimed.
#   "import" imported goods.
# Tax class of each sub-category's products (services.taxes): cleaning and laundry are
# services (PPh 23), snacks and catering restaurant food and drink (PBJT, no PPN); the
# rest goods.
TAX_CLASS_BY_SUBCATEGORY = {"Kebersihan Gedung": "services", "Binatu": "services",
                            "Snack Box dan Kue": "pbjt", "Katering dan Nasi Kotak": "pbjt"}
CATALOGUE = {
    ("Alat Tulis Kantor", "alat-tulis-kantor"): {
        "Kertas dan Buku": [
            ("Kertas HVS A4 70 gsm", "rim", 45_000, 62_000, "cert", (30, 60), "SNI"),
            ("Kertas HVS F4 80 gsm", "rim", 52_000, 70_000, "cert", (30, 60), "SNI"),
            ("Buku Agenda Dinas Sampul Batik Tidayu", "buah", 25_000, 60_000, "ik", (40, 80), ""),
            ("Map Snelhecter Plastik", "lusin", 18_000, 30_000, "siinas", None, ""),
            ("Amplop Kop Dinas Cokelat Folio", "pak", 35_000, 55_000, "siinas", None, ""),
        ],
        "Alat Tulis": [
            ("Pulpen Gel Hitam 0,5 mm", "lusin", 24_000, 45_000, "cert", (20, 40), "SNI"),
            ("Pensil 2B Kayu", "lusin", 20_000, 36_000, "cert", (20, 45), "SNI"),
            ("Spidol Papan Tulis", "lusin", 60_000, 95_000, "cert", (10, 30), ""),
            ("Stabilo Warna Set", "set", 25_000, 45_000, "import", None, ""),
        ],
        "Perlengkapan Meja": [
            ("Stapler Besar HD-50", "buah", 45_000, 90_000, "import", None, ""),
            ("Tinta Printer Isi Ulang 100 ml", "botol", 25_000, 45_000, "siinas", None, ""),
            ("Ordner Bantex Folio", "buah", 22_000, 38_000, "cert", (25, 45), ""),
        ],
    },
    ("Makanan dan Minuman", "makanan-minuman"): {
        "Snack Box dan Kue": [
            ("Snack Box Rapat Isi 3 Kue Basah", "kotak", 12_000, 20_000, "none", None, "HALAL PIRT"),
            ("Kue Lapis Legit Singkawang", "loyang", 120_000, 250_000, "none", None, "HALAL PIRT"),
            ("Choi Pan Singkawang Isi Bengkuang", "kotak", 25_000, 45_000, "none", None, "HALAL PIRT"),
            ("Bingke Ubi Khas Melayu", "loyang", 40_000, 75_000, "none", None, "HALAL PIRT"),
        ],
        "Katering dan Nasi Kotak": [
            ("Nasi Kotak Ayam Bakar Rapat", "kotak", 25_000, 45_000, "none", None, "HALAL"),
            ("Prasmanan Tamu Dinas per Orang", "orang", 55_000, 120_000, "none", None, "HALAL"),
            ("Bubur Pedas Sambas Porsi", "porsi", 15_000, 25_000, "none", None, "HALAL"),
        ],
        "Minuman dan Kopi": [
            ("Air Mineral Gelas 220 ml", "dus", 18_000, 28_000, "siinas", None, "SNI BPOM HALAL"),
            ("Kopi Bubuk Robusta Singkawang 250 g", "bungkus", 25_000, 45_000, "none", None, "PIRT HALAL"),
            ("Air Minum Isi Ulang Galon 19 L", "galon", 5_000, 8_000, "none", None, ""),
        ],
    },
    ("Pakaian dan Seragam", "pakaian-seragam"): {
        "Seragam Dinas": [
            ("Seragam PDH Khaki Pria", "stel", 250_000, 420_000, "ik", (40, 70), ""),
            ("Seragam Satpol PP Lengkap", "stel", 450_000, 750_000, "ik", (40, 70), ""),
            ("Rompi Lapangan BPBD", "buah", 150_000, 260_000, "ik", (40, 70), ""),
        ],
        "Batik dan Songket": [
            ("Kemeja Batik Tidayu Lengan Panjang", "buah", 180_000, 350_000, "ik", (60, 90), ""),
            ("Kain Songket Tidayu Tenun Tangan", "lembar", 650_000, 2_500_000, "ik", (70, 95), ""),
            ("Selendang Batik Motif Tidayu", "lembar", 120_000, 250_000, "ik", (60, 90), ""),
        ],
        "Kaos dan Sablon": [
            ("Kaos Kegiatan Sablon 2 Warna", "buah", 55_000, 95_000, "siinas", None, ""),
            ("Topi Kegiatan Bordir Logo", "buah", 35_000, 65_000, "siinas", None, ""),
        ],
    },
    ("Furnitur", "furnitur"): {
        "Meja dan Kursi": [
            ("Meja Kerja Kayu Belian 120 cm", "unit", 1_800_000, 3_500_000, "ik", (55, 85), ""),
            ("Kursi Rapat Rotan", "unit", 450_000, 900_000, "ik", (60, 90), ""),
            ("Kursi Kantor Putar", "unit", 650_000, 1_400_000, "cert", (15, 40), "SNI"),
        ],
        "Lemari dan Rak": [
            ("Lemari Arsip Kayu 4 Pintu", "unit", 2_500_000, 4_800_000, "cert", (40, 70), ""),
            ("Rak Buku Kayu 5 Susun", "unit", 900_000, 1_800_000, "cert", (40, 70), ""),
        ],
    },
    ("Kerajinan dan Suvenir", "kerajinan-suvenir"): {
        "Keramik": [
            ("Tempayan Keramik Naga Sakkok Besar", "buah", 1_500_000, 6_000_000, "ik", (60, 90), ""),
            ("Vas Keramik Motif Naga", "buah", 150_000, 600_000, "ik", (60, 90), ""),
            ("Mangkuk Keramik Singkawang", "buah", 8_000, 35_000, "ik", (60, 90), ""),
            ("Guci Keramik Suvenir Mini", "buah", 25_000, 90_000, "ik", (60, 90), ""),
        ],
        "Anyaman dan Rotan": [
            ("Tas Anyaman Rotan Nyarumkop", "buah", 85_000, 250_000, "ik", (60, 90), ""),
            ("Tikar Pandan Anyam", "lembar", 90_000, 220_000, "ik", (60, 90), ""),
        ],
        "Suvenir Tamu": [
            ("Paket Suvenir Tamu Khas Singkawang", "paket", 150_000, 450_000, "none", None, ""),
            ("Gantungan Kunci Tidayu", "lusin", 36_000, 72_000, "siinas", None, ""),
        ],
    },
    ("Jasa Percetakan", "jasa-percetakan"): {
        "Spanduk dan Baliho": [
            ("Cetak Spanduk Flexi 280 gsm", "m²", 18_000, 35_000, "siinas", None, ""),
            ("Cetak Baliho 4 x 6 m", "buah", 650_000, 1_200_000, "siinas", None, ""),
            ("Roll Banner 60 x 160 cm", "buah", 150_000, 280_000, "siinas", None, ""),
        ],
        "Undangan dan Brosur": [
            ("Cetak Undangan Resmi Hard Cover", "lembar", 6_000, 15_000, "siinas", None, ""),
            ("Cetak Brosur A4 Art Paper", "rim", 450_000, 900_000, "siinas", None, ""),
        ],
        "Buku dan Jilid": [
            ("Cetak Buku Laporan Tahunan", "eksemplar", 45_000, 120_000, "siinas", None, ""),
            ("Jilid Spiral Dokumen", "buah", 8_000, 15_000, "none", None, ""),
        ],
    },
    ("Jasa Kebersihan", "jasa-kebersihan"): {
        "Kebersihan Gedung": [
            ("Jasa Kebersihan Kantor Bulanan", "bulan", 4_500_000, 9_000_000, "none", None, ""),
            ("Jasa Cuci Karpet Ruang Rapat", "m²", 12_000, 25_000, "none", None, ""),
        ],
        "Binatu": [
            ("Jasa Laundry Linen Rumah Sakit", "kg", 9_000, 16_000, "none", None, ""),
        ],
    },
    ("Elektronik", "elektronik"): {
        "Komputer dan Aksesori": [
            ("Laptop Kantor Core i5 16 GB", "unit", 9_500_000, 14_000_000, "cert", (25, 45), "SNI"),
            ("Printer Tinta Warna A4", "unit", 2_200_000, 3_800_000, "import", None, "SNI"),
            ("Mouse Nirkabel", "buah", 90_000, 250_000, "import", None, ""),
        ],
        "Alat Listrik": [
            ("Lampu LED 18 Watt", "buah", 35_000, 75_000, "cert", (25, 45), "SNI"),
            ("Kabel Roll 10 m", "buah", 85_000, 160_000, "cert", (20, 40), "SNI"),
        ],
    },
    ("Bahan Bangunan", "bahan-bangunan"): {
        "Semen dan Pasir": [
            ("Semen Portland 50 kg", "sak", 68_000, 85_000, "cert", (80, 95), "SNI"),
            ("Pasir Cor", "m³", 250_000, 400_000, "none", None, ""),
        ],
        "Cat dan Perkakas": [
            ("Cat Tembok Interior 25 kg", "pail", 650_000, 1_300_000, "cert", (40, 70), "SNI"),
            ("Kuas Cat 3 Inci", "lusin", 60_000, 110_000, "siinas", None, ""),
        ],
    },
}

VARIANTS = ["", "Premium", "Ekonomis", "Standar", "Kualitas Ekspor", "Khas Singkawang", "Edisi Dinas"]
COLOURS = [(11, 61, 110), (0, 112, 60), (177, 14, 30), (138, 90, 0), (90, 45, 145), (40, 40, 40)]


def _picture(title: str, colour: tuple[int, int, int], variant: int) -> StoredImage:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (246, 244, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle([40 + variant * 12, 60, 600 - variant * 12, 420], fill=colour)
    draw.ellipse([220, 140, 420, 340], fill=(255, 255, 255))
    draw.text((60, 430), title[:60], fill=(20, 20, 20))
    large = io.BytesIO()
    img.save(large, "JPEG", quality=80)
    thumb = img.copy()
    thumb.thumbnail((320, 320))
    small = io.BytesIO()
    thumb.save(small, "JPEG", quality=70)
    return save_product_image(large.getvalue(), small.getvalue(), img.width, img.height)


def seed_categories() -> dict[str, list[tuple[Category, list]]]:
    """Create the category tree; return {top slug: [(sub-category, product lines)]}."""
    tree: dict[str, list[tuple[Category, list]]] = {}
    for (top_name, top_slug), subs in CATALOGUE.items():
        top = catalogue.create_category(None, top_name, slug=top_slug)
        tree[top_slug] = [(catalogue.create_category(None, sub_name, parent=top), lines)
                          for sub_name, lines in subs.items()]
    return tree


def _supplier_fields(business: str) -> list[str]:
    name = business.lower()
    keywords = [
        (("keramik", "tempayan", "gerabah", "rotan", "souvenir", "tenun"), "kerajinan-suvenir"),
        (("batik", "songket", "konveksi", "penjahit"), "pakaian-seragam"),
        (("katering", "kue", "snack", "kopi", "makan", "air minum", "kerupuk"), "makanan-minuman"),
        (("atk", "buku", "alat tulis"), "alat-tulis-kantor"),
        (("percetakan", "printing", "sablon", "undangan"), "jasa-percetakan"),
        (("mebel", "furnitur", "las"), "furnitur"),
        (("kebersihan", "cleaning", "laundry"), "jasa-kebersihan"),
        (("elektronik", "komputer"), "elektronik"),
        (("bangunan", "pertanian"), "bahan-bangunan"),
    ]
    found = [slug for words, slug in keywords if any(w in name for w in words)]
    return found or ["alat-tulis-kantor", "makanan-minuman"]


def _domestic_evidence(data: catalogue.ProductData, evidence: str, tkdn_range: tuple[int, int] | None,
                       rng: random.Random) -> None:
    """TKDN with its certificate (number and issue date), TKDN-IK, BMP and SIINas, as plausible
    for the product line. TKDN is never claimed without a certificate, BMP only with one."""
    roll = rng.random()
    certified = (evidence == "cert" and roll < 0.8) or (evidence == "ik" and roll < 0.75)
    if certified and tkdn_range:
        low, high = tkdn_range
        data.tkdn_x100 = rng.randint(low * 100, high * 100)
        # Issued before the product was first listed (the demo spreads listings over the past year).
        issued = city_today() - timedelta(days=rng.randint(400, 4 * 365))
        data.tkdn_certificate_date = issued
        if evidence == "ik":
            data.tkdn_ik = True
            data.tkdn_certificate = f"{rng.randint(100, 9999)}/TKDN-IK/{issued.year}"
        else:
            data.tkdn_certificate = f"{rng.randint(10000, 99999)}/SJ-IPKIP/TKDN/{issued.year}"
            if rng.random() < 0.3:  # a certified company with a BMP score of its own
                data.bmp_x100 = min(rng.choice([500, 800, 1000, 1200, 1500]), 10000 - data.tkdn_x100)
    if evidence in ("cert", "siinas") and not certified:
        data.siinas = rng.random() < (0.8 if evidence == "siinas" else 0.5)
        if data.siinas and rng.random() < 0.5:
            data.siinas_number = f"SIINAS-{rng.randint(1000000, 9999999)}"


def seed_products(admin: User, rng: random.Random, count: int,
                  advance: Callable[[], None] = lambda: None) -> int:
    """About `count` products spread over the demo suppliers; most published.
    `advance()` is called after each product (the CLI's progress bar)."""
    tree = seed_categories()
    pictures: dict[int, list[StoredImage]] = {}
    for slug, subs in tree.items():
        for sub, _lines in subs:
            colour = COLOURS[sub.id % len(COLOURS)]
            pictures[sub.id] = [_picture(sub.name, colour, v) for v in range(3)]

    suppliers = db.session.scalars(
        sa.select(SupplierProfile).join(SupplierProfile.org).order_by(SupplierProfile.org_id)
    ).all()
    owners = {s.org_id: db.session.scalar(sa.select(User).where(User.org_id == s.org_id)) for s in suppliers}
    made = 0
    per_supplier = max(1, count // max(1, len(suppliers)))
    for supplier in suppliers:
        owner = owners[supplier.org_id]
        lines = [(sub, line) for slug in _supplier_fields(supplier.org.name) for sub, ls in tree[slug]
                 for line in ls]
        for n in range(per_supplier):
            sub, (name, unit, low, high, evidence, tkdn_range, certs) = rng.choice(lines)
            variant = rng.choice(VARIANTS)
            price = rng.randrange(low, high + 1, 500 if low >= 5_000 else 100)
            data = catalogue.ProductData(
                category_id=sub.id, name=f"{name} {variant}".strip(), unit=unit, unit_price=price,
                description=(f"{name} dari {supplier.org.name}, {supplier.kecamatan}, {supplier.region_name}. "
                             f"Dikemas rapi dan dikirim ke kantor OPD. Harga per {unit}."),
                min_order=rng.choice([1, 1, 1, 5, 10]),
                stock=None if rng.random() < 0.25 else rng.randint(0, 500),
                lead_time_days=rng.randint(1, 14),
                delivery_area="Kota Singkawang" if supplier.region_code == "61.72" else "Kalimantan Barat",
                is_pdn=evidence != "import", origin=supplier.region_name if evidence != "import" else "Impor",
                certifications=certs.split(),
                tax_class=TAX_CLASS_BY_SUBCATEGORY.get(sub.name, "goods"),
            )
            _domestic_evidence(data, evidence, tkdn_range, rng)
            actor = admin if n % 17 == 0 else owner  # a few listed on the supplier's behalf
            product = catalogue.create_product(actor, supplier, data)
            catalogue.attach_image(actor, product, rng.choice(pictures[sub.id]))
            made += 1
            advance()
            roll = rng.random()
            if roll < 0.05:
                continue  # left as draft
            catalogue.submit_product(actor, product)
            if roll < 0.10 or supplier.verification is not VerificationStatus.VERIFIED:
                continue  # waiting for review
            if roll < 0.13:
                catalogue.reject_product(admin, product, "Foto kurang jelas; unggah foto produk asli.")
                continue
            catalogue.approve_product(admin, product)
            # Spread publication over the past year so "terbaru" means something.
            product.published_at = product.published_at - timedelta(days=rng.randint(2, 365))
            if rng.random() < 0.04:
                catalogue.archive_product(owner, product)
        db.session.flush()
    return made


def published_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Product)
                             .where(Product.status == ProductStatus.PUBLISHED))


def _as_data(product: Product) -> catalogue.ProductData:
    """What the product form would show for this product today."""
    names = [f.name for f in dataclasses.fields(catalogue.ProductData)]
    values = {name: getattr(product, name) for name in names if name != "certifications"}
    return catalogue.ProductData(**values, certifications=product.certification_list)


def seed_revisions(admin: User, rng: random.Random) -> int:
    """A few suppliers change published products, so the review queue shows revisions
    beside new products: a new name and description, a price rise beyond the step, a
    TKDN certificate added; one earlier change was turned down with a reason."""
    published = db.session.scalars(
        sa.select(Product).join(Product.supplier)
        .where(Product.status == ProductStatus.PUBLISHED,
               SupplierProfile.verification == VerificationStatus.VERIFIED)
        .order_by(Product.id)).all()
    if len(published) < 4:
        return 0
    chosen = rng.sample(published, 4)
    owner = {p.id: db.session.scalar(sa.select(User).where(User.org_id == p.supplier_id).order_by(User.id))
             for p in chosen}
    renamed, dearer, certified, turned_down = chosen
    data = _as_data(renamed)
    data.name = f"{renamed.name} (kemasan baru)"
    data.description = renamed.description + " Kemasan baru mulai bulan ini."
    catalogue.update_product(owner[renamed.id], renamed, data)
    data = _as_data(dearer)
    data.unit_price = dearer.unit_price * 125 // 100 // 100 * 100  # +25 %, whole hundreds
    catalogue.update_product(owner[dearer.id], dearer, data)
    data = _as_data(certified)
    if certified.is_pdn and not certified.tkdn_certified:
        data.tkdn_x100, data.tkdn_certificate, data.tkdn_ik = 3150, f"IK-{certified.id:05d}/2026", True
        data.tkdn_certificate_date = city_today() - timedelta(days=30)
    else:
        data.origin = f"{certified.origin} (pabrik baru)".strip()
    catalogue.update_product(owner[certified.id], certified, data)
    data = _as_data(turned_down)
    data.name = f"{turned_down.name} Premium"
    result = catalogue.update_product(owner[turned_down.id], turned_down, data)
    revisions.reject_revision(admin, result.revision, "Nama baru tidak sesuai foto dan deskripsi produk.",
                              utcnow())
    db.session.info.pop("pbj_mail", None)  # demo data mails nobody (as pbj.demo.orders._commit)
    return 4
