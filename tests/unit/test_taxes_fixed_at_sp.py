"""Taxes are fixed on the order when the SP is issued: later configuration never changes
an issued order's figures, documents or fingerprints (docs/RULES.md, "Taxes on orders,
invoices and payments")."""
import re
from datetime import date, timedelta

import pytest

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.orders import OrderDocumentKind as Kind
from pbj.services import documents, orders, taxes
from tests import order_helpers as oh


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def received_order(p, product, qty):
    order = oh.place(p, product, qty)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: qty}, "SJ", oh.today(), "", utcnow(), oh.today())
    orders.sign_handover(p.ppk, order, {item.id: qty}, "", oh.today(), None, utcnow(), oh.today())
    db.session.commit()
    return order


def test_line_snapshots_the_tax_class_and_the_sp_stores_the_figures(p):
    p.supplier.org.supplier.has_pp55_certificate = False
    product = oh.listed(p, "Jasa Kebersihan Kantor", price=1_110_000, stock=None, tax_class="services")
    order = oh.place(p, product, 3)
    assert order.items[0].tax_class == "services" and order.tax_fixed is None  # an estimate until the SP
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    # not PKP, services 3.330.000: PPh 23 2 % = 66.600; net 3.263.400
    figures = order.tax_fixed["figures"]
    assert (figures["gross"], figures["ppn"], figures["pph23"], figures["net"]) == (3_330_000, 0, 66_600, 3_263_400)
    assert order.tax_fixed["rates"]["pph23_rate"] == "2" and order.tax_fixed["rates"]["threshold"] == 2_000_000


def test_changing_the_rates_after_the_sp_changes_no_issued_document(app, p):
    p.supplier.org.supplier.is_pkp, p.supplier.org.supplier.has_pp55_certificate = True, False
    product = oh.listed(p, price=111_000, stock=None)
    order = received_order(p, product, 30)   # 3.330.000: PPN 330.000, PPh 22 45.000, net 2.955.000
    before = {kind: documents.content(order, kind) for kind in (Kind.SURAT_PESANAN, Kind.BAST, Kind.INVOICE)}
    issued = {kind: documents.issued(order, kind).fingerprint for kind in before}
    assert all(documents.fingerprint(before[k]) == issued[k] for k in before)
    assert orders.tax_breakdown(order).net == 2_955_000
    app.config.update(PPN_RATE_PERCENT="15", PPN_DPP_FACTOR="1", PPH22_RATE_PERCENT="3", PPH23_RATE_PERCENT="4",
                      TREASURER_COLLECTION_THRESHOLD_RUPIAH=10_000_000)
    try:
        for kind in before:
            assert documents.content(order, kind) == before[kind]
            assert documents.fingerprint(documents.content(order, kind)) == issued[kind]
        assert orders.tax_breakdown(order).net == 2_955_000
        # An order not yet approved shows the new rates (an estimate): 3.330.000 / 1,15 -> PPN 15 %.
        estimate = oh.place(p, product, 30)
        assert orders.tax_breakdown(estimate).ppn_rate == 15
    finally:
        app.config.update(PPN_RATE_PERCENT="12", PPN_DPP_FACTOR="11/12", PPH22_RATE_PERCENT="1.5",
                          PPH23_RATE_PERCENT="2", TREASURER_COLLECTION_THRESHOLD_RUPIAH=2_000_000)


def test_payment_uses_the_fixed_figures(app, p):
    p.supplier.org.supplier.is_pkp, p.supplier.org.supplier.has_pp55_certificate = True, False
    order = received_order(p, oh.listed(p, price=111_000, stock=None), 30)
    app.config.update(PPH22_RATE_PERCENT="3")
    try:
        payment = orders.record_payment(p.bendahara, order, oh.today(), "SP2D-7", 2_955_000, utcnow(), oh.today())
        assert (payment.ppn, payment.pph, payment.net) == (330_000, 45_000, 2_955_000)
    finally:
        app.config.update(PPH22_RATE_PERCENT="1.5")


def test_expired_pp55_certificate_at_the_sp_falls_back_to_pph22(p):
    profile = p.supplier.org.supplier
    profile.has_pp55_certificate, profile.pp55_number = True, "KET-00123/PP55/2025"
    profile.pp55_valid_from, profile.pp55_valid_until = date(2024, 1, 1), oh.today() - timedelta(days=1)
    order = received_order(p, oh.listed(p, price=111_000, stock=None), 30)
    # not PKP, goods 3.330.000, certificate expired: PPh 22 1,5 % = 49.950 instead of final 16.650
    tax = orders.tax_breakdown(order)
    assert (tax.pp55, tax.pph22, tax.pph_final, tax.net) == (False, 49_950, 0, 3_280_050)


def test_valid_pp55_certificate_gives_the_final_tax(p):
    profile = p.supplier.org.supplier
    profile.has_pp55_certificate, profile.pp55_number = True, "KET-00123/PP55/2025"
    profile.pp55_valid_from, profile.pp55_valid_until = date(2024, 1, 1), oh.today() + timedelta(days=30)
    order = received_order(p, oh.listed(p, price=111_000, stock=None), 30)
    tax = orders.tax_breakdown(order)   # final 0,5 % × 3.330.000 = 16.650
    assert (tax.pp55, tax.pph22, tax.pph_final, tax.net) == (True, 0, 16_650, 3_313_350)


def test_order_issued_before_tax_classes_keeps_its_formula_and_fingerprint(app, p):
    """The migration stores method "2024" on orders already issued: the invoice content
    keeps the old keys and amounts (DPP = floor(gross × 100/111), PPN = gross − DPP, PPh 22 on DPP)."""
    p.supplier.org.supplier.is_pkp, p.supplier.org.supplier.has_pp55_certificate = True, False
    order = received_order(p, oh.listed(p, price=111_000, stock=None), 10)
    order.supplier_has_pp55 = False
    order.tax_fixed = {"rates": {"method": "2024", "is_pkp": True, "pp55": False, "ppn_rate": "11",
                                 "dpp_factor": "1", "pph22_rate": "1.5", "pph23_rate": "0",
                                 "pph_final_rate": "0.5", "threshold": 0, "ppn_collected": True}}
    tax = documents.content(order, Kind.INVOICE)["tax"]
    # 1.110.000: DPP 1.000.000, PPN 110.000, PPh 22 15.000, net 985.000 (as before the change)
    assert tax == {"gross": 1_110_000, "dpp": 1_000_000, "ppn": 110_000, "pph": 15_000, "net": 985_000,
                   "ppn_rate": taxes.Decimal("11"), "pph_rate": taxes.Decimal("1.5"), "pph_final": False,
                   "is_pkp": True, "ppn_withheld": True}
    assert re.fullmatch(r"[0-9a-f]{64}", documents.fingerprint(documents.content(order, Kind.INVOICE)))


def test_kkpd_on_the_sp_fixes_no_pph22_and_the_payment_keeps_to_it(p):
    from pbj.models.orders import PaymentMethod
    from pbj.services.errors import DomainError
    from tests.refusals import refused

    p.supplier.org.supplier.has_pp55_certificate = False
    p.supplier.org.supplier.is_pkp = False
    product = oh.listed(p, price=333_000, stock=None)
    order = oh.place(p, product, 10, payment_method=PaymentMethod.KKPD)  # goods 3.330.000, not PKP
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    assert order.tax_fixed["rates"]["by_card"] is True
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: 10}, "SJ", oh.today(), "", utcnow(), oh.today())
    orders.sign_handover(p.ppk, order, {item.id: 10}, "", oh.today(), None, utcnow(), oh.today())
    db.session.commit()
    tax = orders.tax_breakdown(order)
    assert (tax.pph22, tax.net) == (0, 3_330_000)  # by card: no PPh 22 (1,5 % would be 49.950)
    with refused(DomainError, "The Surat Pesanan fixed the taxes for payment with the government credit card "
                              "(KKPD), on which no PPh 22 is collected: record the payment as KKPD.",
                 field="payment_method"):
        orders.record_payment(p.bendahara, order, oh.today(), "TRF-1", 3_330_000, utcnow(), oh.today(),
                              orders.PaymentDetails(payment_method=PaymentMethod.LS))
    db.session.rollback()
    payment = orders.record_payment(p.bendahara, order, oh.today(), "KKPD-1", 3_330_000, utcnow(), oh.today())
    assert payment.payment_method is PaymentMethod.KKPD and payment.pph == 0
