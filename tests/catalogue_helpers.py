"""Plain helpers to build catalogue data in tests through the real services."""
from __future__ import annotations

import io
from datetime import date

from PIL import Image

from pbj.extensions import db
from pbj.models.accounts import Role, User
from pbj.models.catalogue import Category
from pbj.services import catalogue, suppliers
from pbj.services.uploads import save_product_image

_categories: dict[str, Category] = {}


def tiny_jpeg(colour=(200, 30, 30), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def category(name: str = "Makanan", parent: str | None = None) -> Category:
    existing = db.session.query(Category).filter_by(slug=catalogue.slugify(name)).first()
    if existing:
        return existing
    parent_cat = category(parent) if parent else None
    made = catalogue.create_category(None, name, parent=parent_cat)
    db.session.commit()
    return made


def verified(supplier_user: User, admin: User) -> User:
    profile = supplier_user.org.supplier
    if profile.verification.value != "verified":
        if not profile.documents:
            suppliers.add_document(supplier_user, profile, __import__("pbj.models.suppliers", fromlist=["x"])
                                   .DocumentKind.NIB, "nib.pdf", b"%PDF-1.4\n%t\n")
        suppliers.verify_supplier(admin, profile, profile.scale)
        db.session.commit()
    return supplier_user


def product(supplier_user: User, admin: User, name: str = "Kopi Bubuk Robusta", *, price: int = 25_000,
            cat: Category | None = None, tkdn: int = 0, bmp: int = 0, pdn: bool = True, stock: int | None = 10,
            min_order: int = 1, description: str = "", publish: bool = True, certified: bool = True,
            siinas: bool = False, tax_class: str = "goods"):
    """A product with one photo; published (supplier verified first) unless publish=False.

    TKDN counts only with a certificate number and date: a product given a TKDN here gets
    a certificate unless certified=False (then it ranks as uncertified domestic)."""
    assert admin.role is Role.ADMIN
    cat = cat or category()
    if publish:
        verified(supplier_user, admin)
    data = catalogue.ProductData(category_id=cat.id, name=name, unit="buah", unit_price=price,
                                 description=description, min_order=min_order, stock=stock,
                                 tkdn_x100=tkdn * 100, bmp_x100=bmp * 100, is_pdn=pdn, origin="Singkawang",
                                 siinas=siinas, tax_class=tax_class)
    if certified and tkdn:
        data.tkdn_certificate = f"TKDN-UJI/{name[:20]}"
        data.tkdn_certificate_date = date(2026, 1, 5)
    item = catalogue.create_product(supplier_user, supplier_user.org.supplier, data)
    jpeg = tiny_jpeg()
    catalogue.attach_image(supplier_user, item, save_product_image(jpeg, jpeg, 64, 48))
    if publish:
        catalogue.submit_product(supplier_user, item)
        catalogue.approve_product(admin, item)
    db.session.commit()
    return item
