"""Human labels for domain codes (roles, scales, documents, audit actions)."""
from __future__ import annotations

import enum

from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import OrgKind, Role
from pbj.models.catalogue import ProductStatus
from pbj.models.holidays import HolidayKind
from pbj.models.orders import BudgetSource, OrderDocumentKind, OrderStatus
from pbj.models.suppliers import BusinessScale, DocumentKind
from pbj.services.events import ORDER_EVENT_LABELS

ROLE_LABELS = {
    Role.PENYEDIA: _l("Supplier (penyedia)"),
    Role.PP: _l("Procurement officer (PP)"),
    Role.PPK: _l("Commitment officer (PPK)"),
    Role.BENDAHARA: _l("Treasurer (bendahara)"),
    Role.ADMIN: _l("UKPBJ administrator"),
    Role.AUDITOR: _l("Auditor (APIP)"),
}

ORG_KIND_LABELS = {
    OrgKind.OPD: _l("Government unit (OPD)"),
    OrgKind.SUPPLIER: _l("Supplier"),
    OrgKind.UKPBJ: _l("UKPBJ"),
}

SCALE_LABELS = {
    BusinessScale.MIKRO: _l("Micro (mikro)"),
    BusinessScale.KECIL: _l("Small (kecil)"),
    BusinessScale.MENENGAH: _l("Medium (menengah)"),
    BusinessScale.BESAR: _l("Large (besar)"),
}

DOCUMENT_LABELS = {
    DocumentKind.NIB: _l("NIB (business registration)"),
    DocumentKind.NPWP: _l("NPWP (tax ID card)"),
    DocumentKind.KTP: _l("KTP of the owner"),
    DocumentKind.AKTA: _l("Deed of establishment (akta)"),
    DocumentKind.PP55: _l("PP 55/2022 certificate (final tax of 0.5 percent)"),
    DocumentKind.PKP: _l("PKP confirmation letter"),
    DocumentKind.OTHER: _l("Other supporting document"),
}

PRODUCT_STATUS_LABELS = {
    ProductStatus.DRAFT: _l("Draft"),
    ProductStatus.SUBMITTED: _l("Waiting for review"),
    ProductStatus.PUBLISHED: _l("Published"),
    ProductStatus.REJECTED: _l("Rejected"),
    ProductStatus.ARCHIVED: _l("Archived"),
}

ORDER_STATUS_LABELS = {
    OrderStatus.SUBMITTED: _l("Waiting for the supplier"),
    OrderStatus.NEGOTIATING: _l("Under negotiation"),
    OrderStatus.CONFIRMED: _l("Waiting for the PPK"),
    OrderStatus.APPROVED: _l("Approved"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.RECEIVED: _l("Received"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.REJECTED: _l("Rejected"),
    OrderStatus.EXPIRED: _l("Expired"),
}

ORDER_DOCUMENT_LABELS = {
    OrderDocumentKind.SURAT_PESANAN: _l("Purchase order (Surat Pesanan)"),
    OrderDocumentKind.BAST: _l("Handover report (BAST)"),
    OrderDocumentKind.INVOICE: _l("Invoice"),
}

BUDGET_SOURCE_LABELS = {
    BudgetSource.APBD: "APBD",
    BudgetSource.APBN: "APBN",
    BudgetSource.DAK: "DAK",
    BudgetSource.BLUD: "BLUD",
    BudgetSource.BOS: "BOS",
    BudgetSource.OTHER: _l("Other source"),
}

HOLIDAY_KIND_LABELS = {
    HolidayKind.NATIONAL: _l("National holiday"),
    HolidayKind.CUTI_BERSAMA: _l("Cuti bersama"),
    HolidayKind.REGIONAL: _l("Regional holiday"),
}

# Certification codes (models.catalogue.CERTIFICATIONS) as people write them.
CERTIFICATION_LABELS = {
    "SNI": "SNI",
    "HALAL": "Halal",
    "PIRT": "P-IRT",
    "BPOM": "BPOM",
    "TKDN": "TKDN",
    "ISO9001": "ISO 9001",
}

ACTION_LABELS = {
    **ORDER_EVENT_LABELS,  # beside the event names, in pbj/services/events.py
    "auth.login_succeeded": _l("Logged in"),
    "auth.login_failed": _l("Failed login"),
    "auth.logout": _l("Logged out"),
    "auth.password_changed": _l("Changed password"),
    "auth.password_reset": _l("Set password by e-mailed link"),
    "auth.password_reset_requested": _l("Asked for a password link"),
    "org.created": _l("Organisation created"),
    "user.created": _l("Account created"),
    "user.activated": _l("Account activated"),
    "user.deactivated": _l("Account deactivated"),
    "user.role_changed": _l("Role changed"),
    "supplier.registered": _l("Supplier registered"),
    "supplier.document_added": _l("Document uploaded"),
    "supplier.resubmitted": _l("Sent back for verification"),
    "supplier.verified": _l("Supplier verified"),
    "supplier.rejected": _l("Supplier rejected"),
    "supplier.suspended": _l("Supplier suspended"),
    "supplier.blacklisted": _l("Supplier blacklisted"),
    "supplier.sanction_lifted": _l("Sanction lifted"),
    "product.created": _l("Product created"),
    "product.updated": _l("Product changed"),
    "product.submitted": _l("Product sent for review"),
    "product.published": _l("Product approved and published"),
    "product.rejected": _l("Product rejected"),
    "product.archived": _l("Product archived"),
    "product.image_added": _l("Product photo added"),
    "product.image_removed": _l("Product photo removed"),
    "category.created": _l("Category created"),
    "category.renamed": _l("Category renamed"),
    "category.moved": _l("Category moved to another parent"),
    "category.reordered": _l("Category order changed"),
    "category.deleted": _l("Category deleted"),
    "holiday.added": _l("Holiday added"),
    "holiday.changed": _l("Holiday changed"),
    "holiday.removed": _l("Holiday removed"),
}

_ALL: dict[enum.Enum, object] = {**ROLE_LABELS, **ORG_KIND_LABELS, **SCALE_LABELS, **DOCUMENT_LABELS,
                                  **PRODUCT_STATUS_LABELS, **ORDER_STATUS_LABELS, **ORDER_DOCUMENT_LABELS,
                                  **BUDGET_SOURCE_LABELS, **HOLIDAY_KIND_LABELS}


def label(member: enum.Enum | None) -> str:
    """The translated label of an enum member; its code when none is defined."""
    if member is None:
        return "–"
    return str(_ALL.get(member, member.value))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def certification_label(code: str) -> str:
    return str(CERTIFICATION_LABELS.get(code, code))
