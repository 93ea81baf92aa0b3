"""Supplier registration, documents, verification and sanctions."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import current_app

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.suppliers import (
    BusinessScale,
    DocumentKind,
    Sanction,
    SupplierDocument,
    SupplierProfile,
    VerificationStatus,
)
from pbj.services import accounts, audit, orders, passwords
from pbj.services.errors import DomainError, NotAllowed, WrongState
from pbj.services.uploads import require_upload_quota, store_document

_NON_DIGITS = re.compile(r"\D")
_REGION_CODE = re.compile(r"^\d{2}\.\d{2}$")


def clean_nib(value: str) -> str:
    digits = _NON_DIGITS.sub("", value or "")
    if len(digits) != 13:
        raise DomainError(_l("NIB must have exactly 13 digits."), field="nib")
    return digits


def clean_npwp(value: str) -> str:
    """Accept the old 15-digit and the new 16-digit NPWP, with or without dots."""
    digits = _NON_DIGITS.sub("", value or "")
    if len(digits) not in (15, 16):
        raise DomainError(_l("NPWP must have 15 or 16 digits."), field="npwp")
    return digits


def clean_region_code(value: str) -> str:
    value = (value or "").strip()
    if not _REGION_CODE.match(value):
        raise DomainError(_l("Write the kota/kabupaten code as two pairs of digits, e.g. 61.72."), field="region_code")
    return value


@dataclass
class Registration:
    business_name: str
    nib: str
    npwp: str
    scale: BusinessScale
    is_cooperative: bool
    is_pkp: bool
    has_pp55_certificate: bool
    address: str
    kecamatan: str
    region_code: str
    region_name: str
    phone: str
    contact_name: str
    email: str
    # None when a UKPBJ administrator registers the business: its user is invited by e-mail.
    password: str | None = None


def _check_registration(reg: Registration) -> tuple[str, str, str]:
    """The cleaned NIB, NPWP and region code; DomainError on the field that is wrong."""
    nib = clean_nib(reg.nib)
    npwp = clean_npwp(reg.npwp)
    region_code = clean_region_code(reg.region_code)
    if db.session.scalar(sa.select(SupplierProfile.org_id).where(SupplierProfile.nib == nib)):
        raise DomainError(_l("A business with this NIB is already registered."), field="nib")
    if accounts.find_user_by_email(reg.email) is not None:
        raise DomainError(_l("An account with this e-mail address already exists."), field="email")
    return nib, npwp, region_code


def _create_profile(reg: Registration, nib: str, npwp: str, region_code: str,
                    assisted_by: User | None = None) -> SupplierProfile:
    org = Organisation(kind=OrgKind.SUPPLIER, name=reg.business_name.strip())
    profile = SupplierProfile(
        org=org,
        nib=nib,
        npwp=npwp,
        scale=reg.scale,
        is_cooperative=reg.is_cooperative,
        is_pkp=reg.is_pkp,
        has_pp55_certificate=reg.has_pp55_certificate,
        address=reg.address.strip(),
        kecamatan=reg.kecamatan.strip(),
        region_code=region_code,
        region_name=reg.region_name.strip(),
        phone=reg.phone.strip(),
        verification=VerificationStatus.UNVERIFIED,
        sanction=Sanction.NONE,
        assisted_by=assisted_by,
    )
    db.session.add_all([org, profile])
    db.session.flush()
    return profile


def register_supplier(reg: Registration, ip_address: str | None = None) -> User:
    """Create the supplier organisation, its profile and its first user (unverified)."""
    nib, npwp, region_code = _check_registration(reg)
    # Before anything is written (create_user checks again with the same details).
    passwords.check_policy(reg.password or "", email=accounts.normalise_email(reg.email),
                           names=(reg.contact_name, reg.business_name))
    profile = _create_profile(reg, nib, npwp, region_code)
    audit.record("supplier.registered", None, profile, ip_address=ip_address,
                 actor_label=accounts.normalise_email(reg.email), nib=nib, name=profile.org.name)
    return accounts.create_user(
        None, org=profile.org, email=reg.email, name=reg.contact_name, role=Role.PENYEDIA,
        password=reg.password or "",
    )


def register_supplier_on_behalf(actor: User, reg: Registration,
                                ip_address: str | None = None) -> tuple[User, str]:
    """A UKPBJ administrator registers a business for it (assisted registration).

    The same checks as the business's own registration; its first user gets no password
    but an invitation link (returned with the user, for the caller to e-mail after the
    commit). The profile keeps who helped, and every entry is marked assisted.
    """
    accounts.require_admin(actor)
    nib, npwp, region_code = _check_registration(reg)
    profile = _create_profile(reg, nib, npwp, region_code, assisted_by=actor)
    audit.record("supplier.registered", actor, profile, ip_address=ip_address, nib=nib,
                 name=profile.org.name, assisted=True)
    user = accounts.create_user(actor, org=profile.org, email=reg.email, name=reg.contact_name,
                                role=Role.PENYEDIA, password=None)
    audit.record("user.invitation_sent", actor, user, email=user.email, supplier_id=profile.org_id,
                 assisted=True)
    return user, accounts.make_invitation_token(user)


def reinvite_supplier_user(actor: User, supplier: SupplierProfile, user: User) -> str:
    """A new invitation link for a supplier's user who has not chosen a password yet."""
    if user.org_id != supplier.org_id:
        raise NotAllowed(_l("This account does not belong to this supplier."))
    return accounts.renew_invitation(actor, user, supplier_id=supplier.org_id, assisted=True)


def _printable(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isprintable())


def _require_owner(actor: User, supplier: SupplierProfile) -> None:
    if actor.role is not Role.PENYEDIA or actor.org_id != supplier.org_id:
        raise NotAllowed(_l("Only the supplier itself may do this."))


def _on_behalf(actor: User, supplier: SupplierProfile) -> bool:
    """True for a UKPBJ administrator acting for the supplier (assisted); the supplier's own
    users act for themselves; anybody else is refused."""
    if actor is not None and actor.role is Role.ADMIN:
        accounts.require_admin(actor)  # and active
        return True
    _require_owner(actor, supplier)
    return False


def add_document(actor: User, supplier: SupplierProfile, kind: DocumentKind,
                 filename: str, data: bytes, now: datetime | None = None) -> SupplierDocument:
    """Store a verification document. A rejected supplier goes back to the queue.
    Documents count against the supplier's hourly upload limit (uploads.require_upload_quota).
    A UKPBJ administrator may upload for the supplier: the entry says it was assisted."""
    on_behalf = _on_behalf(actor, supplier)
    now = now or utcnow()
    require_upload_quota(actor, supplier, 1, now, field="file")
    stored = store_document(data, current_app.config["DOCUMENT_MAX_BYTES"])
    doc = SupplierDocument(
        supplier=supplier,
        kind=kind,
        original_name=_printable(filename)[-255:] or "dokumen",
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=actor,
        uploaded_at=now,
    )
    db.session.add(doc)
    db.session.flush()
    assisted = {"assisted": True} if on_behalf else {}
    audit.record("supplier.document_added", actor, doc, at=now, supplier_id=supplier.org_id,
                 kind=kind.value, sha256=stored.sha256, **assisted)
    if supplier.verification is VerificationStatus.REJECTED:
        supplier.verification = VerificationStatus.UNVERIFIED
        audit.record("supplier.resubmitted", actor, supplier, **assisted)
    return doc


def _require_scale(scale: BusinessScale | None) -> BusinessScale:
    if scale is None:
        raise DomainError(_l("Choose the business size that the NIB states: verification confirms it."),
                          field="scale")
    return scale


def _confirm_scale(actor: User, supplier: SupplierProfile, scale: BusinessScale, now: datetime) -> None:
    """Store the size the NIB states; when that changes whether the business is UMK, its
    products' stored rank flags follow in the same transaction."""
    was_umk = supplier.is_umk
    supplier.confirmed_scale = scale
    supplier.scale_confirmed_by = actor
    supplier.scale_confirmed_at = now
    if supplier.is_umk != was_umk:
        _refresh_product_ranks(supplier)


def verify_supplier(actor: User, supplier: SupplierProfile, scale: BusinessScale | None,
                    now: datetime | None = None) -> None:
    """Verify the supplier, confirming its business size as its NIB states it (required).

    The confirmed size counts from now on (`SupplierProfile.effective_scale`, `is_umk`); when
    it changes whether the business is UMK, its products' stored rank flags follow.
    """
    accounts.require_admin(actor)
    if supplier.verification is VerificationStatus.VERIFIED:
        raise WrongState(_l("This supplier is already verified."))
    if not supplier.documents:
        raise WrongState(_l("The supplier has not uploaded any documents yet."))
    scale = _require_scale(scale)
    now = now or utcnow()
    supplier.verification = VerificationStatus.VERIFIED
    supplier.verification_note = None
    supplier.verified_at = now
    _confirm_scale(actor, supplier, scale, now)
    audit.record("supplier.verified", actor, supplier, at=now, scale=scale.value,
                 declared_scale=supplier.scale.value, is_umk=supplier.is_umk)


def confirm_business_scale(actor: User, supplier: SupplierProfile, scale: BusinessScale | None,
                           now: datetime | None = None) -> None:
    """Confirm (again) the size of a verified supplier from its NIB: one verified before sizes
    were confirmed, or whose NIB now states another size. Unverified suppliers get theirs
    at verification."""
    accounts.require_admin(actor)
    if supplier.verification is not VerificationStatus.VERIFIED:
        raise WrongState(_l("Confirm the business size when you verify this supplier."))
    scale = _require_scale(scale)
    now = now or utcnow()
    previous = supplier.confirmed_scale
    _confirm_scale(actor, supplier, scale, now)
    audit.record("supplier.scale_confirmed", actor, supplier, at=now, scale=scale.value,
                 previous=previous.value if previous else None, declared_scale=supplier.scale.value,
                 is_umk=supplier.is_umk)


def _refresh_product_ranks(supplier: SupplierProfile) -> None:
    """The supplier's UMK flag is stored on each of its products (for the catalogue's filters
    and order): refresh them, as the catalogue does on every save."""
    from pbj.models.catalogue import Product
    from pbj.services.catalogue import _refresh_rank

    for product in db.session.scalars(sa.select(Product).where(Product.supplier_id == supplier.org_id)):
        _refresh_rank(product, supplier)


def reject_supplier(actor: User, supplier: SupplierProfile, reason: str) -> None:
    accounts.require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason the supplier can act on."), field="reason")
    if supplier.verification is VerificationStatus.REJECTED:
        raise WrongState(_l("This supplier is already rejected."))
    supplier.verification = VerificationStatus.REJECTED
    supplier.verification_note = reason
    audit.record("supplier.rejected", actor, supplier, reason=reason)


def sanction_supplier(actor: User, supplier: SupplierProfile, sanction: Sanction,
                      reason: str, until: date | None, today: date, now: datetime | None = None) -> None:
    """Suspend or blacklist a supplier until a date (blacklisting needs an end date too).

    It takes effect at once: orders not yet approved stop (pbj.services.orders refuses to
    confirm, negotiate or approve them) and every order it touches records the event.
    """
    accounts.require_admin(actor)
    if sanction is Sanction.NONE:
        raise DomainError(_l("Choose suspend or blacklist."), field="sanction")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for the sanction."), field="reason")
    if until is None or until <= today:
        raise DomainError(_l("The end date must be after today."), field="until")
    supplier.sanction = sanction
    supplier.sanction_reason = reason
    supplier.sanction_until = until
    now = now or utcnow()
    audit.record(f"supplier.{sanction.value}", actor, supplier, at=now, reason=reason,
                 until=until.isoformat())
    orders.record_supplier_sanction(actor, supplier, now)


def lift_sanction(actor: User, supplier: SupplierProfile) -> None:
    accounts.require_admin(actor)
    if supplier.sanction is Sanction.NONE:
        raise WrongState(_l("This supplier has no sanction."))
    old = supplier.sanction
    supplier.sanction = Sanction.NONE
    supplier.sanction_reason = None
    supplier.sanction_until = None
    audit.record("supplier.sanction_lifted", actor, supplier, old=old.value)


def verification_queue() -> list[SupplierProfile]:
    """Suppliers waiting for a decision, oldest registration first."""
    return db.session.scalars(
        sa.select(SupplierProfile)
        .join(SupplierProfile.org)
        .options(selectinload(SupplierProfile.documents))
        .where(SupplierProfile.verification == VerificationStatus.UNVERIFIED)
        .order_by(Organisation.created_at)
    ).all()


def update_pp55_certificate(actor: User, profile: SupplierProfile, has_certificate: bool, number: str | None,
                            valid_from: date | None, valid_until: date | None, now: datetime | None = None) -> None:
    """The supplier's PP 55/2022 certificate (Surat Keterangan): number and validity. It
    gives the final 0.5 % tax instead of PPh 22/23 on orders whose SP falls inside the
    validity (fixed at the SP); the supplier itself or a UKPBJ administrator edits it."""
    if not ((actor.role is Role.PENYEDIA and actor.org_id == profile.org_id) or actor.role is Role.ADMIN):
        raise NotAllowed(_l("Only the supplier itself or a UKPBJ administrator may change its tax data."))
    number = (number or "").strip()
    if has_certificate:
        if not number:
            raise DomainError(_l("Enter the number of the PP 55/2022 certificate (Surat Keterangan)."),
                              field="pp55_number")
        if len(number) > 60:
            raise DomainError(_l("Use at most %(max)d characters.", max=60), field="pp55_number")
        if valid_from is None:
            raise DomainError(_l("Enter the date the certificate is valid from."), field="pp55_valid_from")
        if valid_until is None:
            raise DomainError(_l("Enter the date the certificate is valid until."), field="pp55_valid_until")
        if valid_until < valid_from:
            raise DomainError(_l("The certificate cannot end before it starts."), field="pp55_valid_until")
    else:
        number, valid_from, valid_until = "", None, None
    profile.has_pp55_certificate = bool(has_certificate)
    profile.pp55_number = number or None
    profile.pp55_valid_from, profile.pp55_valid_until = valid_from, valid_until
    audit.record("supplier.pp55_updated", actor, profile, at=now or utcnow(), has_certificate=bool(has_certificate),
                 number=number or None, valid_from=valid_from.isoformat() if valid_from else None,
                 valid_until=valid_until.isoformat() if valid_until else None)


def clean_bank_account(value: str | None, field: str = "bank_account") -> str | None:
    """An account number as its digits (banks print them with spaces, dots or dashes);
    None when left empty."""
    digits = _NON_DIGITS.sub("", value or "")
    if not digits:
        return None
    if not 6 <= len(digits) <= 20:
        raise DomainError(_l("An account number has 6 to 20 digits."), field=field)
    return digits


def update_owner_and_bank(actor: User, profile: SupplierProfile, owner_name: str | None, bank_name: str | None,
                          bank_account: str | None, now: datetime | None = None) -> None:
    """The owner or person in charge (as in the NIB) and the account LS payments go to.
    A change of account is the classic way to divert a payment: the trail keeps the old
    and the new one."""
    if not ((actor.role is Role.PENYEDIA and actor.org_id == profile.org_id) or actor.role is Role.ADMIN):
        raise NotAllowed(_l("Only the supplier itself or a UKPBJ administrator may change its owner or account."))
    owner_name = " ".join(_printable(owner_name).split())
    bank_name = " ".join(_printable(bank_name).split())
    if not owner_name:
        raise DomainError(_l("Enter the name of the owner or person in charge."), field="owner_name")
    if len(owner_name) > 120:
        raise DomainError(_l("Use at most %(max)d characters.", max=120), field="owner_name")
    if len(bank_name) > 60:
        raise DomainError(_l("Use at most %(max)d characters.", max=60), field="bank_name")
    account = clean_bank_account(bank_account)
    if account and not bank_name:
        raise DomainError(_l("Enter the bank of the account."), field="bank_name")
    if bank_name and not account:
        raise DomainError(_l("Enter the account number."), field="bank_account")
    before = {"owner_name": profile.owner_name, "bank_name": profile.bank_name, "bank_account": profile.bank_account}
    profile.owner_name, profile.bank_name, profile.bank_account = owner_name, bank_name or None, account
    audit.record("supplier.payee_updated", actor, profile, at=now or utcnow(), owner_name=owner_name,
                 bank_name=bank_name or None, bank_account=account,
                 previous_bank_account=before["bank_account"], previous_owner_name=before["owner_name"])
