"""The order lifecycle through the services: rules, stock, numbering, audit."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Product
from pbj.models.orders import Notification, OrderStatus
from pbj.services import audit, orders
from pbj.services.errors import DomainError, NotAllowed, WrongState
from tests import order_helpers as oh
from tests.refusals import refused


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def now():
    return utcnow()


def stock_of(product):
    return db.session.scalar(sa.select(Product.stock).where(Product.id == product.id))


def audit_actions(order):
    return [e.action for e in audit.entries_for("orders", order.id)]


def test_full_lifecycle_writes_one_audit_entry_per_transition(p):
    product = oh.listed(p, stock=100)
    order = oh.place(p, product, 10)
    assert order.status is OrderStatus.SUBMITTED and stock_of(product) == 90
    assert order.items[0].list_price == 55_000 and order.total == 550_000
    orders.confirm(p.supplier, order, now())
    number = orders.approve(p.ppk, order, now(), oh.today())
    assert number == f"SP/{p.opd_code}/{oh.today().year}/0001"
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: 6}, "SJ-01", oh.today(), "", now(), oh.today())
    assert order.status is OrderStatus.SHIPPED
    assert "ship" in orders.allowed_actions(p.supplier, order, oh.today())
    orders.ship(p.supplier, order, {item.id: 4}, "SJ-02", oh.today(), "", now(), oh.today())
    assert "ship" not in orders.allowed_actions(p.supplier, order, oh.today())
    orders.sign_handover(p.ppk, order, {item.id: 9}, "Satu rim basah", oh.today(), None, now(), oh.today(),
                         rest="cancel", rest_reason="Satu rim basah, tidak perlu diganti")
    assert order.handover.number == f"BAST/{p.opd_code}/{oh.today().year}/0001"
    assert (item.received_qty, item.cancelled_qty, order.total) == (9, 1, 9 * 55_000)
    tax = orders.tax_breakdown(order)
    assert tax.gross == 9 * 55_000  # only what was received is paid
    orders.record_payment(p.bendahara, order, oh.today(), "SP2D-0001", tax.net, now(), oh.today())
    orders.rate(p.ppk, order, 4, "Tepat waktu", now())
    orders.reply_to_rating(p.supplier, order, "Terima kasih", now())
    db.session.commit()
    assert order.status is OrderStatus.COMPLETED
    assert audit_actions(order) == ["order.submitted", "order.confirmed", "order.approved", "order.shipped",
                                    "order.shipped", "order.received", "order.rest_cancelled", "order.paid",
                                    "order.rated",
                                    "order.rating_replied"]
    with pytest.raises(WrongState):
        orders.reply_to_rating(p.supplier, order, "Lagi", now())
    assert audit.verify_chain().ok  # last: it empties the session


def test_tax_breakdown_stored_with_the_payment(app, create_org, create_user, create_supplier):
    p = oh.parties(create_org, create_user, create_supplier)
    p.supplier.org.supplier.is_pkp = True
    p.supplier.org.supplier.has_pp55_certificate = False
    db.session.commit()
    product = oh.listed(p, price=111_000, stock=None)
    order = oh.place(p, product, 30)
    orders.confirm(p.supplier, order, now())
    orders.approve(p.ppk, order, now(), oh.today())
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: 30}, "SJ", oh.today(), "", now(), oh.today())
    orders.sign_handover(p.ppk, order, {item.id: 30}, "", oh.today(), None, now(), oh.today())
    # 30 × 111.000 = 3.330.000 of goods: PPN 12 % × 11/12 × 3.000.000 = 330.000; PPh 22 1,5 % × 3.000.000
    # = 45.000; net 3.330.000 − 330.000 − 45.000 = 2.955.000
    with refused(DomainError, "The amount paid to the supplier must be the net amount, Rp %(net)s.",
                 field="amount", net="2.955.000"):
        orders.record_payment(p.bendahara, order, oh.today(), "SP2D-1", 3_330_000, now(), oh.today())
    payment = orders.record_payment(p.bendahara, order, oh.today(), "SP2D-1", 2_955_000, now(), oh.today())
    assert (payment.gross, payment.dpp, payment.ppn, payment.pph, payment.net) == (
        3_330_000, 3_000_000, 330_000, 45_000, 2_955_000)


def test_cancel_reject_and_expiry_release_stock(p):
    product = oh.listed(p, stock=30)
    first = oh.place(p, product, 10)
    orders.cancel(p.pp, first, "Salah pilih barang", now())
    assert stock_of(product) == 30 and first.status is OrderStatus.CANCELLED
    second = oh.place(p, product, 10)
    orders.supplier_reject(p.supplier, second, "Stok gudang rusak", now())
    assert stock_of(product) == 30
    third = oh.place(p, product, 10)
    orders.confirm(p.supplier, third, now())
    orders.ppk_reject(p.ppk, third, "Anggaran dialihkan", now())
    assert stock_of(product) == 30
    fourth = oh.place(p, product, 10)
    db.session.commit()
    assert fourth.ppk_deadline is None  # the PPK's clock starts at confirmation
    assert orders.expire_overdue(fourth.supplier_deadline - timedelta(minutes=1)) == []
    assert orders.expire_overdue(fourth.supplier_deadline + timedelta(minutes=1)) == [fourth.id]
    db.session.commit()
    assert fourth.status is OrderStatus.EXPIRED and stock_of(product) == 30
    assert audit_actions(fourth)[-1] == "order.expired"
    with pytest.raises(WrongState):
        orders.confirm(p.supplier, fourth, now())


def test_checkout_rules(p, create_user, create_org):
    product = oh.listed(p, stock=5)
    # More than the stock.
    with refused(DomainError, "Only %(n)s %(unit)s of %(name)s are in stock.", field="quantity", n=5):
        orders.add_to_cart(p.pp, product, 6, oh.today())
    # Listed too recently.
    fresh = oh.listed(p, "Map plastik", age_hours=1)
    orders.add_to_cart(p.pp, fresh, 1, oh.today())
    with refused(DomainError, "%(name)s was listed less than %(hours)s hours ago and cannot be ordered yet.",
                 hours=24):
        orders.checkout(p.pp, oh.checkout_data(p), now(), oh.today())
    db.session.rollback()
    # A PPK of another OPD cannot be named.
    other_ppk = create_user(Role.PPK, org=create_org())
    orders.add_to_cart(p.pp, product, 1, oh.today())
    db.session.commit()
    with refused(DomainError, "Choose a PPK of your OPD to approve the order.", field="ppk_id"):
        orders.checkout(p.pp, oh.checkout_data(p, ppk_id=other_ppk.id), now(), oh.today())
    db.session.rollback()
    for bad, field, msgid in [
        (dict(package_id=None), "package_id", "Choose a package (Kode RUP) from your OPD's RUP register."),
        (dict(needed_by=oh.today() - timedelta(days=1)), "needed_by",
         "The needed-by date cannot be in the past."),
        (dict(delivery_address=" "), "delivery_address", "Enter the delivery address (5 to 300 characters)."),
    ]:
        with refused(DomainError, msgid, field=field):
            orders.checkout(p.pp, oh.checkout_data(p, **bad), now(), oh.today())
        db.session.rollback()
    # Nothing was ordered and the cart is intact.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(orders.Order)) == 0
    assert stock_of(product) == 5


def test_pp_limit_only_a_ppk_may_order_above_it(p):
    product = oh.listed(p, "Laptop", price=20_000_000, stock=None)
    orders.add_to_cart(p.pp, product, 11, oh.today())  # Rp 220 juta
    db.session.commit()
    with refused(DomainError, "Orders under one package add up: package %(code)s already holds %(total)s, and "
                 "with this order it would be %(after)s, above the PP limit of %(limit)s. Only a PPK may order "
                 "above it.", field="package_id", limit="Rp 200.000.000", total="Rp 0"):
        orders.checkout(p.pp, oh.checkout_data(p), now(), oh.today())
    db.session.rollback()
    orders.add_to_cart(p.ppk, product, 11, oh.today())
    made = orders.checkout(p.ppk, oh.checkout_data(p), now(), oh.today())
    assert made[0].total == 220_000_000


def test_lower_preference_needs_a_lawful_ground(p):
    cat = oh.h.category("Kertas")
    oh.listed(p, "Kertas TKDN 45", tkdn=45, cat=cat)
    imported = oh.listed(p, "Kertas impor", pdn=False, cat=cat)
    orders.add_to_cart(p.pp, imported, 1, oh.today())
    db.session.commit()
    group = orders.cart_groups(p.pp, oh.today())[0]
    with refused(DomainError, "Products of a higher domestic-preference tier are listed in the same category "
                 "as %(names)s: choose the lawful ground for buying these instead.",
                 field=f"ground_{group.supplier.org_id}", names="Kertas impor"):
        orders.checkout(p.pp, oh.checkout_data(p), now(), oh.today())
    db.session.rollback()
    why = "Stok kertas TKDN tinggi habis di penyedia sampai bulan depan."
    sid = group.supplier.org_id
    made = orders.checkout(p.pp, oh.checkout_data(p, grounds={sid: "not_available"}, explanations={sid: why}),
                           now(), oh.today())
    assert (made[0].preference_ground, made[0].preference_explanation) == ("not_available", why)


def test_checkout_splits_the_cart_per_supplier(p, create_supplier):
    other_supplier = create_supplier("CV Kedua")
    a = oh.listed(p, "Pulpen")
    b = oh.h.product(other_supplier, p.admin, "Spidol", stock=50)
    b.published_at = utcnow() - timedelta(days=3)
    db.session.commit()
    orders.add_to_cart(p.pp, a, 2, oh.today())
    orders.add_to_cart(p.pp, b, 3, oh.today())
    made = orders.checkout(p.pp, oh.checkout_data(p), now(), oh.today())
    db.session.commit()
    assert sorted(o.supplier.org.name for o in made) == sorted([p.supplier.org.name, "CV Kedua"])
    assert orders.cart_items(p.pp) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) >= 4


def test_negotiation_rounds(p, app):
    product = oh.listed(p, price=50_000)
    order = oh.place(p, product, 10)
    item = order.items[0]
    with refused(DomainError, "The price of %(name)s must be between Rp 1 and its list price.",
                 field=f"price_{item.id}"):
        orders.make_offer(p.pp, order, {item.id: 50_001}, "", now())  # above the list price
    with pytest.raises(WrongState):
        orders.make_offer(p.supplier, order, {item.id: 45_000}, "", now())  # the buyer opens
    orders.make_offer(p.pp, order, {item.id: 40_000}, "Mohon harga grosir", now())
    assert order.status is OrderStatus.NEGOTIATING
    with pytest.raises(WrongState):
        orders.confirm(p.supplier, order, now())
    orders.make_offer(p.supplier, order, {item.id: 46_000}, "Harga terbaik", now())
    orders.answer_offer(p.pp, order, True, now())
    assert item.agreed_price == 46_000 and item.list_price == 50_000 and order.status is OrderStatus.SUBMITTED
    assert [o.answer.value for o in order.offers] == ["countered", "accepted"]
    app.config["NEGOTIATION_MAX_ROUNDS"] = 3
    orders.make_offer(p.pp, order, {item.id: 44_000}, "", now())
    with pytest.raises(WrongState):
        orders.make_offer(p.supplier, order, {item.id: 45_000}, "", now())  # rounds used up
    orders.answer_offer(p.supplier, order, False, now())
    assert item.agreed_price == 46_000
    orders.confirm(p.supplier, order, now())
    db.session.commit()
    assert order.status is OrderStatus.CONFIRMED
    assert audit.verify_chain().ok


def test_every_action_refused_for_the_wrong_people(p, create_user, create_org, create_supplier):
    product = oh.listed(p)
    order = oh.place(p, product, 5)
    stranger_opd = create_org()
    strangers = [create_user(Role.PPK, org=stranger_opd), create_user(Role.PP, org=stranger_opd),
                 create_supplier("CV Lain"), create_user(Role.AUDITOR), p.admin]
    before = len(audit_actions(order))
    for who in strangers:
        with pytest.raises(NotAllowed):
            orders.confirm(who, order, now())
        with pytest.raises(NotAllowed):
            orders.cancel(who, order, "bukan urusan saya", now())
        assert orders.allowed_actions(who, order, oh.today()) == set()
    with pytest.raises(NotAllowed):
        orders.confirm(p.pp, order, now())  # the buyer cannot confirm for the supplier
    orders.confirm(p.supplier, order, now())
    with pytest.raises(NotAllowed):
        orders.approve(p.pp, order, now(), oh.today())  # a PP is not the PPK
    another_ppk = create_user(Role.PPK, org=order.opd)
    with pytest.raises(NotAllowed):
        orders.approve(another_ppk, order, now(), oh.today())  # only the PPK named on the order
    with pytest.raises(WrongState):
        orders.ship(p.supplier, order, {order.items[0].id: 1}, "SJ", oh.today(), "", now(), oh.today())
    assert len(audit_actions(order)) == before + 1


def test_sp_numbers_are_per_opd_and_year(p, create_org, create_user, create_supplier):
    q = oh.parties(create_org, create_user, create_supplier, code="RSUD")
    for parties, expected in [(p, "0001"), (p, "0002"), (q, "0001")]:
        product = oh.listed(parties)
        order = oh.place(parties, product, 1)
        orders.confirm(parties.supplier, order, now())
        number = orders.approve(parties.ppk, order, now(), oh.today())
        db.session.commit()
        assert number == f"SP/{parties.opd_code}/{oh.today().year}/{expected}"


def test_notifications_in_app_and_mail_only_after_commit(p, app):
    from pathlib import Path

    from pbj.services import notifications

    outbox = Path(app.instance_path) / "outbox"
    product = oh.listed(p)
    before = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
    orders.add_to_cart(p.pp, product, 1, oh.today())
    orders.checkout(p.pp, oh.checkout_data(p), now(), oh.today())
    db.session.rollback()  # a failed request: nothing is sent
    assert (len(list(outbox.glob("*.eml"))) if outbox.exists() else 0) == before
    order = oh.place(p, product, 1)
    mails = sorted(outbox.glob("*.eml"))
    assert len(mails) == before + 2  # the supplier and the PPK (not the PP who ordered)
    text = b"".join(m.read_bytes() for m in mails).decode()
    assert p.ppk.email in text and p.supplier.email in text and f"/pesanan/{order.id}" in text
    assert notifications.unread_count(p.ppk) == 1 and notifications.unread_count(p.pp) == 0
    orders.confirm(p.supplier, order, now())
    db.session.commit()
    assert notifications.unread_count(p.pp) == 1
    assert notifications.mark_all_read(p.pp) == 1
    assert notifications.unread_count(p.pp) == 0


def test_expire_command_expires_overdue_orders_only(p, runner):
    product = oh.listed(p, stock=10)
    overdue = oh.place(p, product, 3)
    waiting = oh.place(p, product, 2)
    overdue.supplier_deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    result = runner.invoke(args=["orders", "expire"])
    assert result.exit_code == 0, result.output
    assert f"#{overdue.id}" in result.output and f"#{waiting.id}" not in result.output
    db.session.expire_all()
    assert overdue.status is OrderStatus.EXPIRED and waiting.status is OrderStatus.SUBMITTED
    assert stock_of(product) == 8
    again = runner.invoke(args=["orders", "expire"])
    assert "No overdue orders." in again.output


def test_documents_carry_the_time_of_the_transition(p):
    from datetime import datetime

    from pbj.models.orders import OrderDocumentKind
    from pbj.services import documents

    product = oh.listed(p)
    order = oh.place(p, product, 1)
    orders.confirm(p.supplier, order, now())
    approved_at = datetime(2026, 11, 20, 3, 0)
    number = orders.approve(p.ppk, order, approved_at, approved_at.date())
    sp = documents.issued(order, OrderDocumentKind.SURAT_PESANAN)
    assert sp.issued_at == approved_at and sp.number == number == f"SP/{p.opd_code}/2026/0001"
    assert audit.entries_for("orders", order.id)[-1].occurred_at == approved_at
