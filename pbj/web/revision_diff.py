"""A product revision side by side with the public product, as table rows (old | new).

Shown to the UKPBJ reviewer (every reviewed field, the changed ones marked) and to the
supplier (the changed rows only). Values are plain text; the template escapes them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.catalogue import Category, Product, ProductRevision
from pbj.services import catalogue
from pbj.web.i18n import local_date, percent, rupiah
from pbj.web.labels import TAX_CLASS_LABELS, certification_label

FIELD_LABELS = {
    "name": _l("Product name"),
    "category_id": _l("Category"),
    "unit": _l("Unit (satuan)"),
    "unit_price": _l("Price per unit (Rp)"),
    "description": _l("Description"),
    "is_pdn": _l("Domestic product (PDN)"),
    "origin": _l("Place of origin"),
    "tkdn_x100": _l("TKDN (%)"),
    "bmp_x100": _l("BMP (%)"),
    "tkdn_certificate": _l("TKDN certificate number"),
    "tkdn_certificate_date": _l("Date of the TKDN certificate"),
    "tkdn_ik": _l("It is a TKDN-IK certificate (small industry)"),
    "siinas": _l("Registered in SIINas"),
    "siinas_number": _l("SIINas number (if any)"),
    "certifications": _l("Certifications"),
    "tax_class": _l("Tax class"),
}


@dataclass
class DiffRow:
    field: str
    label: str
    old: str
    new: str
    changed: bool


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "–"
    if name == "category_id":
        category = db.session.get(Category, value)
        if category is None:
            return "–"
        return f"{category.parent.name} › {category.name}" if category.parent else category.name
    if name == "unit_price":
        return rupiah(value)
    if name in ("tkdn_x100", "bmp_x100"):
        return percent(value)
    if name == "tkdn_certificate_date":
        return local_date(date.fromisoformat(value))
    if isinstance(value, bool):
        return str(_l("Yes")) if value else str(_l("No"))
    if name == "tax_class":
        return str(TAX_CLASS_LABELS.get(value, value))
    if name == "certifications":
        return ", ".join(certification_label(code) for code in value.split())
    return str(value)


def revision_rows(product: Product, revision: ProductRevision, every_field: bool = False) -> list[DiffRow]:
    """Rows in the form's order: the public value and the proposed one."""
    public = catalogue.field_values(product)
    proposed = revision.proposed
    rows = []
    for name in FIELD_LABELS:
        changed = name in proposed and proposed[name] != public[name]
        if not (changed or every_field):
            continue
        new = proposed[name] if name in proposed else public[name]
        rows.append(DiffRow(name, str(FIELD_LABELS[name]), _shown(name, public[name]), _shown(name, new), changed))
    return rows
