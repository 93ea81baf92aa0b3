"""The public catalogue: search, product pages, comparison, supplier profiles."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, request, send_file
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from pbj.clock import city_today
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.catalogue import Category, Product, ProductStatus
from pbj.models.suppliers import SupplierProfile, VerificationStatus
from pbj.services import catalogue, orders, search
from pbj.services.uploads import product_image_path
from pbj.web.htmx import render
from pbj.web.page_cache import render_kept
from pbj.web.pagination import page_arg, paginate

bp = Blueprint("catalogue", __name__)

MAX_COMPARE = 4


@bp.get("/katalog")
def index():
    today = city_today()
    state = search.catalogue_state(today)

    def context():  # only when the page is not kept already
        query = search.parse_query(request.args)
        return {"results": search.search(query, today, state=state), "query": query,
                "tree": catalogue.category_tree()}

    return render_kept("catalogue/index.html", fragment="results", part="catalogue", state=state,
                       context=context)


def _viewable_product(product_id: int) -> Product:
    """Public products for everyone; the owner, admins and auditors also see the rest."""
    product = db.session.scalar(
        sa.select(Product).where(Product.id == product_id)
        .options(joinedload(Product.supplier).joinedload(SupplierProfile.org),
                 joinedload(Product.category).joinedload(Category.parent),
                 selectinload(Product.images), selectinload(Product.price_history))
    ) if 0 < product_id < 2**62 else None
    if product is None:
        abort(404)
    if catalogue.is_public(product, city_today()):
        return product
    user = current_user
    if user.is_authenticated and (user.role in (Role.ADMIN, Role.AUDITOR)
                                  or (user.role is Role.PENYEDIA and user.org_id == product.supplier_id)):
        return product
    abort(404)


@bp.get("/produk/<int:product_id>")
def product(product_id: int):
    today = city_today()

    def context():
        item = _viewable_product(product_id)
        return {"product": item, "public": catalogue.is_public(item, today)}

    if current_user.is_authenticated:  # the cart form, and pages only the owner or UKPBJ may see
        return render("catalogue/product.html", **context())
    # Anonymous visitors see public products only, the same page for everyone while the
    # catalogue does not change (its price history moves the product's version too).
    return render_kept("catalogue/product.html", fragment=None, part=None, state=search.catalogue_state(today),
                       context=context)


@bp.get("/bandingkan")
def compare():
    problems = []
    ids: list[int] = []
    for raw in request.args.getlist("id"):
        if raw.isdecimal() and len(raw) < 19 and 0 < int(raw) and int(raw) not in ids:
            ids.append(int(raw))
    if len(ids) > MAX_COMPARE:
        problems.append("too_many")
        ids = ids[:MAX_COMPARE]
    today = city_today()
    found = db.session.scalars(
        sa.select(Product).where(Product.id.in_(ids))
        .options(joinedload(Product.supplier).joinedload(SupplierProfile.org), selectinload(Product.images),
                 joinedload(Product.category))
    ).unique().all() if ids else []
    by_id = {p.id: p for p in found if catalogue.is_public(p, today)}
    products = [by_id[i] for i in ids if i in by_id]
    if len(products) < len(ids):
        problems.append("unavailable")
    return render("catalogue/compare.html", products=products, problems=problems, max_compare=MAX_COMPARE)


@bp.get("/penyedia/<int:org_id>")
def supplier(org_id: int):
    profile = db.session.get(SupplierProfile, org_id) if 0 < org_id < 2**62 else None
    if profile is None or profile.verification is not VerificationStatus.VERIFIED:
        abort(404)  # only verified businesses have a public profile
    today = city_today()
    listed = catalogue.supplier_listed(profile, today)
    query = (sa.select(Product)
             .where(Product.supplier_id == org_id, Product.status == ProductStatus.PUBLISHED)
             .options(selectinload(Product.images))
             .order_by(Product.priority, Product.id))
    page = paginate(query, page_arg(request.args.get("hal")), search.PER_PAGE) if listed else None
    return render("catalogue/supplier.html", fragment="products", supplier=profile, page=page, today=today,
                  ratings=orders.supplier_ratings(org_id))


@bp.get("/gambar/<name>")
def image(name: str):
    """Product photos: random names, never changed once written, so cached for a year."""
    path = product_image_path(name)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=365 * 24 * 3600)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
