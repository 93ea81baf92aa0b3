"""Assisted onboarding: a UKPBJ administrator lists products on a supplier's
behalf (/admin/penyedia/<org_id>/produk). The pages are the supplier's own
(pbj/blueprints/listings), shown for the chosen supplier; the URL rules are in
admin/views.py, behind the admin blueprint's administrators-only check."""
from __future__ import annotations

from flask import url_for

from pbj.blueprints.listings.views import new_product_page, products_page
from pbj.models.suppliers import SupplierProfile
from pbj.web.auth import get_or_404


def supplier_products(org_id: int):
    """One supplier's products, as its own product list shows them."""
    return products_page(get_or_404(SupplierProfile, org_id), "admin.supplier_products", org_id=org_id)


def create_for_supplier(org_id: int):
    """A new product for the supplier (the audit entry records it as on behalf)."""
    supplier = get_or_404(SupplierProfile, org_id)
    return new_product_page(supplier, url_for("admin.create_for_supplier", org_id=org_id))
