from datetime import date, timedelta

import pytest

from pbj.models.accounts import Role
from pbj.models.suppliers import BusinessScale, DocumentKind, Sanction, VerificationStatus
from pbj.services import suppliers
from pbj.services.errors import DomainError, NotAllowed, WrongState
from tests.refusals import refused

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.mark.parametrize("raw, expected", [
    ("1234567890123", "1234567890123"),
    ("12.3456.7890.123", "1234567890123"),
])
def test_nib_accepts_13_digits_with_separators(raw, expected):
    assert suppliers.clean_nib(raw) == expected


@pytest.mark.parametrize("raw", ["123456789012", "12345678901234", "abcdefghijklm", ""])
def test_nib_refuses_other_lengths(raw):
    with refused(DomainError, "NIB must have exactly 13 digits.", field="nib"):
        suppliers.clean_nib(raw)


@pytest.mark.parametrize("raw, ok", [
    ("01.234.567.8-901.000", True),  # old 15-digit format
    ("1234567890123456", True),      # 16-digit (NIK-based) format
    ("12345678901234", False),
    ("12345678901234567", False),
])
def test_npwp_has_15_or_16_digits(raw, ok):
    if ok:
        assert len(suppliers.clean_npwp(raw)) in (15, 16)
    else:
        with refused(DomainError, "NPWP must have 15 or 16 digits.", field="npwp"):
            suppliers.clean_npwp(raw)


def test_new_supplier_starts_unverified_and_local_by_region_code(app, create_supplier):
    local = create_supplier(region_code="61.72").org.supplier
    outside = create_supplier(region_code="61.01").org.supplier
    assert local.verification is VerificationStatus.UNVERIFIED
    assert local.is_local(app.config["CITY_REGION_CODE"])
    assert not outside.is_local(app.config["CITY_REGION_CODE"])


@pytest.mark.parametrize("scale, coop, umk", [
    (BusinessScale.MIKRO, False, True), (BusinessScale.KECIL, False, True),
    (BusinessScale.MENENGAH, False, False), (BusinessScale.MENENGAH, True, True),
    (BusinessScale.BESAR, False, False),
])
def test_umk_counts_micro_small_and_cooperatives(app, create_supplier, scale, coop, umk):
    profile = create_supplier(scale=scale).org.supplier
    profile.is_cooperative = coop
    assert profile.is_umk is umk


def test_duplicate_nib_is_refused(app, create_supplier):
    first = create_supplier().org.supplier
    with refused(DomainError, "A business with this NIB is already registered.", field="nib"):
        suppliers.register_supplier(suppliers.Registration(
            business_name="Lain", nib=first.nib, npwp="1" * 16, scale=BusinessScale.MIKRO,
            is_cooperative=False, is_pkp=False, has_pp55_certificate=False, address="Jl. A",
            kecamatan="Singkawang Barat", region_code="61.72", region_name="Kota Singkawang",
            phone="0562 1", contact_name="B", email="lain@contoh.id", password="kata-sandi-uji",
        ))


def test_document_checked_by_content_not_name(app, create_supplier):
    user = create_supplier()
    with refused(DomainError, "Only PDF, JPEG or PNG files are accepted.", field="file"):
        suppliers.add_document(user, user.org.supplier, DocumentKind.NIB, "nib.pdf", b"MZ\x90\x00 not a pdf")
    doc = suppliers.add_document(user, user.org.supplier, DocumentKind.NIB, "scan.exe", PDF)
    assert doc.content_type == "application/pdf"
    assert doc.stored_name.endswith(".pdf") and "scan" not in doc.stored_name


def test_supplier_cannot_add_documents_to_another(app, create_supplier):
    a, b = create_supplier(), create_supplier()
    with pytest.raises(NotAllowed):
        suppliers.add_document(a, b.org.supplier, DocumentKind.NIB, "nib.pdf", PDF)


def test_verify_needs_documents_and_an_admin(app, create_supplier, create_user):
    admin = create_user(Role.ADMIN)
    user = create_supplier()
    profile = user.org.supplier
    with pytest.raises(WrongState):
        suppliers.verify_supplier(admin, profile, profile.scale)
    suppliers.add_document(user, profile, DocumentKind.NIB, "nib.pdf", PDF)
    with pytest.raises(NotAllowed):
        suppliers.verify_supplier(user, profile, profile.scale)
    suppliers.verify_supplier(admin, profile, profile.scale)
    assert profile.verification is VerificationStatus.VERIFIED


def test_rejected_supplier_returns_to_queue_after_new_document(app, create_supplier, create_user):
    admin = create_user(Role.ADMIN)
    user = create_supplier(with_document=True)
    profile = user.org.supplier
    with refused(DomainError, "Give a reason the supplier can act on.", field="reason"):
        suppliers.reject_supplier(admin, profile, "   ")
    suppliers.reject_supplier(admin, profile, "NPWP buram")
    assert profile.verification is VerificationStatus.REJECTED
    assert profile not in suppliers.verification_queue()
    suppliers.add_document(user, profile, DocumentKind.NPWP, "npwp.pdf", PDF)
    assert profile.verification is VerificationStatus.UNVERIFIED
    assert profile in suppliers.verification_queue()


def test_sanction_needs_reason_and_future_end(app, create_supplier, create_user):
    admin = create_user(Role.ADMIN)
    profile = create_supplier().org.supplier
    today = date(2026, 11, 26)
    with refused(DomainError, "Give the reason for the sanction.", field="reason"):
        suppliers.sanction_supplier(admin, profile, Sanction.BLACKLISTED, "", today + timedelta(days=5), today)
    with refused(DomainError, "The end date must be after today.", field="until"):
        suppliers.sanction_supplier(admin, profile, Sanction.BLACKLISTED, "Dokumen palsu", today, today)
    suppliers.sanction_supplier(admin, profile, Sanction.BLACKLISTED, "Dokumen palsu", today + timedelta(days=365), today)
    assert profile.active_sanction(today) is Sanction.BLACKLISTED
    assert profile.active_sanction(today + timedelta(days=366)) is Sanction.NONE
    suppliers.lift_sanction(admin, profile)
    assert profile.active_sanction(today) is Sanction.NONE


def test_sanction_rule_is_the_same_in_python_and_sql(app, create_supplier):
    """SupplierProfile.active_sanction and its SQL twin sanctioned_on agree in every case."""
    import sqlalchemy as sa

    from pbj.extensions import db
    from pbj.models.suppliers import SupplierProfile

    today = date(2026, 11, 26)
    cases = [(Sanction.NONE, None), (Sanction.SUSPENDED, today + timedelta(days=1)), (Sanction.SUSPENDED, today),
             (Sanction.SUSPENDED, today - timedelta(days=1)), (Sanction.BLACKLISTED, None),
             (Sanction.BLACKLISTED, today - timedelta(days=30))]
    profiles = []
    for sanction, until in cases:
        profile = create_supplier().org.supplier
        profile.sanction, profile.sanction_until = sanction, until
        profiles.append(profile)
    db.session.commit()
    in_sql = set(db.session.scalars(sa.select(SupplierProfile.org_id).where(SupplierProfile.sanctioned_on(today))))
    in_python = {p.org_id for p in profiles if p.active_sanction(today) is not Sanction.NONE}
    assert in_sql == in_python and len(in_python) == 3
