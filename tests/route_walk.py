"""The walk over every GET page that the page-wide tests share (hostile text in
tests/web/test_payload_corpus.py, words in tests/web/test_words_pages.py): which
endpoints are not pages, the ids of the demo world's newer objects, and the URLs."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from pbj.extensions import db
from pbj.models.catalogue import ProductRevision
from pbj.models.holidays import Holiday
from pbj.models.orders import Order
from pbj.services.ocds import ocid

# Files (downloads have their own tests), and tokens that are not object ids.
NOT_WALKED = {"static", "htmx_js", "catalogue.image", "orders.handover_photo", "supplier.document_file",
              "auth.reset_password", "supplier.accept_invitation", "ocds.bulk", "audit.export"}


def register_arguments(opd_id: int) -> dict[str, list]:
    """Ids of a few holidays, product revisions and the OPD's packages."""
    return {
        "holiday_id": db.session.scalars(sa.select(Holiday.id).order_by(Holiday.day).limit(2)).all(),
        "revision_id": db.session.scalars(sa.select(ProductRevision.id).order_by(ProductRevision.id)
                                          .limit(2)).all(),
        "package_id": db.session.scalars(sa.select(Order.package_id).where(Order.opd_id == opd_id,
                                                                           Order.package_id.is_not(None))
                                         .distinct().limit(2)).all(),
        "flag_id": _flag_ids(),
        # Open data: the ocids of two orders with a signed SP (JSON, not a page: walked for errors).
        "ocid": [ocid(order_id, current_app.config) for order_id in db.session.scalars(
            sa.select(Order.id).where(Order.sp_number.is_not(None)).order_by(Order.id).limit(2))],
    }


def _flag_ids() -> list[int]:
    """Two risk flags, found afresh in the data there is (none in an empty world)."""
    from pbj.clock import city_today, utcnow
    from pbj.models.flags import RiskFlag
    from pbj.services import flags

    flags.refresh(utcnow(), city_today())
    db.session.commit()
    return db.session.scalars(sa.select(RiskFlag.id).order_by(RiskFlag.id).limit(2)).all()


def page_urls(app, arguments: dict[str, list]) -> list[str]:
    """Every GET route with every combination of the given ids. A route whose argument
    has no ids is a test that forgot a new kind of object: it fails here, by name."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_WALKED:
            continue
        missing = sorted(set(rule.arguments) - set(arguments))
        assert not missing, f"{rule.endpoint}: the walk has no ids for {missing}"
        combos = [{}]
        for name in sorted(rule.arguments):
            combos = [{**c, name: value} for c in combos for value in arguments[name]]
        urls += [app.url_for(rule.endpoint, **values) for values in combos]
    return urls


def demo_walk(app, *, with_cart: bool = False) -> tuple[dict, list[str]]:
    """A small demo world (the same code as `make run`'s demo) and the pages to walk in it.

    Returns the logins by role ("anonymous" is None; the buyers and the supplier are those
    of the busiest OPD and supplier) and every GET URL with ids of real objects: an order
    in every state on each side, products in every state, suppliers in every verification
    state and the sanctioned ones, the order list under every status tab. With `with_cart`
    the PP's cart holds products of two suppliers (the longest names, big totals), the walk
    compares two and four products side by side, and the PPK of an order waiting for
    approval walks too ("ppk-approving").
    """
    import random
    from collections import defaultdict

    from pbj import demo
    from pbj.clock import city_today
    from pbj.models.accounts import User
    from pbj.models.catalogue import Product, ProductStatus
    from pbj.models.orders import OrderDocument, OrderStatus
    from pbj.models.suppliers import Sanction, SupplierDocument, SupplierProfile

    credentials = demo.seed(random.Random(8), products=60, orders=36)
    db.session.commit()
    by_role = defaultdict(list)
    for role, email, password in credentials:
        by_role[role].append((email, password))
    orders = db.session.scalars(sa.select(Order)).all()
    busiest_opd = max({o.opd_id for o in orders}, key=lambda opd: sum(o.opd_id == opd for o in orders))
    busiest_supplier = max({o.supplier_id for o in orders},
                           key=lambda s: sum(o.supplier_id == s for o in orders))

    def member(role, org_id=None):
        for email, password in by_role[role]:
            user_org = db.session.scalar(sa.select(User.org_id).where(User.email == email))
            if org_id is None or user_org == org_id:
                return email, password
        raise AssertionError(f"no {role} in organisation {org_id}")

    logins = {"anonymous": None, "admin": member("admin"), "auditor": member("auditor"),
              "pp": member("pp", busiest_opd), "ppk": member("ppk", busiest_opd),
              "bendahara": member("bendahara", busiest_opd), "penyedia": member("penyedia", busiest_supplier)}
    order_ids = set()
    for status in OrderStatus:  # an order in every state, on the buyer's and the supplier's side
        for owner in (lambda o: o.opd_id == busiest_opd, lambda o: o.supplier_id == busiest_supplier):
            order_ids.update([o.id for o in orders if owner(o) and o.status is status][:1])
    if with_cart:
        # The busiest OPD's orders have mostly ended: also the PPK of an order waiting for
        # approval, who sees every form the order page has for a PPK (approve, reject, cancel).
        waiting = next(o for o in orders if o.status is OrderStatus.CONFIRMED)
        order_ids.add(waiting.id)
        if waiting.opd_id != busiest_opd:
            logins["ppk-approving"] = member("ppk", waiting.opd_id)
    products = db.session.scalars(sa.select(Product).order_by(Product.id)).all()
    product_ids = {next(p.id for p in products if p.status is s) for s in ProductStatus
                   if any(p.status is s for p in products)}
    product_ids.update(p.id for p in products if p.supplier_id == busiest_supplier)
    profiles = db.session.scalars(sa.select(SupplierProfile).order_by(SupplierProfile.org_id)).all()
    one_per_state = {}
    for profile in profiles:  # a supplier in every verification state, and the sanctioned ones
        one_per_state.setdefault(profile.verification, profile.org_id)
    suppliers = {busiest_supplier, *one_per_state.values(),
                 *(s.org_id for s in profiles if s.sanction is not Sanction.NONE)}
    arguments = {
        "order_id": sorted(order_ids),
        "product_id": sorted(product_ids)[:14],
        "org_id": sorted(suppliers)[:12],
        "user_id": sorted(db.session.scalars(sa.select(User.id).limit(4)).all()),
        "category_id": db.session.scalars(sa.text("SELECT id FROM categories ORDER BY id LIMIT 2")).all(),
        "code": db.session.scalars(sa.select(OrderDocument.code).limit(3)).all(),
        "doc_id": db.session.scalars(sa.select(SupplierDocument.id).limit(1)).all(),
        "kind": ["sp", "bast", "tagihan"],
        **register_arguments(busiest_opd),
    }
    urls = page_urls(app, arguments)
    # The order list under every status tab.
    tabs = ("berjalan", "menunggu-penyedia", "menunggu-ppk", "dikirim", "menunggu-bayar", "selesai", "batal")
    urls += [f"/pesanan?status={word}" for word in tabs]
    if with_cart:
        from pbj.services.catalogue import is_public
        from pbj.services.orders.cart import add_to_cart

        today = city_today()
        on_sale = [p for p in products if is_public(p, today) and p.stock != 0]
        longest = sorted(on_sale, key=lambda p: (-len(p.name), p.id))
        other_supplier = next(p for p in longest if p.supplier_id != longest[0].supplier_id)
        chosen = dict.fromkeys([longest[0], other_supplier, *longest[1:3]])
        buyer = db.session.scalar(sa.select(User).where(User.email == logins["pp"][0]))
        for product in chosen:
            # A big order: the totals run to ten digits.
            quantity = max(product.min_order, min(product.stock or 999, 999))
            add_to_cart(buyer, product, quantity, today)
        db.session.commit()
        ids = [p.id for p in longest[:4]]
        urls += [app.url_for("catalogue.compare", id=ids[:2]), app.url_for("catalogue.compare", id=ids)]
    return logins, sorted(set(urls))
