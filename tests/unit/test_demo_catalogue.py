"""The demo catalogue looks real: suppliers sell what fits their business, each name once;
rice and groceries are there; every category has its own drawn picture, still tiny."""
import io
import random
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from pbj import demo
from pbj.demo import catalogue as demo_catalogue
from pbj.demo.pictures import KINDS, PALETTES, stored_picture
from pbj.extensions import db
from pbj.models.catalogue import Category, Product, ProductStatus
from pbj.services.uploads import product_image_path


def test_every_category_has_a_picture_kind_and_colours():
    for (_top_name, top_slug), subs in demo_catalogue.CATALOGUE.items():
        assert top_slug in PALETTES, top_slug
        for sub_name, sub in subs.items():
            assert sub.kind in KINDS, sub_name
            for line in sub.lines:
                assert demo_catalogue.picture_kind(sub_name, line) in KINDS, line.name


def test_every_demo_supplier_sells_what_exists_and_each_name_once():
    for business in demo.SUPPLIER_NAMES:
        assert business in demo_catalogue.SUPPLIER_RANGE, business
        subs = demo_catalogue.supplier_range(business)
        assert subs and all(sub in demo_catalogue.SUBCATEGORIES for sub in subs), business
        names = [name for sub in subs for line in demo_catalogue.SUBCATEGORIES[sub][1].lines
                 for name, _factor in demo_catalogue.line_products(line)]
        assert len(names) == len(set(names)), business
    # A snack-box kitchen sells no coffee powder, a ceramics workshop no rattan bags.
    assert "Minuman dan Kopi" not in demo_catalogue.supplier_range("Snack Box Sinar Pagi")
    assert "Anyaman dan Rotan" not in demo_catalogue.supplier_range("Keramik Naga Sakkok")


def test_a_drawn_picture_is_small(app):
    stored = stored_picture("sack", "bahan-pokok", "Beras Premium Lokal")
    large = product_image_path(stored.large_name).read_bytes()
    assert len(large) < 25_000 and stored.thumb_bytes < 10_000
    with Image.open(io.BytesIO(large)) as img:
        assert img.size == (640, 480) and img.format == "JPEG"
        assert len(set(img.convert("P", palette=Image.Palette.ADAPTIVE, colors=16).getdata())) > 4  # not a plain block


@pytest.mark.slow
def test_the_seeded_catalogue(app):
    demo.seed(random.Random(61_72), products=150, orders=0)
    db.session.commit()
    pairs = db.session.execute(sa.select(Product.supplier_id, Product.name)).all()
    assert len(pairs) >= 120 and len(set(pairs)) == len(pairs)  # no supplier lists a name twice

    # Tax classes by sub-category; TKDN only with a certificate, and not on food or services.
    for product in db.session.scalars(sa.select(Product)):
        line = next((name for name in demo_catalogue.TAX_CLASS_BY_LINE if product.name.startswith(name)), "")
        assert product.tax_class == demo_catalogue.tax_class_of(product.category.name, line)
        if product.category.name == "Beras":
            assert product.tax_class == "rice"  # no PPN (PP 49/2022), no PPh 22 (PMK 81/2024)
        if product.tkdn_x100:
            assert product.tkdn_certificate and product.tkdn_certificate_date
        if product.tax_class in ("services", "pbjt"):
            assert not product.tkdn_x100
    tops = {c.slug for c in db.session.scalars(sa.select(Category).where(Category.parent_id.is_(None)))}
    assert {"bahan-pokok", "alat-tulis-kantor", "jasa-percetakan", "pakaian-seragam", "jasa-kebersihan",
            "makanan-minuman", "furnitur", "elektronik", "bahan-bangunan", "kerajinan-suvenir"} <= tops

    published = db.session.scalar(sa.select(sa.func.count()).select_from(Product).where(
        Product.status == ProductStatus.PUBLISHED, Product.name.icontains("beras")))
    assert published >= 2
    body = app.test_client().get("/katalog?q=beras").get_data(as_text=True)
    found = re.search(r'class="result-count"><strong>(\d+) produk', body)
    assert found and int(found.group(1)) >= 1, "searching beras finds rice"
