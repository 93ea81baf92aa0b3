"""Packages (Kode RUP): the register, its CSV import, and the rules checkout applies to a
package's live orders — the pagu for everybody, the PP limit for a PP (Perpres 16/2018
Art. 20(2): a package is not split to stay under a limit)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role
from pbj.models.audit import AuditEntry
from pbj.models.orders import BudgetSource, Order, OrderStatus
from pbj.models.packages import ProcurementMethod, RupPackage
from pbj.services import orders, packages
from pbj.services.errors import DomainError, NotAllowed
from pbj.services.packages import ImportRefused, parse_amount
from tests import order_helpers as oh
from tests.refusals import refused

PP_LIMIT_REFUSAL = ("Orders under one package add up: package %(code)s already holds %(total)s, and with this "
                    "order it would be %(after)s, above the PP limit of %(limit)s. Only a PPK may order above it.")
PAGU_REFUSAL = ("This would take package %(code)s above its pagu of %(pagu)s: its live orders already hold "
                "%(total)s and %(left)s remains.")


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def now():
    return utcnow()


def buy(p, product, quantity, buyer=None, package=None):
    """Check out one product under the package (default: the OPD's default package)."""
    buyer = buyer or p.pp
    orders.add_to_cart(buyer, product, quantity, oh.today())
    package = package or oh.package(p)
    made = orders.checkout(buyer, oh.checkout_data(p, package_id=package.id), now(), oh.today())
    db.session.commit()
    return made


def order_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order))


# -- The reported case and the limits -------------------------------------------------------

def test_the_same_pp_cannot_split_a_package_under_the_pp_limit(p):
    """Reported: the same PP ordered Rp 190.990.000 and then Rp 47.747.500 under one Kode RUP."""
    first = oh.listed(p, "Meja rapat", price=19_099_000, stock=None)
    second = oh.listed(p, "Kursi rapat", price=9_549_500, stock=None)
    package = oh.package(p)
    assert buy(p, first, 10)[0].total == 190_990_000
    orders.add_to_cart(p.pp, second, 5, oh.today())  # Rp 47.747.500
    db.session.commit()
    with refused(DomainError, PP_LIMIT_REFUSAL, field="package_id", code=package.rup_code,
                 total="Rp 190.990.000", after="Rp 238.737.500", limit="Rp 200.000.000"):
        orders.checkout(p.pp, oh.checkout_data(p), now(), oh.today())
    db.session.rollback()
    assert order_count() == 1
    assert [i.quantity for i in orders.cart_items(p.pp)] == [5]  # the cart is kept
    # Under another package of the register the same PP may order it.
    other = oh.package(p, "41299999", name="Belanja kursi")
    made = orders.checkout(p.pp, oh.checkout_data(p, package_id=other.id), now(), oh.today())
    assert made[0].total == 47_747_500


def test_a_ppk_may_order_above_the_pp_limit_up_to_the_pagu(p):
    laptop = oh.listed(p, "Laptop", price=20_000_000, stock=None)
    package = oh.package(p, "41200001", pagu=300_000_000)
    assert buy(p, laptop, 11, buyer=p.ppk, package=package)[0].total == 220_000_000
    assert buy(p, laptop, 4, buyer=p.ppk, package=package)[0].total == 80_000_000  # exactly the pagu
    orders.add_to_cart(p.ppk, laptop, 1, oh.today())
    with refused(DomainError, PAGU_REFUSAL, field="package_id", pagu="Rp 300.000.000", total="Rp 300.000.000",
                 left="Rp 0"):
        orders.checkout(p.ppk, oh.checkout_data(p, package_id=package.id), now(), oh.today())


@pytest.mark.parametrize("who", ["pp", "ppk"])
def test_nobody_orders_above_the_pagu(p, who):
    buyer = getattr(p, who)
    chair = oh.listed(p, "Kursi", price=1_000_000, stock=None)
    package = oh.package(p, "41200002", pagu=10_000_000)
    buy(p, chair, 6, buyer=buyer, package=package)
    orders.add_to_cart(buyer, chair, 5, oh.today())
    with refused(DomainError, PAGU_REFUSAL, field="package_id", code="41200002", pagu="Rp 10.000.000",
                 total="Rp 6.000.000", left="Rp 4.000.000"):
        orders.checkout(buyer, oh.checkout_data(p, package_id=package.id), now(), oh.today())
    db.session.rollback()
    assert order_count() == 1


def test_cancelled_rejected_and_expired_orders_free_their_share(p):
    chair = oh.listed(p, "Kursi", price=1_000_000, stock=None)
    package = oh.package(p, "41200003", pagu=3_000_000)
    cancelled, rejected, expired = (buy(p, chair, 1, package=package)[0] for _ in range(3))
    assert packages.live_total(package) == 3_000_000
    orders.cancel(p.pp, cancelled, "Kegiatan ditunda", now())
    orders.supplier_reject(p.supplier, rejected, "Stok habis", now())
    assert orders.expire_overdue(expired.supplier_deadline + timedelta(minutes=1)) == [expired.id]
    db.session.commit()
    assert packages.live_total(package) == 0
    assert [o.total for o in buy(p, chair, 3, package=package)] == [3_000_000]


def test_orders_of_one_checkout_add_up_across_suppliers(p, create_supplier):
    other = create_supplier("CV Kedua")
    a = oh.listed(p, "Lemari", price=60_000_000, stock=None)
    b = oh.h.product(other, p.admin, "Rak arsip", price=50_000_000, stock=None)
    b.published_at = utcnow() - timedelta(days=3)
    db.session.commit()
    package = oh.package(p)
    orders.add_to_cart(p.pp, a, 2, oh.today())  # Rp 120 juta
    orders.add_to_cart(p.pp, b, 2, oh.today())  # Rp 100 juta: each alone is under Rp 200 juta
    db.session.commit()
    with refused(DomainError, PP_LIMIT_REFUSAL, field="package_id", total="Rp 0", after="Rp 220.000.000"):
        orders.checkout(p.pp, oh.checkout_data(p, package_id=package.id), now(), oh.today())
    db.session.rollback()
    assert order_count() == 0
    # Without one of them the checkout fits.
    orders.remove_from_cart(p.pp, orders.cart_items(p.pp)[1])
    made = orders.checkout(p.pp, oh.checkout_data(p, package_id=package.id), now(), oh.today())
    assert [o.total for o in made] == [120_000_000]


def test_an_accepted_offer_that_raises_the_value_must_fit_the_package(p):
    chair = oh.listed(p, "Kursi", price=1_000_000, stock=None)
    package = oh.package(p, "41200004", pagu=10_000_000)
    order = buy(p, chair, 10, package=package)[0]  # the whole pagu
    item = order.items[0]
    orders.make_offer(p.pp, order, {item.id: 800_000}, "", now())
    orders.answer_offer(p.supplier, order, True, now())  # Rp 8 juta: Rp 2 juta freed
    db.session.commit()
    buy(p, chair, 2, package=package)  # taken by another order
    orders.make_offer(p.pp, order, {item.id: 900_000}, "", now())
    with refused(DomainError, PAGU_REFUSAL, pagu="Rp 10.000.000", total="Rp 2.000.000", left="Rp 8.000.000"):
        orders.answer_offer(p.supplier, order, True, now())  # Rp 9 juta: above what remains
    db.session.rollback()
    assert db.session.get(Order, order.id).total == 8_000_000


# -- Which packages checkout accepts ----------------------------------------------------------

def test_only_this_years_e_purchasing_packages_of_an_allowed_source_and_own_opd(p, create_org, create_user, app):
    product = oh.listed(p, stock=None)
    year = oh.today().year
    default = oh.package(p)
    tender = oh.package(p, "41200010", method=ProcurementMethod.TENDER)
    last_year = oh.package(p, "41200011", year=year - 1)
    next_year = oh.package(p, "41200012", year=year + 1)
    other_opd = create_org(OrgKind.OPD, name="Dinas Lain", code="LAIN")
    theirs = oh.package(create_user(Role.PP, org=other_opd), "41200013")
    bos = oh.package(p, "41200014", source=BudgetSource.APBD)
    bos.funding_source = BudgetSource.BOS  # allowed once, not any more for this OPD (DISDIK)
    db.session.commit()
    orders.add_to_cart(p.pp, product, 1, oh.today())
    db.session.commit()
    cases = [
        (tender, "Package %(code)s is not an e-purchasing package: it cannot be ordered from the catalogue."),
        (last_year, "Package %(code)s is of budget year %(year)s; only this year's (%(now)s) packages can be "
                    "ordered."),
        (next_year, "Package %(code)s is of budget year %(year)s; only this year's (%(now)s) packages can be "
                    "ordered."),
        (theirs, "Choose a package (Kode RUP) from your OPD's RUP register."),
        (bos, "The funding source of package %(code)s (%(source)s) is not allowed for %(opd)s."),
    ]
    for package, msgid in cases:
        with refused(DomainError, msgid, field="package_id"):
            orders.checkout(p.pp, oh.checkout_data(p, package_id=package.id), now(), oh.today())
        db.session.rollback()
    assert [pk.rup_code for pk in packages.orderable_packages(p.pp, oh.today())] == [default.rup_code]
    made = orders.checkout(p.pp, oh.checkout_data(p), now(), oh.today())
    order = made[0]
    assert (order.package_id, order.rup_code, order.budget_year, order.budget_source) == \
        (oh.package(p).id, oh.package(p).rup_code, year, BudgetSource.APBD)


@pytest.mark.parametrize("code, source, allowed", [
    ("DISDIKBUD", BudgetSource.BOS, True), ("DISDIK", BudgetSource.BOS, False), ("RSUD", BudgetSource.BLUD, True),
    ("DISHUB", BudgetSource.BLUD, False), ("DISHUB", BudgetSource.APBD, True), ("DISHUB", BudgetSource.DAK, True),
])
def test_funding_sources_per_opd(app, create_org, code, source, allowed):
    opd = create_org(OrgKind.OPD, name=f"Dinas {code}", code=code)
    assert (source in packages.allowed_sources(opd)) is allowed


# -- Managing the register -----------------------------------------------------------------------

def test_who_manages_a_register(p, create_org, create_user):
    data = packages.PackageData("41200020", "Belanja ATK", 5_000_000, ProcurementMethod.E_PURCHASING,
                                BudgetSource.APBD, oh.today().year)
    other_opd = create_org(OrgKind.OPD, name="Dinas Lain", code="LAIN")
    for user in (p.bendahara, create_user(Role.AUDITOR), create_user(Role.PP, org=other_opd), p.supplier):
        with refused(NotAllowed, "Only UKPBJ administrators and the OPD's PP or PPK manage its RUP register."):
            packages.save_package(user, p.pp.org, data, now())
    for n, user in enumerate((p.pp, p.ppk, p.admin)):
        data.rup_code = f"4120003{n}"
        assert packages.save_package(user, p.pp.org, data, now()).opd_id == p.pp.org_id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "rup.package_added")) == 3


def test_the_pagu_cannot_go_below_the_live_orders(p):
    chair = oh.listed(p, "Kursi", price=1_000_000, stock=None)
    package = oh.package(p, "41200040", pagu=10_000_000)
    buy(p, chair, 4, package=package)
    data = packages.PackageData(package.rup_code, package.name, 3_000_000, package.method, package.funding_source,
                                package.budget_year)
    with refused(DomainError, "The pagu cannot be below what the package's live orders already hold "
                 "(%(total)s).", field="pagu", total="Rp 4.000.000"):
        packages.save_package(p.ppk, p.pp.org, data, now(), package=package)


# -- CSV import ------------------------------------------------------------------------------------

HEADER = "Kode RUP;Nama Paket;Pagu;Metode Pemilihan;Sumber Dana;Tahun Anggaran"


def csv_bytes(*lines: str, bom=False, encoding="utf-8") -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode(encoding)


def register(p) -> dict[str, tuple]:
    return {pk.rup_code: (pk.name, pk.pagu, pk.method, pk.funding_source, pk.budget_year)
            for pk in db.session.scalars(sa.select(RupPackage).where(RupPackage.opd_id == p.pp.org_id))}


@pytest.mark.parametrize("amount, value", [
    ("1.250.000.000", 1_250_000_000), ("Rp 1.250.000.000", 1_250_000_000), ("Rp1.250.000.000,00", 1_250_000_000),
    ("1250000000", 1_250_000_000), ("1,250,000,000", 1_250_000_000), ("75.000.000,-", 75_000_000),
    ("1 250 000", 1_250_000), ("1250000.00", 1_250_000),
    ("1.250.000,50", None), ("12,5", None), ("abc", None), ("", None), ("-5.000", None), ("1.25.000", None),
])
def test_amounts_as_spreadsheets_write_them(amount, value):
    assert parse_amount(amount) == value


def test_a_sirup_export_with_bom_semicolons_and_indonesian_numbers(p):
    year = oh.today().year
    raw = csv_bytes("KODE RUP;nama paket;PAGU;Metode Pemilihan;sumber_dana;Tahun Anggaran;Satuan Kerja",
                    f'41300001;Belanja ATK;"1.250.000.000";E-Purchasing;APBD;{year};Sekretariat',
                    f"41300002;Jasa kebersihan;Rp 75.000.000,00;e-purchasing;apbd-p;{year};",
                    f"41300003;Rehabilitasi gedung;2.500.000.000;Tender;DAK;{year};", bom=True)
    result = packages.import_csv(p.ppk, p.pp.org, raw, now())
    assert sorted(result.added) == ["41300001", "41300002", "41300003"] and result.updated == []
    assert register(p) == {
        "41300001": ("Belanja ATK", 1_250_000_000, ProcurementMethod.E_PURCHASING, BudgetSource.APBD, year),
        "41300002": ("Jasa kebersihan", 75_000_000, ProcurementMethod.E_PURCHASING, BudgetSource.APBD, year),
        "41300003": ("Rehabilitasi gedung", 2_500_000_000, ProcurementMethod.TENDER, BudgetSource.DAK, year),
    }
    # Commas, in another column order, update what is there and add the rest.
    again = csv_bytes("Tahun Anggaran,Kode RUP,Nama Paket,Pagu,Metode Pemilihan,Sumber Dana",
                      f'{year},41300001,Belanja ATK dan kertas,"1.300.000.000",E-Purchasing,APBD',
                      f"{year},41300004,Belanja makan minum,90000000,E-Purchasing,APBN")
    result = packages.import_csv(p.admin, p.pp.org, again, now())
    assert (result.added, result.updated) == (["41300004"], ["41300001"])
    assert register(p)["41300001"][:2] == ("Belanja ATK dan kertas", 1_300_000_000)
    assert len(register(p)) == 4


def test_a_bad_row_imports_nothing_and_every_problem_is_listed(p, create_org):
    year = oh.today().year
    other = create_org(OrgKind.OPD, name="Dinas Lain", code="LAIN")
    packages.save_package(None, other, packages.PackageData("41300099", "Punya OPD lain", 1_000_000,
                                                            ProcurementMethod.E_PURCHASING, BudgetSource.APBD,
                                                            year), now())
    raw = csv_bytes(HEADER,
                    f"41300010;Belanja ATK;150.000.000;E-Purchasing;APBD;{year}",  # good
                    f"41300011;Belanja kertas;seratus juta;E-Purchasing;APBD;{year}",  # line 3
                    f"41300012;Belanja tinta;1.000.000;Lelang Bebas;APBD;{year}",  # line 4
                    f"41300013;Belanja pena;1.000.000;E-Purchasing;Hibah Asing;{year}",  # line 5
                    f"41300014;Belanja map;1.000.000;E-Purchasing;BOS;{year}",  # line 6: not a DISDIK source
                    f"41300010;Belanja ATK lagi;1.000.000;E-Purchasing;APBD;{year}",  # line 7: twice
                    f"41300099;Belanja curian;1.000.000;E-Purchasing;APBD;{year}",  # line 8: another OPD's
                    f"12ab;Belanja aneh;1.000.000;E-Purchasing;APBD;{year}",  # line 9
                    "41300015;Belanja amplop;1.000.000;E-Purchasing;APBD;dua ribu")  # line 10
    with pytest.raises(ImportRefused) as caught:
        packages.import_csv(p.pp, p.pp.org, raw, now())
    db.session.rollback()
    problems = {problem.line: problem.message.msgid for problem in caught.value.problems}
    assert problems == {
        3: "The pagu “%(value)s” is not an amount in rupiah (write it like 1.250.000.000).",
        4: "Unknown method “%(value)s” (use E-Purchasing, Pengadaan Langsung, Penunjukan Langsung, Tender, "
           "Tender Cepat, Seleksi or Dikecualikan).",
        5: "Unknown funding source “%(value)s” (use APBD, APBN, DAK, BLUD, BOS or Lainnya).",
        6: "%(source)s is not a funding source of %(opd)s.",
        7: "Kode RUP %(code)s is also on line %(line)s.",
        8: "Kode RUP %(code)s belongs to another OPD's register.",
        9: "The Kode RUP is the number of the package in SIRUP (5 to 20 digits).",
        10: "Enter the budget year, for example 2026.",
    }
    assert caught.value.message.msgid == ("Nothing was imported: %(n)s rows have a problem. Correct them and "
                                          "upload the file again.")
    assert register(p) == {}  # all or nothing


@pytest.mark.parametrize("raw, msgid", [
    (b"", "The file is empty."),
    (b"\xef\xbb\xbf\r\n \r\n", "The file is empty."),
    (csv_bytes("Kode RUP;Nama Paket;Pagu"), "The first row must name the columns: Kode RUP; Nama Paket; Pagu; "
     "Metode Pemilihan; Sumber Dana; Tahun Anggaran (missing: %(missing)s)."),
    (csv_bytes(HEADER), "The file has no packages under its header row."),
])
def test_files_that_are_not_a_register(p, raw, msgid):
    with refused(DomainError, msgid, field="file"):
        packages.import_csv(p.pp, p.pp.org, raw, now())
