"""Human labels for domain codes (roles, scales, documents, audit actions)."""
from __future__ import annotations

import enum
from datetime import datetime

from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import OrgKind, Role
from pbj.models.catalogue import Preference, ProductStatus, RevisionStatus
from pbj.models.holidays import HolidayKind
from pbj.models.orders import BudgetSource, HandoverRest, OfferSide, OrderDocumentKind, OrderStatus, PaymentMethod
from pbj.models.packages import ProcurementMethod
from pbj.models.suppliers import BusinessScale, DocumentKind, Sanction
from pbj.services.events import ORDER_EVENT_LABELS, ORDER_STATUS_LABELS
from pbj.web.i18n import local_date, local_datetime, rupiah

ROLE_LABELS = {
    Role.PENYEDIA: _l("Supplier (penyedia)"),
    Role.PP: _l("Procurement officer (PP)"),
    Role.PPK: _l("Commitment officer (PPK)"),
    Role.BENDAHARA: _l("Expenditure treasurer (bendahara pengeluaran)"),
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

PAYMENT_METHOD_LABELS = {
    PaymentMethod.UP_GU: _l("UP/GU (from the treasurer's revolving fund)"),
    PaymentMethod.LS: _l("LS (direct transfer to the supplier)"),
    PaymentMethod.KKPD: _l("KKPD (regional government credit card)"),
}
METHOD_LABELS = {
    ProcurementMethod.E_PURCHASING: "E-Purchasing",
    ProcurementMethod.PENGADAAN_LANGSUNG: "Pengadaan Langsung",
    ProcurementMethod.PENUNJUKAN_LANGSUNG: "Penunjukan Langsung",
    ProcurementMethod.TENDER: "Tender",
    ProcurementMethod.TENDER_CEPAT: "Tender Cepat",
    ProcurementMethod.SELEKSI: "Seleksi",
    ProcurementMethod.DIKECUALIKAN: "Dikecualikan",
}

# The default lawful grounds (config PREFERENCE_GROUNDS); another code shows its configured label.
GROUND_LABELS = {
    "not_available": _l("Not available"),
    "volume_not_enough": _l("Volume/quantity not enough for the need"),
    "none": _l("Not recorded (before the list of grounds)"),
}


def ground_label(code: str | None) -> str:
    from flask import current_app

    if code is None:
        return str(GROUND_LABELS["none"])
    if code in GROUND_LABELS:
        return str(GROUND_LABELS[code])
    return str(current_app.config["PREFERENCE_GROUNDS"].get(code, code))


def package_choice_label(package, used: int) -> str:
    """"41234567 — Belanja ATK (sisa pagu Rp 1.000.000)" for the checkout's select."""
    left = f"{max(0, package.pagu - used):,}".replace(",", ".")
    return str(_l("%(code)s — %(name)s (pagu left: Rp %(left)s)", code=package.rup_code, name=package.name,
                  left=left))


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
    "flag.reviewed": _l("Marked a risk flag reviewed"),
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
    "user.nip_changed": _l("NIP changed"),
    "user.particulars_changed": _l("Particulars for the conflict-of-interest check changed"),
    "org.address_changed": _l("Address changed"),
    "user.invitation_sent": _l("Invitation to choose a password sent"),
    "auth.invitation_accepted": _l("Password chosen through the invitation"),
    "supplier.registered": _l("Supplier registered"),
    "supplier.pp55_updated": _l("PP 55/2022 certificate changed"),
    "supplier.payee_updated": _l("Owner or bank account changed"),
    "supplier.document_added": _l("Document uploaded"),
    "supplier.resubmitted": _l("Sent back for verification"),
    "supplier.verified": _l("Supplier verified"),
    "supplier.scale_confirmed": _l("Business size confirmed from the NIB"),
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
    "product.revision_submitted": _l("Product change sent for review"),
    "product.revision_approved": _l("Product change approved"),
    "product.revision_rejected": _l("Product change not approved"),
    "product.revision_withdrawn": _l("Product change withdrawn"),
    "category.created": _l("Category created"),
    "category.renamed": _l("Category renamed"),
    "category.moved": _l("Category moved to another parent"),
    "category.reordered": _l("Category order changed"),
    "category.deleted": _l("Category deleted"),
    "rup.package_added": _l("RUP package added"),
    "rup.package_changed": _l("RUP package changed"),
    "rup.imported": _l("RUP register imported from CSV"),
    "holiday.added": _l("Holiday added"),
    "holiday.changed": _l("Holiday changed"),
    "holiday.removed": _l("Holiday removed"),
    "budget.set": _l("OPD goods/services budget entered"),
    "audit.verified": _l("Audit trail checked"),
}

# Domestic-preference ranks in words (cards, product page, comparison). Never a TKDN
# figure for a product without a TKDN certificate: those rank by SIINas or as plain PDN.
PREFERENCE_LABELS = {
    Preference.TKDN_BMP_40: _l("TKDN+BMP ≥ 40%"),
    Preference.TKDN_25: _l("TKDN ≥ 25%"),
    Preference.TKDN_LOW: _l("Certified TKDN below 25%"),
    Preference.SIINAS: _l("Registered in SIINas"),
    Preference.DOMESTIC: _l("PDN without a TKDN certificate"),
    Preference.IMPORT: _l("Import"),
}

REVISION_STATUS_LABELS = {
    RevisionStatus.PENDING: _l("Waiting for review"),
    RevisionStatus.APPROVED: _l("Approved"),
    RevisionStatus.REJECTED: _l("Not approved"),
    RevisionStatus.REPLACED: _l("Replaced by a newer change"),
    RevisionStatus.WITHDRAWN: _l("Withdrawn"),
}

# What a partial BAST decided about the rest (models.orders.HandoverRest).
REST_LABELS = {HandoverRest.OPEN: _l("Left open for delivery"), HandoverRest.CANCELLED: _l("Cancelled")}

_ALL: dict[enum.Enum, object] = {**REST_LABELS, **REVISION_STATUS_LABELS, **ROLE_LABELS, **ORG_KIND_LABELS, **SCALE_LABELS, **DOCUMENT_LABELS,
                                  **PRODUCT_STATUS_LABELS, **ORDER_STATUS_LABELS, **ORDER_DOCUMENT_LABELS,
                                  **BUDGET_SOURCE_LABELS, **METHOD_LABELS, **PAYMENT_METHOD_LABELS, **HOLIDAY_KIND_LABELS}


def label(member: enum.Enum | None) -> str:
    """The translated label of an enum member; its code when none is defined."""
    if member is None:
        return "–"
    return str(_ALL.get(member, member.value))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def preference_label(rank: int) -> str:
    return str(PREFERENCE_LABELS[Preference(rank)])


def certification_label(code: str) -> str:
    return str(CERTIFICATION_LABELS.get(code, code))


# -- Audit entry details, in words --------------------------------------------------------

# The keys services write into audit details (pbj.services.*: `audit.record(..., key=value)`).
DETAIL_LABELS = {
    "flag_key": _l("Flag key"), "note": _l("Note"),
    "reason": _l("Reason"), "name": _l("Name"), "code": _l("Code"), "email": _l("E-mail address"),
    "role": _l("Role"), "kind": _l("Kind"), "old": _l("Before"), "new": _l("After"), "nib": "NIB",
    "org_id": _l("Organisation number"), "supplier_id": _l("Supplier number"), "ppk_id": _l("PPK number"),
    "sha256": _l("Hash value (SHA-256)"), "until": _l("Until"), "sanction": _l("Sanction"),
    "stops_order": _l("Stops the order"), "price": _l("Price"), "price_old": _l("Old price"),
    "price_new": _l("New price"), "back_to_review": _l("Back to review"),
    "on_behalf": _l("On the supplier's behalf"), "image_id": _l("Photo number"), "slug": _l("Slug"),
    "old_name": _l("Old name"), "old_slug": _l("Old slug"),
    "old_parent_id": _l("Old parent category number"), "parent_id": _l("Parent category number"),
    "round": _l("Round"), "side": _l("Side"), "total": _l("Total"), "items": _l("Number of items"),
    "justified": _l("Justification written"), "sp_number": _l("Surat Pesanan number"),
    "delivery_id": _l("Delivery number"), "note_number": _l("Delivery note (surat jalan) number"),
    "quantities": _l("Quantities"), "complete": _l("Everything delivered"), "bast_number": _l("BAST number"),
    "value": _l("Value"), "received": _l("Quantities received"), "photo": _l("Photo"),
    "reference": _l("Payment reference"), "gross": _l("Gross"), "dpp": "DPP", "ppn": "PPN", "pph": "PPh",
    "net": _l("Net"), "paid_on": _l("Date paid"), "stars": _l("Stars"), "deadline": _l("Deadline"),
    "assisted": _l("Registered with UKPBJ help"), "resent": _l("Sent again"),
    "revision_id": _l("Change number"), "replaced_revision_id": _l("Replaces change number"),
    "fields": _l("Changed"), "missed_by": _l("Deadline missed by"), "day": _l("Date"),
    "scale": _l("Business size"), "declared_scale": _l("Declared business size"),
    "is_umk": _l("Micro or small business (UMK)"), "rup_code": _l("Kode RUP"), "pagu": _l("Pagu"),
    "method": _l("Procurement method"), "source": _l("Funding source"), "year": _l("Budget year"),
    "preference_ground": _l("Ground for a lower preference step"), "ground_accepted": _l("Ground accepted"),
    "added": _l("Added"), "updated": _l("Updated"), "before": _l("Before"),
    "rest": _l("The undelivered rest"), "cancelled": _l("Quantities cancelled"),
    "penalty": _l("Late-delivery penalty"), "penalty_computed": _l("Penalty computed"),
    "transferred": _l("Transferred to the supplier"), "sp2d_number": _l("SP2D number"),
    "payment_method": _l("Payment method"), "nip": "NIP", "previous_nip": _l("Previous NIP"),
    "owner_name": _l("Owner or person in charge"), "previous_owner_name": _l("Previous owner"),
    "bank_name": _l("Bank"), "bank_account": _l("Bank account number"),
    "previous_bank_account": _l("Previous bank account number"), "phone": _l("Telephone"), "npwp": "NPWP",
    "address": _l("Address"), "previous_address": _l("Previous address"),
    "listing_clock_restarted": _l("Listing-age clock restarted"),
    "previous": _l("Before"), "has_certificate": _l("Has a certificate"), "number": _l("Number"),
    "valid_from": _l("Valid from"), "valid_until": _l("Valid until"), "direction": _l("Moved"),
    "position": _l("Position"), "old_position": _l("Old position"), "status": _l("Status"),
    "checked": _l("Entries checked"), "intact": _l("Chain intact"), "first_broken_id": _l("First broken entry"),
    "problem": _l("Problem"),
}
MONEY_DETAILS = {"total", "price", "price_old", "price_new", "value", "gross", "dpp", "ppn", "pph", "net",
                 "pagu", "penalty", "penalty_computed", "transferred", "before"}  # "before": a budget's old amount
DATE_DETAILS = {"paid_on", "until", "deadline", "day", "valid_from", "valid_until"}  # stored as ISO text
# Who missed a deadline (services.orders.lifecycle.expire_overdue).
MISSED_BY_LABELS = {"supplier": _l("the supplier"), "buyer": _l("the buyer (PP)"), "ppk": _l("the PPK")}
# Codes stored in details, by key: shown with the code's label.
DETAIL_CODES: dict[str, tuple[type[enum.Enum], ...]] = {
    "role": (Role,), "new": (Role,), "old": (Role, Sanction), "kind": (OrgKind, DocumentKind, HolidayKind),
    "sanction": (Sanction,), "side": (OfferSide,), "status": (OrderStatus, ProductStatus),
    "scale": (BusinessScale,), "declared_scale": (BusinessScale,), "previous": (BusinessScale,), "method": (ProcurementMethod,),
    "source": (BudgetSource,), "payment_method": (PaymentMethod,), "rest": (HandoverRest,),
}
OFFER_SIDE_LABELS = {OfferSide.BUYER: _l("buyer"), OfferSide.SUPPLIER: _l("supplier")}
SANCTION_LABELS = {Sanction.NONE: _l("No sanction"), Sanction.SUSPENDED: _l("Suspended"),
                   Sanction.BLACKLISTED: _l("Blacklisted")}


# services.audit.verify_chain's problems.
CHAIN_PROBLEM_LABELS = {
    "missing entry": _l("an entry is missing"),
    "link to previous entry does not match": _l("the link to the previous entry does not match"),
    "content does not match its hash": _l("the content does not match its fingerprint"),
}
DIRECTION_LABELS = {"up": _l("up"), "down": _l("down")}
POSITION_DETAILS = {"position", "old_position"}  # stored from 0; people count from 1


def _detail_value(key: str, value) -> str:
    if key == "missed_by" and value in MISSED_BY_LABELS:
        return str(MISSED_BY_LABELS[value])
    if key == "problem" and value in CHAIN_PROBLEM_LABELS:
        return str(CHAIN_PROBLEM_LABELS[value])
    if key == "direction" and value in DIRECTION_LABELS:
        return str(DIRECTION_LABELS[value])
    if key in POSITION_DETAILS and isinstance(value, int) and not isinstance(value, bool):
        return str(value + 1)
    if key == "preference_ground" and isinstance(value, str):
        return ground_label(value)
    if key == "fields" and isinstance(value, list):
        from pbj.web.revision_diff import FIELD_LABELS  # it imports this module

        return ", ".join(str(FIELD_LABELS.get(v, v)) for v in value)
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if key in MONEY_DETAILS and isinstance(value, int):
        return rupiah(value)
    if isinstance(value, dict):
        return ", ".join(f"#{k}: {v}" for k, v in value.items())
    if key in DATE_DETAILS and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return local_date(moment.date()) if len(value) == 10 else local_datetime(moment)
    if isinstance(value, str):
        for kind in DETAIL_CODES.get(key, ()):
            try:
                member = kind(value)
            except ValueError:
                continue
            return str({**_ALL, **OFFER_SIDE_LABELS, **SANCTION_LABELS}.get(member, value))
    return "–" if value is None else str(value)


def detail_items(entry) -> list[tuple[str, str]]:
    """An audit entry's details as (label, value) in words: codes named, money in rupiah,
    yes/no for flags. A key without a label (a new one) is shown as it is stored."""
    return [(str(DETAIL_LABELS.get(key, key)), _detail_value(key, value))
            for key, value in entry.detail_data.items()]


# Tax classes of a product (services.taxes.TAX_CLASSES), with the plain hint the form shows.
TAX_CLASS_LABELS = {
    "goods": _l("Goods (PPh 22)"),
    "services": _l("Service, e.g. cleaning or laundry (PPh 23)"),
    "pbjt": _l("Restaurant or catering food and drink, e.g. nasi kotak or snacks (regional tax PBJT, no PPN)"),
    "staple": _l("Basic staple exempt from PPN, e.g. eggs, vegetables, fruit, sugar, salt (PPh 22)"),
    "rice": _l("Rice or unhulled rice (beras, gabah): no PPN and no PPh 22"),
}
