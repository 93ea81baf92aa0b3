"""Walk every registered route as every role, aiming at ANOTHER organisation's objects.

The table `ENDPOINTS` declares, for each endpoint, who may use it. A new route
that is not declared here makes `test_every_route_is_declared` fail: adding a
route means deciding who may use it.

Each role gets its own test. For every route and method the test logs in as
that role (fresh client, so logging out or changing the password in one request
cannot disturb the next) and requests the URL filled with ids of objects that
belong to someone else: another supplier's organisation and document, a user of
another OPD. Refused requests, and every GET, must not change anything in the
database or in the upload folder.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pbj.clock import city_date, utcnow
from pbj.config import CITY_TIMEZONE, OCDS_PREFIX
from pbj.database import read_only
from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role
from pbj.services import accounts
from tests.conftest import PASSWORD

ANON = "anonymous"
ROLES = (ANON, "penyedia", "pp", "ppk", "bendahara", "admin", "auditor")
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {ANON}

PDF = b"%PDF-1.4\n%walk\n"


@dataclass
class Objects:
    """Ids of objects that belong to an organisation the acting user is NOT part of."""

    supplier_org_id: int  # another supplier (has one document)
    document_id: int  # that supplier's document
    user_id: int  # a PP in another OPD
    user_email: str
    opd_id: int  # that other OPD
    reset_token: str  # a valid reset link of that user (the token is the capability)
    # The catalogue: another verified supplier's products, one per action, so the
    # order in which the walk reaches the routes does not matter.
    listing_org_id: int  # that verified supplier
    category_id: int  # a sub-category
    other_top_category_id: int  # a top-level category: where category_id can move
    reorderable_category_id: int  # a top-level category with one below it
    deletable_category_id: int  # a top-level category without products or sub-categories
    public_product_id: int  # published, with a photo
    image_name: str  # the stored thumbnail of that photo
    draft_product_id: int  # a draft with one photo: edit, add photos
    photo_product_id: int  # a draft with two photos: remove one
    photo_id: int
    submittable_product_id: int  # a draft with a photo: send for review
    archivable_product_id: int
    approvable_product_id: int  # waiting for review
    rejectable_product_id: int  # waiting for review
    approvable_revision_id: int  # a pending change to a published product
    rejectable_revision_id: int
    # An approved order of that other OPD from the listing supplier, its Surat Pesanan issued.
    issued_order_id: int
    issued_document_code: str  # the Surat Pesanan's public code (in its QR code)
    cart_item_id: int  # in the cart of the PP of the other OPD
    # A supplier registered by the UKPBJ on its behalf, with two users invited by e-mail:
    invited_org_id: int
    invited_user_id: int  # the one an admin invites again
    invitation_token: str  # the other's valid invitation link (the token is the capability)
    package_id: int  # a package of the other OPD's RUP register
    holiday_id: int  # a listed holiday (changed by the walk)
    removable_holiday_id: int  # another one (removed by the walk)
    flag_id: int  # a risk flag (reviewed by the walk)


@dataclass(frozen=True)
class Access:
    """Who gets through when the URL names another organisation's object.

    `owner_only`: the object also has an owner (its own supplier), who is not
    the acting user in the walk; everybody else must get 404, never 403, so ids
    cannot be probed.
    """

    allowed: frozenset
    url: Callable[[Objects], dict] = lambda o: {}
    form: Callable[[Objects], dict] = lambda o: {}
    owner_only: bool = False
    post_ok: tuple = (303,)  # what an allowed POST answers (Post/Redirect/Get)
    note: str = ""


def _upload(o: Objects) -> dict:
    return {"kind": "nib", "file": (io.BytesIO(PDF), "nib.pdf")}


def _registration(o: Objects) -> dict:
    return {
        "business_name": "UMKM Jalan-Jalan", "nib": "9900000000001", "npwp": "9900000000000001",
        "scale": "mikro", "address": "Jl. Baru 1", "kecamatan": "Singkawang Barat",
        "region_code": "61.72", "region_name": "Kota Singkawang", "phone": "0562 631234",
        "contact_name": "Pemilik Baru", "email": "baru@contoh.id", "password": PASSWORD, "confirm": PASSWORD,
    }


def _assisted_registration(o: Objects) -> dict:
    return dict(_registration(o), nib="9900000000002", email="dibantu@contoh.id")


def _assisted_upload(o: Objects) -> dict:
    return {"doc-kind": "nib", "doc-file": (io.BytesIO(PDF), "nib.pdf")}


def _product_form(o: Objects) -> dict:
    return {"category_id": str(o.category_id), "name": "Produk Jalan-Jalan", "unit": "buah",
            "unit_price": "Rp 12.500", "min_order": "1", "stock": "", "lead_time_days": "2",
            "tkdn": "40,5", "bmp": "0", "is_pdn": "y", "certifications": ["SNI"]}


def _photo(o: Objects) -> dict:
    return {"image": (io.BytesIO(_jpeg()), "foto.jpg")}


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


_CITY_TODAY = city_date(utcnow(), {"CITY_TIMEZONE": CITY_TIMEZONE})  # built before any app exists
_FUTURE = (_CITY_TODAY + timedelta(days=60)).isoformat()
_TODAY = _CITY_TODAY.isoformat()
BUYERS = frozenset({"pp", "ppk"})
NOBODY = frozenset()
NOT_THEIRS = "another user's cart item: 404 for everyone"
PARTIES_ONLY = "only the order's own parties act on it"
_ORDER = lambda o: {"order_id": o.issued_order_id}  # noqa: E731


def _checkout_form(o: Objects) -> dict:
    return {"package_id": str(o.package_id),
            "delivery_address": "Jl. Jalan-Jalan 1", "needed_by": _FUTURE, "ppk_id": "1"}


def _package_form(o: Objects) -> dict:
    return {"rup_code": "88880001", "name": "Belanja jalan-jalan", "pagu": "150.000.000",
            "method": "e_purchasing", "funding_source": "apbd", "budget_year": str(_CITY_TODAY.year)}


def _package_csv(o: Objects) -> dict:
    csv = f"Kode RUP;Nama Paket;Pagu;Metode Pemilihan;Sumber Dana;Tahun Anggaran\n" \
          f"88880002;Belanja jalan;1.000.000;E-Purchasing;APBD;{_CITY_TODAY.year}\n"
    return {"file": (io.BytesIO(csv.encode()), "rup.csv")}


_SUPPLIER = lambda o: {"org_id": o.supplier_org_id}  # noqa: E731
_USER = lambda o: {"user_id": o.user_id}  # noqa: E731

# Every endpoint of the app, and who may use it.
ENDPOINTS: dict[str, Access] = {
    # Public pages and assets.
    "static": Access(EVERYONE, url=lambda o: {"filename": "css/site.css"}),
    "htmx_js": Access(EVERYONE),
    "main.home": Access(EVERYONE),
    "main.healthz": Access(EVERYONE),
    "main.favicon": Access(EVERYONE),
    "main.set_language": Access(EVERYONE, form=lambda o: {"lang": "en", "next": "/"}),
    "auth.login": Access(EVERYONE, form=lambda o: {"email": o.user_email, "password": PASSWORD},
                         note="logged-in users are sent home"),
    "auth.forgot_password": Access(EVERYONE, form=lambda o: {"email": o.user_email},
                                   note="the same answer for known and unknown addresses"),
    "auth.reset_password": Access(EVERYONE, url=lambda o: {"token": o.reset_token},
                                  form=lambda o: {"password": PASSWORD, "confirm": PASSWORD},
                                  note="the signed token is the credential"),
    "supplier.register": Access(EVERYONE, form=_registration, note="logged-in users are sent home"),
    "supplier.accept_invitation": Access(EVERYONE, url=lambda o: {"token": o.invitation_token},
                                         form=lambda o: {"password": PASSWORD, "confirm": PASSWORD},
                                         note="the signed token is the credential"),
    # Any logged-in user, own account only (no id in the URL).
    "auth.logout": Access(LOGGED_IN),
    "auth.account": Access(LOGGED_IN),
    "auth.change_password": Access(LOGGED_IN, form=lambda o: {
        "current_password": PASSWORD, "password": PASSWORD, "confirm": PASSWORD}),
    "auth.change_nip": Access(LOGGED_IN, form=lambda o: {"nip": ""}, note="own account; refused for non-officials"),
    # The supplier's own business (the organisation comes from the session).
    "supplier.dashboard": Access(frozenset({"penyedia"})),
    "supplier.upload_document": Access(frozenset({"penyedia"}), form=_upload),
    "supplier.update_pp55": Access(frozenset({"penyedia"}), form=lambda o: {
        "has_pp55_certificate": "y", "pp55_number": "KET-1/PP55", "pp55_valid_from": "01/01/2025",
        "pp55_valid_until": "31/12/2027"}),
    "supplier.update_payee": Access(frozenset({"penyedia"}), form=lambda o: {
        "owner_name": "Pemilik Usaha", "bank_name": "Bank Kalbar", "bank_account": "1234567890"}),
    # A supplier's document: its own supplier, UKPBJ admins and auditors.
    "supplier.document_file": Access(frozenset({"admin", "auditor"}), owner_only=True,
                                     url=lambda o: {"doc_id": o.document_id}),
    # UKPBJ administration.
    "admin.index": Access(frozenset({"admin"})),
    "admin.suppliers": Access(frozenset({"admin"})),
    "admin.supplier_detail": Access(frozenset({"admin"}), url=_SUPPLIER),
    "admin.verify_supplier": Access(frozenset({"admin"}), url=_SUPPLIER, form=lambda o: {"verify-scale": "mikro"}),
    "admin.confirm_scale": Access(frozenset({"admin"}), url=lambda o: {"org_id": o.listing_org_id},
                                  form=lambda o: {"scale-scale": "kecil"}),
    "admin.reject_supplier": Access(frozenset({"admin"}), url=_SUPPLIER,
                                    form=lambda o: {"reject-reason": "NIB tidak terbaca"}),
    "admin.sanction_supplier": Access(frozenset({"admin"}), url=_SUPPLIER, form=lambda o: {
        "sanction-sanction": "suspended", "sanction-reason": "Wanprestasi", "sanction-until": _FUTURE}),
    "admin.lift_sanction": Access(frozenset({"admin"}), url=_SUPPLIER),
    # Assisted registration: a supplier registered, its documents uploaded and its user invited by the UKPBJ.
    "admin.register_supplier": Access(frozenset({"admin"}), form=_assisted_registration),
    "admin.upload_document": Access(frozenset({"admin"}), url=_SUPPLIER, form=_assisted_upload),
    "admin.resend_invitation": Access(frozenset({"admin"}),
                                      url=lambda o: {"org_id": o.invited_org_id, "user_id": o.invited_user_id}),
    "admin.organisations": Access(frozenset({"admin"})),
    "admin.create_organisation": Access(frozenset({"admin"}), form=lambda o: {
        "name": "Dinas Baru", "code": "DBARU", "kind": "opd"}),
    "admin.users": Access(frozenset({"admin"})),
    "admin.create_user": Access(frozenset({"admin"}), form=lambda o: {
        "name": "Pegawai Baru", "email": "pegawai.baru@contoh.go.id", "role": "pp", "org_id": str(o.opd_id)}),
    "admin.user_detail": Access(frozenset({"admin"}), url=_USER),
    "admin.set_user_active": Access(frozenset({"admin"}), url=_USER, form=lambda o: {"active": "0"}),
    "admin.change_role": Access(frozenset({"admin"}), url=_USER, form=lambda o: {"role": "ppk"}),
    "admin.change_nip": Access(frozenset({"admin"}), url=_USER, form=lambda o: {"nip": ""}),
    "admin.change_particulars": Access(frozenset({"admin"}), url=_USER, form=lambda o: {
        "phone": "0812 5678 9012", "address": "", "npwp": "", "bank_account": ""}),
    "admin.set_organisation_address": Access(frozenset({"admin"}), url=lambda o: {"org_id": o.opd_id},
                                             form=lambda o: {f"org{o.opd_id}-address": "Jl. Firdaus No. 1"}),
    # Holidays: the UKPBJ keeps the list working days skip.
    "admin.holidays": Access(frozenset({"admin"})),
    "admin.budgets": Access(frozenset({"admin"})),
    "admin.set_budget": Access(frozenset({"admin"}), form=lambda o: {
        "opd_id": str(o.opd_id), "year": str(_CITY_TODAY.year), "amount": "12.500.000.000"}),
    "admin.import_budgets": Access(frozenset({"admin"}), form=lambda o: {
        "file": (io.BytesIO(b"kode_opd;tahun;anggaran\nNOSUCH;2026;1.000\n"), "anggaran.csv")}, post_ok=(422,),
        note="a code no OPD has: the whole file is refused with the row listed"),
    "admin.add_holiday": Access(frozenset({"admin"}), form=lambda o: {
        "day": "17 Agustus 2031", "name": "Hari Kemerdekaan", "kind": "national"}),
    "admin.import_holidays": Access(frozenset({"admin"}), form=lambda o: {
        "file": (io.BytesIO(b"tanggal;nama;jenis\n2031-12-24;Cuti Bersama Natal;cuti bersama\n"), "libur.csv")}),
    "admin.holiday": Access(frozenset({"admin"}), url=lambda o: {"holiday_id": o.holiday_id}),
    "admin.change_holiday": Access(frozenset({"admin"}), url=lambda o: {"holiday_id": o.holiday_id},
                                   form=lambda o: {"day": "2031-01-01", "name": "Tahun Baru", "kind": "national"}),
    "admin.remove_holiday": Access(frozenset({"admin"}), url=lambda o: {"holiday_id": o.removable_holiday_id}),
    # Audit trail: read-only for administrators and auditors.
    "audit.trail": Access(frozenset({"admin", "auditor"})),
    "audit.export": Access(frozenset({"admin", "auditor"})),
    "audit.verify": Access(frozenset({"admin", "auditor"})),
    # The case file of an order: oversight only (the order's parties have the order's page).
    "audit.case_file": Access(frozenset({"admin", "auditor"}), url=_ORDER),
    # Risk flags: administrators and auditors read and refresh them; only auditors review.
    "oversight.index": Access(frozenset({"admin", "auditor"})),
    "oversight.flag": Access(frozenset({"admin", "auditor"}), url=lambda o: {"flag_id": o.flag_id}),
    "oversight.review": Access(frozenset({"auditor"}), url=lambda o: {"flag_id": o.flag_id},
                               form=lambda o: {"note": "Checked on the walk."}),
    "oversight.refresh": Access(frozenset({"admin", "auditor"})),
    # The public catalogue.
    "catalogue.index": Access(EVERYONE),
    "catalogue.product": Access(EVERYONE, url=lambda o: {"product_id": o.public_product_id}),
    "catalogue.compare": Access(EVERYONE),
    "catalogue.supplier": Access(EVERYONE, url=lambda o: {"org_id": o.listing_org_id}),
    "catalogue.image": Access(EVERYONE, url=lambda o: {"name": o.image_name}),
    # The public portal: orders with a signed SP, suppliers by value, payment times.
    "transparency.index": Access(EVERYONE),
    "transparency.order": Access(EVERYONE, url=_ORDER),
    "transparency.suppliers": Access(EVERYONE),
    "transparency.payments": Access(EVERYONE),
    # Listings: a supplier's own (the organisation comes from the session) …
    "listings.index": Access(frozenset({"penyedia"})),
    "listings.create": Access(frozenset({"penyedia"}), form=_product_form),
    # … another supplier's product: its own supplier and UKPBJ admins (on its behalf).
    "listings.edit": Access(frozenset({"admin"}), owner_only=True,
                            url=lambda o: {"product_id": o.draft_product_id}, form=_product_form),
    "listings.add_images": Access(frozenset({"admin"}), owner_only=True,
                                  url=lambda o: {"product_id": o.draft_product_id}, form=_photo),
    "listings.remove_image": Access(frozenset({"admin"}), owner_only=True,
                                    url=lambda o: {"product_id": o.photo_product_id, "image_id": o.photo_id}),
    "listings.submit": Access(frozenset({"admin"}), owner_only=True,
                              url=lambda o: {"product_id": o.submittable_product_id}),
    "listings.archive": Access(frozenset({"admin"}), owner_only=True,
                               url=lambda o: {"product_id": o.archivable_product_id}),
    # Assisted onboarding: UKPBJ admins list products for a supplier.
    "admin.supplier_products": Access(frozenset({"admin"}), url=lambda o: {"org_id": o.listing_org_id}),
    "admin.create_for_supplier": Access(frozenset({"admin"}), url=lambda o: {"org_id": o.listing_org_id},
                                        form=_product_form),
    # Product review and categories: UKPBJ admins.
    "review.queue": Access(frozenset({"admin"})),
    "review.product": Access(frozenset({"admin"}), url=lambda o: {"product_id": o.draft_product_id}),
    "review.approve": Access(frozenset({"admin"}), url=lambda o: {"product_id": o.approvable_product_id}),
    "review.reject": Access(frozenset({"admin"}), url=lambda o: {"product_id": o.rejectable_product_id},
                            form=lambda o: {"reason": "Foto kurang jelas"}),
    "review.revision": Access(frozenset({"admin"}), url=lambda o: {"revision_id": o.approvable_revision_id}),
    "review.approve_revision": Access(frozenset({"admin"}),
                                      url=lambda o: {"revision_id": o.approvable_revision_id}),
    "review.reject_revision": Access(frozenset({"admin"}), url=lambda o: {"revision_id": o.rejectable_revision_id},
                                     form=lambda o: {"reason": "Sertifikat TKDN tidak terbaca"}),
    "review.categories": Access(frozenset({"admin"})),
    "review.create_category": Access(frozenset({"admin"}), form=lambda o: {"name": "Kategori Jalan-Jalan"}),
    "review.category": Access(frozenset({"admin"}), url=lambda o: {"category_id": o.category_id}),
    "review.update_category": Access(frozenset({"admin"}), url=lambda o: {"category_id": o.category_id},
                                     form=lambda o: {"name": "Kue Jalan Baru", "slug": "kue-jalan",
                                                     "parent_id": str(o.other_top_category_id)}),
    "review.reorder_category": Access(frozenset({"admin"}),
                                      url=lambda o: {"category_id": o.reorderable_category_id},
                                      form=lambda o: {"direction": "down"}),
    "review.delete_category": Access(frozenset({"admin"}),
                                     url=lambda o: {"category_id": o.deletable_category_id}),
    # Order documents: the ordering OPD, its supplier and oversight print them (another's: 404);
    # the verification page is public, the random code in the QR code being the capability.
    "documents.printable": Access(frozenset({"admin", "auditor"}), owner_only=True,
                                  url=lambda o: {"order_id": o.issued_order_id, "kind": "sp"}),
    "documents.verify": Access(EVERYONE, url=lambda o: {"code": o.issued_document_code}),
    # Open data (OCDS): public, no login; the approved order of the other OPD is published.
    "ocds.about": Access(EVERYONE),
    "ocds.releases": Access(EVERYONE),
    "ocds.record": Access(EVERYONE, url=lambda o: {"ocid": f"{OCDS_PREFIX}-{o.issued_order_id}"}),
    "ocds.bulk": Access(EVERYONE, url=lambda o: {"year": _CITY_TODAY.year}),
    # The cart: PP and PPK, their own (the user comes from the session); another's item is 404.
    "orders.cart": Access(BUYERS),
    "orders.add_to_cart": Access(BUYERS, form=lambda o: {"product_id": str(o.public_product_id), "quantity": "1"}),
    "orders.set_quantity": Access(NOBODY, url=lambda o: {"item_id": o.cart_item_id},
                                  form=lambda o: {"quantity": "2"}, note=NOT_THEIRS),
    "orders.remove_from_cart": Access(NOBODY, url=lambda o: {"item_id": o.cart_item_id}, note=NOT_THEIRS),
    "orders.checkout": Access(BUYERS, form=_checkout_form, post_ok=(422,),
                              note="the walker's cart is empty: a clear form error (GET: back to the cart)"),
    # Orders: the ordering OPD and the supplier see theirs; UKPBJ and auditors see all.
    "orders.index": Access(LOGGED_IN),
    "desk.index": Access(LOGGED_IN),
    "orders.detail": Access(frozenset({"admin", "auditor"}), owner_only=True, url=_ORDER),
    "orders.handover_photo": Access(NOBODY, url=_ORDER, note="that order has no BAST photo"),
    # Order actions: only the order's own parties act (none of them walks here; they are tested
    # in tests/web/test_orders_web.py); oversight sees the order but gets 403, others 404.
    "orders.simple_action": Access(NOBODY, url=lambda o: {"order_id": o.issued_order_id, "action": "setujui"},
                                   note=PARTIES_ONLY),
    "orders.end": Access(NOBODY, url=lambda o: {"order_id": o.issued_order_id, "action": "batal"},
                         form=lambda o: {"reason": "Tidak jadi dipesan"}, note=PARTIES_ONLY),
    "orders.offer": Access(NOBODY, url=_ORDER, form=lambda o: {"note": "nego"}, note=PARTIES_ONLY),
    "orders.ship": Access(NOBODY, url=_ORDER, form=lambda o: {"note_number": "SJ-1", "shipped_on": _TODAY},
                          note=PARTIES_ONLY),
    "orders.handover": Access(NOBODY, url=_ORDER, form=lambda o: {"signed_on": _TODAY}, note=PARTIES_ONLY),
    "orders.cancel_rest": Access(NOBODY, url=_ORDER, form=lambda o: {"rest_reason": "Penyedia tidak sanggup"},
                                 note=PARTIES_ONLY),
    "orders.pay": Access(NOBODY, url=_ORDER, form=lambda o: {"paid_on": _TODAY, "reference": "SP2D-1",
                                                             "amount": "1"}, note=PARTIES_ONLY),
    "orders.rate": Access(NOBODY, url=_ORDER, form=lambda o: {"stars": "5"}, note=PARTIES_ONLY),
    "orders.reply": Access(NOBODY, url=_ORDER, form=lambda o: {"reply": "Terima kasih"}, note=PARTIES_ONLY),
    # The RUP register: admins manage every OPD's, the PP and PPK their own OPD's (no id: the
    # form's OPD is the user's own), the bendahara reads it; auditors read every register.
    "packages.index": Access(frozenset({"admin", "auditor", "pp", "ppk", "bendahara"})),
    "packages.create": Access(frozenset({"admin", "pp", "ppk"}), form=_package_form, post_ok=(303, 422),
                              note="without an OPD chosen: the PP's and PPK's own (303), an admin must choose"),
    "packages.import_csv": Access(frozenset({"admin", "pp", "ppk"}), form=_package_csv, post_ok=(303, 422),
                                  note="the same: the user's own OPD, or an admin must choose"),
    "packages.detail": Access(frozenset({"admin", "auditor"}), owner_only=True,
                              url=lambda o: {"package_id": o.package_id}),
    "packages.edit": Access(frozenset({"admin"}), owner_only=True, url=lambda o: {"package_id": o.package_id},
                            form=_package_form),
    # Orders that went down a domestic-preference tier: oversight.
    "audit.down_tier": Access(frozenset({"admin", "auditor"})),
    # Reports: admins and auditors every OPD's, an OPD's officials their own (the OPD in the URL is ignored).
    "reports.index": Access(frozenset({"admin", "auditor", "pp", "ppk", "bendahara"}),
                            url=lambda o: {"opd": o.opd_id}),
    "reports.monthly": Access(frozenset({"admin", "auditor", "pp", "ppk", "bendahara"}),
                              url=lambda o: {"opd": o.opd_id}),
    "reports.suppliers": Access(frozenset({"admin", "auditor", "pp", "ppk", "bendahara"})),
    "reports.payments": Access(frozenset({"admin", "auditor", "pp", "ppk", "bendahara"})),
    "reports.export": Access(frozenset({"admin", "auditor", "pp", "ppk", "bendahara"}),
                             url=lambda o: {"tabel": "bulanan", "format": "xlsx", "opd": o.opd_id}),
    # Notifications: everyone's own.
    "orders.notifications_page": Access(LOGGED_IN),
    "orders.notifications_read": Access(LOGGED_IN),
}

WALKED_METHODS = ("GET", "POST")
IGNORED_METHODS = {"HEAD", "OPTIONS"}  # answered by Flask from GET / the rule itself


def test_every_route_is_declared(app):
    """A route missing from ENDPOINTS (or a stale entry) fails here: declare who may use it."""
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert registered - ENDPOINTS.keys() == set(), "routes without an entry in ENDPOINTS"
    assert ENDPOINTS.keys() - registered == set(), "ENDPOINTS lists routes that no longer exist"
    for rule in app.url_map.iter_rules():
        unexpected = rule.methods - IGNORED_METHODS - set(WALKED_METHODS)
        assert not unexpected, f"{rule.rule} accepts {unexpected}, which the walk does not exercise"


def test_allowed_roles_are_subsets_of_known_roles():
    for endpoint, access in ENDPOINTS.items():
        assert access.allowed <= EVERYONE, endpoint
        assert access.allowed or access.note, f"{endpoint}: nobody may use it? Say why in a note."


# -- The walk ----------------------------------------------------------------------

@pytest.fixture
def world(app, create_org, create_supplier, create_user):
    """Actors of every role, and another organisation's objects to aim at."""
    own_opd = create_org(OrgKind.OPD)
    actors = {
        "penyedia": create_supplier("UMKM Pelaku", with_document=True),
        "pp": create_user(Role.PP, org=own_opd),
        "ppk": create_user(Role.PPK, org=own_opd),
        "bendahara": create_user(Role.BENDAHARA, org=own_opd),
        "admin": create_user(Role.ADMIN),
        "auditor": create_user(Role.AUDITOR),
    }
    victim_supplier = create_supplier("UMKM Korban", with_document=True)
    other_opd = create_org(OrgKind.OPD)
    victim_user = create_user(Role.PP, org=other_opd)
    listings = _listings_of_another_supplier(actors["admin"], create_supplier("UMKM Korban Berproduk",
                                                                              with_document=True))
    objects = Objects(
        supplier_org_id=victim_supplier.org_id,
        document_id=victim_supplier.org.supplier.documents[0].id,
        user_id=victim_user.id,
        user_email=victim_user.email,
        opd_id=other_opd.id,
        reset_token=accounts.make_reset_token(victim_user),
        **listings,
        **_issued_document(other_opd, victim_user, listings),
        cart_item_id=_cart_item(victim_user, listings),
        **_assisted_supplier(actors["admin"]),
        package_id=_package(victim_user),
        **_holidays(),
        flag_id=_risk_flag(),
    )
    emails = {role: user.email for role, user in actors.items()}
    db.session.rollback()  # end the fixtures' open transaction: the snapshot reads on its own connection
    return emails, objects


def _risk_flag() -> int:
    from pbj.models.flags import FlagKind, RiskFlag

    flag = RiskFlag(key="penalty_waived:handover=0", kind=FlagKind.PENALTY_WAIVED,
                    numbers={"computed": 150_000, "bast": "BAST/JALAN/1"}, links={"orders": []})
    db.session.add(flag)
    db.session.commit()
    return flag.id


def _holidays() -> dict:
    from pbj.models.holidays import HolidayKind
    from pbj.services import holidays

    listed = holidays.add(None, date(2031, 1, 1), "Tahun Baru Masehi", HolidayKind.NATIONAL, utcnow())
    removable = holidays.add(None, date(2031, 2, 2), "Libur Daerah", HolidayKind.REGIONAL, utcnow())
    db.session.commit()
    return {"holiday_id": listed.id, "removable_holiday_id": removable.id}


def _listings_of_another_supplier(admin, owner) -> dict:
    """A verified supplier with a product in every state the walk needs."""
    from pbj.services import catalogue, suppliers

    suppliers.verify_supplier(admin, owner.org.supplier, owner.org.supplier.scale)
    top = catalogue.create_category(None, "Makanan Jalan")
    sub = catalogue.create_category(None, "Kue Jalan", parent=top)
    other_top = catalogue.create_category(None, "Minuman Jalan")
    unused = catalogue.create_category(None, "Kategori Kosong Jalan")

    def product(name: str, photos: int = 1):
        item = catalogue.create_product(owner, owner.org.supplier, catalogue.ProductData(
            category_id=sub.id, name=name, unit="kotak", unit_price=20_000))
        for _ in range(photos):
            catalogue.add_image(owner, item, _jpeg())
        return item

    public = product("Kue Tayang")
    catalogue.submit_product(owner, public)
    catalogue.approve_product(admin, public)
    photos = product("Kue Dua Foto", photos=2)
    approvable, rejectable = product("Kue Tunggu 1"), product("Kue Tunggu 2")
    for item in (approvable, rejectable):
        catalogue.submit_product(owner, item)
    changed = []
    for name in ("Kue Ubah 1", "Kue Ubah 2"):  # published, then renamed: a pending revision each
        item = product(name)
        catalogue.submit_product(owner, item)
        catalogue.approve_product(admin, item)
        changed.append(catalogue.update_product(owner, item, catalogue.ProductData(
            category_id=sub.id, name=f"{name} Baru", unit="kotak", unit_price=20_000)).revision.id)
    found = dict(
        listing_org_id=owner.org_id, category_id=sub.id, other_top_category_id=other_top.id,
        reorderable_category_id=top.id, deletable_category_id=unused.id, public_product_id=public.id,
        image_name=public.images[0].thumb_name, draft_product_id=product("Kue Draf").id,
        photo_product_id=photos.id, photo_id=photos.images[0].id,
        submittable_product_id=product("Kue Siap Kirim").id, archivable_product_id=product("Kue Lama").id,
        approvable_product_id=approvable.id, rejectable_product_id=rejectable.id,
        approvable_revision_id=changed[0], rejectable_revision_id=changed[1],
    )
    db.session.commit()
    return found



def _issued_document(opd, ppk, listings: dict) -> dict:
    """An approved order of `opd` from the listing supplier, with its Surat Pesanan issued."""
    from pbj.models.catalogue import Product
    from pbj.models.orders import OrderDocumentKind
    from pbj.services import documents
    from tests.document_helpers import make_order

    product = db.session.get(Product, listings["public_product_id"])
    order = make_order(opd, ppk, listings["listing_org_id"], [(product, 2, product.unit_price)],
                       sp_number="SP/JALAN/1")
    document = documents.issue_document(order, OrderDocumentKind.SURAT_PESANAN, order.sp_number)
    db.session.commit()
    return {"issued_order_id": order.id, "issued_document_code": document.code}

def _assisted_supplier(admin) -> dict:
    from pbj.models.suppliers import BusinessScale
    from pbj.services import suppliers

    first, _token = suppliers.register_supplier_on_behalf(admin, suppliers.Registration(
        business_name="UMKM Dibantu Jalan", nib="9900000000003", npwp="9900000000000003",
        scale=BusinessScale.MIKRO, is_cooperative=False, is_pkp=False, has_pp55_certificate=False,
        address="Jl. Bantu 1", kecamatan="Singkawang Barat", region_code="61.72",
        region_name="Kota Singkawang", phone="0562 631234", contact_name="Pemilik Dibantu",
        email="dibantu.jalan@contoh.id"))
    second = accounts.create_user(admin, org=first.org, email="dibantu.dua@contoh.id", name="Karyawan Dibantu",
                                  role=Role.PENYEDIA, password=None)
    db.session.commit()
    return {"invited_org_id": first.org_id, "invited_user_id": first.id,
            "invitation_token": accounts.make_invitation_token(second)}


def _cart_item(buyer, listings: dict) -> int:
    from pbj.models.catalogue import Product
    from pbj.services import orders
    from pbj.clock import city_today

    item = orders.add_to_cart(buyer, db.session.get(Product, listings["public_product_id"]), 1, city_today())
    db.session.commit()
    return item.id


def _package(user) -> int:
    from tests.order_helpers import package

    return package(user, "77770001").id


def snapshot(app) -> dict:
    """Every row of every table, plus the stored upload files."""
    # Whatever a request left uncommitted is discarded at teardown in production.
    db.session.rollback()
    state = {}
    with read_only(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            state[table.name] = conn.execute(sa.select(table).order_by(*order)).all()
    uploads = Path(app.instance_path) / "uploads"
    state["files"] = sorted(str(p.relative_to(uploads)) for p in uploads.rglob("*") if p.is_file()) \
        if uploads.exists() else []
    return state


def _client_for(app, role: str, emails: dict):
    client = app.test_client()
    if role != ANON:
        response = client.post("/masuk", data={"email": emails[role], "password": PASSWORD})
        assert response.status_code == 303, f"could not log in as {role}"
    return client


def _is_login_redirect(response) -> bool:
    return response.status_code in (302, 303) and urlsplit(response.headers["Location"]).path == "/masuk"


@pytest.mark.parametrize("role", ROLES)
def test_route_walk(app, world, role):
    emails, objects = world
    problems: list[str] = []
    adapter = app.url_map.bind("localhost")

    for rule in list(app.url_map.iter_rules()):
        access = ENDPOINTS[rule.endpoint]
        url = adapter.build(rule.endpoint, access.url(objects))
        allowed = role in access.allowed
        for method in WALKED_METHODS:
            if method not in rule.methods:
                continue
            client = _client_for(app, role, emails)
            before = snapshot(app)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data=access.form(objects))
            status = response.status_code
            body = response.get_data()
            response.close()
            where = f"{role} {method} {url} ({rule.endpoint}) -> {status}"

            if status >= 500:
                problems.append(f"{where}: server error")
                continue
            if method == "GET" and snapshot(app) != before:
                problems.append(f"{where}: GET changed the database or uploads")
            if allowed:
                ok = (200, 303) if method == "GET" else access.post_ok
                if status not in ok:
                    problems.append(f"{where}: allowed role refused or failed (expected {ok})")
                continue
            # Refused.
            if role == ANON:
                if not (_is_login_redirect(response) or status in (401, 403, 404)):
                    problems.append(f"{where}: anonymous not sent to /masuk")
            elif access.owner_only:
                if status != 404:
                    problems.append(f"{where}: another's object must be 404")
            elif status not in (403, 404):
                problems.append(f"{where}: wrong role not refused")
            if access.owner_only and (body.startswith(PDF[:5]) or PDF in body):
                problems.append(f"{where}: leaked the file content")
            if method == "POST" and snapshot(app) != before:
                problems.append(f"{where}: refused request changed the database or uploads")

    assert problems == [], "\n".join(problems)


def test_supplier_gets_own_document_but_not_anothers(app, auth, client, create_supplier):
    """The positive side of owner_only: the walk alone would pass if nobody got files."""
    owner = create_supplier(with_document=True)
    other = create_supplier(with_document=True)
    own_doc = owner.org.supplier.documents[0].id
    other_doc = other.org.supplier.documents[0].id
    auth.login(owner)
    mine = client.get(f"/usaha/dokumen/{own_doc}")
    assert mine.status_code == 200
    assert mine.data.startswith(b"%PDF-")
    assert "no-store" in mine.headers["Cache-Control"]
    theirs = client.get(f"/usaha/dokumen/{other_doc}")
    assert theirs.status_code == 404
    assert b"%PDF-" not in theirs.data


def test_admin_actions_reach_the_object(app, auth, client, create_supplier, create_user):
    """Allowed POSTs in the walk really act (so 'refused' there means something)."""
    from pbj.models.suppliers import SupplierProfile, VerificationStatus

    supplier = create_supplier(with_document=True)
    auth.login(create_user(Role.ADMIN))
    response = client.post(f"/admin/penyedia/{supplier.org_id}/verifikasi", data={"verify-scale": "mikro"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(SupplierProfile, supplier.org_id).verification is VerificationStatus.VERIFIED


def test_pp_cannot_deactivate_a_user_of_another_opd(app, auth, client, create_user, create_org):
    """A concrete refused POST, spelled out: a PP cannot deactivate a user of another OPD."""
    from pbj.models.accounts import User
    from pbj.models.audit import AuditEntry

    victim = create_user(Role.PP, org=create_org(OrgKind.OPD))
    auth.login(create_user(Role.PP))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = client.post(f"/admin/pengguna/{victim.id}/status", data={"active": "0"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, victim.id).active is True
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == count
