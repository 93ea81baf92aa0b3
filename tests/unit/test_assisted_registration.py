"""Assisted registration and the business size confirmed at verification (services).

A UKPBJ administrator registers a business on its behalf with the same checks as the
business's own registration; its first user is invited by a link that expires, works
once and is replaced by a new invitation; everything is marked assisted in the audit
trail. The verifier confirms the size the NIB states, which then counts for `is_umk`
and the stored flags of the supplier's products.
"""
from __future__ import annotations

import json
from datetime import datetime

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.suppliers import BusinessScale, DocumentKind, VerificationStatus
from pbj.services import accounts, audit, suppliers
from pbj.services.errors import DomainError, NotAllowed, WrongState
from tests import catalogue_helpers
from tests.conftest import PASSWORD
from tests.refusals import refused

PDF = b"%PDF-1.4\n%assisted\n"
MIKRO, KECIL, MENENGAH, BESAR = (BusinessScale.MIKRO, BusinessScale.KECIL, BusinessScale.MENENGAH,
                                 BusinessScale.BESAR)


def _registration(**changes) -> suppliers.Registration:
    data = dict(
        business_name="Tenun Ikat Bu Ani", nib="8120000000001", npwp="01.234.567.8-901.000", scale=MIKRO,
        is_cooperative=False, is_pkp=False, has_pp55_certificate=True, address="Jl. Kalimantan No. 3",
        kecamatan="Singkawang Tengah", region_code="61.72", region_name="Kota Singkawang",
        phone="0562 631234", contact_name="Ani Rahmawati", email="ani.tenun@contoh.id",
    )
    data.update(changes)
    return suppliers.Registration(**data)


def _entries(action: str) -> list[dict]:
    rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
    return [dict(json.loads(e.detail), actor=e.actor_label, object=(e.object_type, e.object_id)) for e in rows]


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN, name="Rina Helpdesk")


# -- Registration on the business's behalf -----------------------------------------------

def test_admin_registers_a_business_whose_user_is_invited(app, admin):
    user, token = suppliers.register_supplier_on_behalf(admin, _registration())
    db.session.commit()
    profile = user.org.supplier
    assert (profile.nib, profile.npwp, profile.scale) == ("8120000000001", "012345678901000", MIKRO)
    assert profile.verification is VerificationStatus.UNVERIFIED
    assert profile.assisted_by == admin
    assert user.role is Role.PENYEDIA and user.email == "ani.tenun@contoh.id"
    assert user.awaits_password and user.password_changed_at is None
    assert accounts.user_for_invitation_token(token) == user
    # No password exists yet, so none works, not even an empty one.
    for guess in ("", PASSWORD, user.password_hash):
        with refused(accounts.LoginRefused, "The e-mail address or password is not correct."):
            accounts.authenticate(user.email, guess)


def test_every_step_is_recorded_as_assisted_with_who_helped(app, admin):
    user, _token = suppliers.register_supplier_on_behalf(admin, _registration())
    profile = user.org.supplier
    suppliers.add_document(admin, profile, DocumentKind.NIB, "nib.pdf", PDF)
    suppliers.reinvite_supplier_user(admin, profile, user)
    db.session.commit()
    org = str(profile.org_id)
    [registered] = _entries("supplier.registered")
    assert registered == dict(actor=admin.email, object=("suppliers", org), assisted=True,
                              nib="8120000000001", name="Tenun Ikat Bu Ani")
    [created] = [e for e in _entries("user.created") if e["object"] == ("users", str(user.id))]
    assert created["actor"] == admin.email and created["org_id"] == profile.org_id
    first, again = _entries("user.invitation_sent")
    assert first == dict(actor=admin.email, object=("users", str(user.id)), assisted=True,
                         email=user.email, supplier_id=profile.org_id)
    assert again["resent"] is True and again["assisted"] is True and again["actor"] == admin.email
    [document] = _entries("supplier.document_added")
    assert document["assisted"] is True and document["actor"] == admin.email
    assert document["supplier_id"] == profile.org_id
    assert audit.verify_chain().ok


def test_the_supplier_own_upload_is_not_marked_assisted(app, create_supplier):
    owner = create_supplier()
    suppliers.add_document(owner, owner.org.supplier, DocumentKind.NIB, "nib.pdf", PDF)
    [document] = _entries("supplier.document_added")
    assert "assisted" not in document and document["actor"] == owner.email


def test_only_an_admin_registers_or_uploads_on_behalf(app, create_user, create_supplier):
    for role in (Role.PP, Role.PPK, Role.BENDAHARA, Role.AUDITOR):
        with refused(NotAllowed, "Only UKPBJ administrators may do this."):
            suppliers.register_supplier_on_behalf(create_user(role), _registration())
    other, victim = create_supplier(), create_supplier()
    with refused(NotAllowed, "Only the supplier itself may do this."):
        suppliers.add_document(other, victim.org.supplier, DocumentKind.NIB, "nib.pdf", PDF)
    auditor = create_user(Role.AUDITOR)
    with refused(NotAllowed, "Only the supplier itself may do this."):
        suppliers.add_document(auditor, victim.org.supplier, DocumentKind.NIB, "nib.pdf", PDF)


def test_a_deactivated_admin_cannot_act_on_behalf(app, admin, create_user, create_supplier):
    accounts.set_active(create_user(Role.ADMIN), admin, False)
    victim = create_supplier()
    with refused(NotAllowed, "Only UKPBJ administrators may do this."):
        suppliers.add_document(admin, victim.org.supplier, DocumentKind.NIB, "nib.pdf", PDF)


# The same input refused the same way as the business's own registration: (change, msgid, field).
# "EXISTING" stands for the NIB of a business already registered (with ada@contoh.id).
SAME_REFUSALS = [
    (dict(nib="812-000"), "NIB must have exactly 13 digits.", "nib"),
    (dict(npwp="01.234"), "NPWP must have 15 or 16 digits.", "npwp"),
    (dict(region_code="6172"), "Write the kota/kabupaten code as two pairs of digits, e.g. 61.72.", "region_code"),
    (dict(nib="EXISTING"), "A business with this NIB is already registered.", "nib"),
    (dict(email="ADA@contoh.id "), "An account with this e-mail address already exists.", "email"),
]


@pytest.mark.parametrize(("change", "msgid", "field"), SAME_REFUSALS, ids=lambda v: v if isinstance(v, str) else None)
def test_invalid_data_is_refused_as_in_self_registration(app, admin, create_supplier, change, msgid, field):
    existing = create_supplier(email="ada@contoh.id").org.supplier.nib
    change = {k: (existing if v == "EXISTING" else v) for k, v in change.items()}
    with refused(DomainError, msgid, field=field):
        suppliers.register_supplier(_registration(password="tenun-ikat-kain-songket-9", **change))
    db.session.rollback()
    with refused(DomainError, msgid, field=field):
        suppliers.register_supplier_on_behalf(admin, _registration(**change))


# -- The invitation link -----------------------------------------------------------------

def test_the_invitation_sets_the_password_once(app, admin):
    user, token = suppliers.register_supplier_on_behalf(admin, _registration())
    accounts.accept_invitation(accounts.user_for_invitation_token(token), "benang-emas-di-tepi-sungai")
    db.session.commit()
    assert not user.awaits_password
    assert accounts.authenticate(user.email, "benang-emas-di-tepi-sungai") == user
    assert accounts.user_for_invitation_token(token) is None  # spent
    [accepted] = _entries("auth.invitation_accepted")
    assert accepted["actor"] == user.email


def test_the_invitation_password_follows_the_policy(app, admin):
    user, token = suppliers.register_supplier_on_behalf(admin, _registration())
    db.session.commit()
    with refused(DomainError, "Password must be at least %(n)d characters.", field="password"):
        accounts.accept_invitation(user, "pendek")
    db.session.rollback()
    assert accounts.user_for_invitation_token(token) == user  # still usable


def test_the_invitation_expires(app, admin):
    user, token = suppliers.register_supplier_on_behalf(admin, _registration())
    assert accounts.user_for_invitation_token(token) == user
    app.config["INVITATION_MAX_AGE_SECONDS"] = -1
    assert accounts.user_for_invitation_token(token) is None


def test_invitation_and_reset_links_are_not_interchangeable(app, admin, create_user):
    user, token = suppliers.register_supplier_on_behalf(admin, _registration())
    assert accounts.user_for_reset_token(token) is None  # another purpose (salt)
    staff = create_user(Role.PP)
    assert accounts.user_for_invitation_token(accounts.make_reset_token(staff)) is None
    # An account with a password has no invitation to accept, even with a well-signed link.
    assert accounts.user_for_invitation_token(accounts.make_invitation_token(staff)) is None


def test_a_new_invitation_voids_the_earlier_link(app, admin):
    user, first = suppliers.register_supplier_on_behalf(admin, _registration())
    second = suppliers.reinvite_supplier_user(admin, user.org.supplier, user)
    assert accounts.user_for_invitation_token(first) is None
    assert accounts.user_for_invitation_token(second) == user


def test_no_new_invitation_once_the_password_is_chosen(app, admin, create_supplier):
    user, token = suppliers.register_supplier_on_behalf(admin, _registration())
    accounts.accept_invitation(user, "benang-emas-di-tepi-sungai")
    with refused(WrongState, "%(name)s has already chosen a password. If it is forgotten, "
                             "\"Forgot your password?\" on the login page sends a new link."):
        suppliers.reinvite_supplier_user(admin, user.org.supplier, user)
    other = create_supplier()
    with refused(NotAllowed, "This account does not belong to this supplier."):
        suppliers.reinvite_supplier_user(admin, other.org.supplier, user)
    with refused(NotAllowed, "Only UKPBJ administrators may do this."):
        suppliers.reinvite_supplier_user(other, user.org.supplier, user)


# -- Business size confirmed at verification -------------------------------------------------

def test_verification_needs_the_size_from_the_nib(app, admin, create_supplier):
    profile = create_supplier(with_document=True).org.supplier
    with refused(DomainError, "Choose the business size that the NIB states: verification confirms it.",
                 field="scale"):
        suppliers.verify_supplier(admin, profile, None)
    db.session.rollback()
    assert profile.verification is VerificationStatus.UNVERIFIED
    assert profile.confirmed_scale is None


def test_the_confirmed_size_is_stored_with_who_and_when(app, admin, create_supplier):
    profile = create_supplier(with_document=True, scale=KECIL).org.supplier
    moment = datetime(2026, 12, 1, 2, 30)
    suppliers.verify_supplier(admin, profile, MENENGAH, now=moment)
    db.session.commit()
    assert (profile.confirmed_scale, profile.scale_confirmed_by, profile.scale_confirmed_at) == (
        MENENGAH, admin, moment)
    assert profile.scale is KECIL  # what the business declared is kept
    assert profile.effective_scale is MENENGAH and profile.verified_at == moment
    [verified] = _entries("supplier.verified")
    assert verified == dict(actor=admin.email, object=("suppliers", str(profile.org_id)), scale="menengah",
                            declared_scale="kecil", is_umk=False)


# Worked cases: (declared, confirmed, cooperative, local) -> is_umk after verification and the
# products' stored flags, priority = preference * 10 + (0 for a local UMK supplier, else 1).
SIZE_CASES = [
    # declared  confirmed  coop   local  -> is_umk  offset
    (MIKRO,     MIKRO,     False, True,     True,   0),  # the NIB agrees: nothing moves
    (MIKRO,     MENENGAH,  False, True,     False,  1),  # not UMK after all: loses the local-UMK place
    (MENENGAH,  KECIL,     False, True,     True,   0),  # UMK after all: gains it
    (KECIL,     BESAR,     True,  True,     True,   0),  # a cooperative counts whatever its size
    (BESAR,     MENENGAH,  False, True,     False,  1),  # neither is UMK
    (MENENGAH,  MIKRO,     False, False,    True,   1),  # UMK, but not local: no local-UMK place
]


@pytest.mark.parametrize(("declared", "confirmed", "coop", "local", "umk", "offset"), SIZE_CASES)
def test_the_confirmed_size_counts_for_umk_and_the_product_flags(app, admin, create_supplier,
                                                                  declared, confirmed, coop, local, umk, offset):
    owner = create_supplier(scale=declared, region_code="61.72" if local else "61.01", with_document=True)
    profile = owner.org.supplier
    profile.is_cooperative = coop
    db.session.commit()
    made = [catalogue_helpers.product(owner, admin, name, publish=False, tkdn=tkdn, pdn=pdn)
            for name, tkdn, pdn in (("Kain Tenun", 45, True), ("Selendang", 0, True), ("Benang Impor", 0, False))]
    suppliers.verify_supplier(admin, profile, confirmed)
    db.session.commit()
    db.session.expire_all()
    assert profile.is_umk is umk
    for item in made:
        assert item.supplier_is_umk is umk, item.name
        assert item.supplier_is_local is local
        assert item.priority == item.preference * 10 + offset, item.name


def test_products_of_other_suppliers_are_left_alone(app, admin, create_supplier):
    owner, bystander = (create_supplier(scale=MIKRO, with_document=True),
                        create_supplier(scale=MIKRO, with_document=True))
    theirs = catalogue_helpers.product(bystander, admin, "Kue Bystander", publish=False)
    before = (theirs.supplier_is_umk, theirs.priority, theirs.updated_at)
    suppliers.verify_supplier(admin, owner.org.supplier, BESAR)
    db.session.commit()
    db.session.expire_all()
    assert (theirs.supplier_is_umk, theirs.priority, theirs.updated_at) == before


def test_a_verified_supplier_size_is_confirmed_again_from_the_nib(app, admin, create_supplier):
    """Suppliers verified before sizes were confirmed, or whose NIB changed, get theirs here."""
    owner = create_supplier(scale=KECIL, with_document=True)
    profile = owner.org.supplier
    with refused(WrongState, "Confirm the business size when you verify this supplier."):
        suppliers.confirm_business_scale(admin, profile, MENENGAH)
    item = catalogue_helpers.product(owner, admin, "Kain Songket")  # verifies it as declared
    assert profile.confirmed_scale is KECIL and item.supplier_is_umk
    with refused(DomainError, "Choose the business size that the NIB states: verification confirms it.",
                 field="scale"):
        suppliers.confirm_business_scale(admin, profile, None)
    with refused(NotAllowed, "Only UKPBJ administrators may do this."):
        suppliers.confirm_business_scale(owner, profile, MENENGAH)
    moment = datetime(2026, 12, 2, 1, 0)
    suppliers.confirm_business_scale(admin, profile, MENENGAH, now=moment)
    db.session.commit()
    db.session.expire_all()
    assert (profile.confirmed_scale, profile.scale_confirmed_at, profile.is_umk) == (MENENGAH, moment, False)
    assert not item.supplier_is_umk and item.priority == item.preference * 10 + 1
    [entry] = _entries("supplier.scale_confirmed")
    assert entry == dict(actor=admin.email, object=("suppliers", str(profile.org_id)), scale="menengah",
                         previous="kecil", declared_scale="kecil", is_umk=False)
