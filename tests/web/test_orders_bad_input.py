"""Junk typed into the ordering forms is refused with its reason and changes nothing.

Each field gets the junk that reaches each of its checks (required, unreadable,
negative, decimals, out of range, too long, not a date, not a choice) while the
other fields hold valid values: the answer is 422 and the page shows that field's
own message, and no other (in English here). Markup and SQL go through the same
checks as any unreadable text. The same valid values are then accepted, so each
refusal came from the junk. The wrong party is refused (403) before the form is
read, someone outside the OPD cannot see the order (404), and the right party at
the wrong stage gets 409 with the reason. Free text (a note, a reason long enough)
is stored as typed; tests/web/test_payload_corpus.py covers how it is shown.
"""
from __future__ import annotations

import itertools
import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role
from pbj.models.audit import AuditEntry
from pbj.models.orders import (
    CartItem,
    Delivery,
    Handover,
    Notification,
    Offer,
    Order,
    OrderItem,
    OrderStatus,
    Payment,
    Rating,
)
from pbj.services import orders
from tests import order_helpers as oh

# -- The junk, by the check it meets --------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "' OR 1=1 --"]
UNREADABLE = ["abc", "1e9", "9" * 400, "31/13/2026", *HOSTILE]  # not a number in any writing

BAD_DATE = "Enter the date as DD/MM/YYYY."
DATE_JUNK = [(junk, BAD_DATE) for junk in ("", " ", "abc", "0", "2026-02-30", "31/13/2026", "1e9", *HOSTILE)]

WHOLE_NUMBER_JUNK = [
    *[(junk, "Enter a whole number using digits.") for junk in (*UNREADABLE, "Rp -5.000")],
    ("-1", "Enter zero or more, not a negative number."),
    ("1,5", "Enter a whole number, without decimals."), ("1.5", "Enter a whole number, without decimals."),
]


def rupiah_junk(required: str) -> list[tuple[str, str]]:
    return [
        ("", required), (" ", required),
        *[(junk, "Enter the price in rupiah using digits, for example 1.250.000.") for junk in UNREADABLE],
        ("-1", "The price cannot be negative."), ("Rp -5.000", "The price cannot be negative."),
        ("1,5", "Enter the price in whole rupiah, without cents."),
        ("1.5", "Enter the price in whole rupiah, without cents."),
    ]


def too_long(limit: int) -> tuple[str, str]:
    return "x" * (limit + 1), f"Field cannot be longer than {limit} characters."


REASON_JUNK = [("", "Write the reason."), (" ", "Write the reason."),
               ("abc", "Write between 5 and 2000 characters."),
               ("x" * 2001, "Write between 5 and 2000 characters.")]
FORM = None  # a refusal of the whole form (the error summary), not of one field

# Each form: the stage its order is at, who posts it, and (field, junk, message, where shown).
# "{item}" stands for the order item's id; the stage's order holds 4 units of one product.
FORMS = {
    "tawar": ("submitted", "pp", [
        *[("price_{item}", junk, msg, "price_{item}")
          for junk, msg in rupiah_junk("Enter a price for this item.")],
        ("price_{item}", "0", "Offer at most the list price.", "price_{item}"),
        ("price_{item}", "9" * 23, "Offer at most the list price.", "price_{item}"),
        ("note", *too_long(2000), "note"),
    ]),
    # Each end action's reason box has its own id (a PPK sees two of them on one page).
    "batal": ("submitted", "pp", [("reason", junk, msg, "cancel-reason") for junk, msg in REASON_JUNK]),
    "tolak": ("submitted", "supplier",
              [("reason", junk, msg, "supplier_reject-reason") for junk, msg in REASON_JUNK]),
    "tolak-ppk": ("confirmed", "ppk", [("reason", junk, msg, "ppk_reject-reason") for junk, msg in REASON_JUNK]),
    "kirim": ("approved", "supplier", [
        ("note_number", "", "Enter the delivery note number.", "note_number"),
        ("note_number", " ", "Enter the delivery note number.", "note_number"),
        ("note_number", *too_long(60), "note_number"),
        *[("shipped_on", junk, msg, "shipped_on") for junk, msg in DATE_JUNK],
        *[("qty_{item}", junk, msg, "qty_{item}") for junk, msg in WHOLE_NUMBER_JUNK],
        *[("qty_{item}", junk, "Ship between 0 and the quantity still to ship.", "qty_{item}")
          for junk in ("5", "２０", "9" * 23)],  # full-width digits read as 20
        *[("qty_{item}", junk, "Enter the quantity shipped of at least one item.", FORM)
          for junk in ("", "0")],
        ("note", *too_long(2000), "note"),
    ]),
    "bast": ("shipped", "ppk", [
        *[("signed_on", junk, msg, "signed_on") for junk, msg in DATE_JUNK],
        ("qty_{item}", "", "Enter the quantity received.", "qty_{item}"),
        *[("qty_{item}", junk, msg, "qty_{item}") for junk, msg in WHOLE_NUMBER_JUNK],
        *[("qty_{item}", junk, "Enter between 0 and the quantity delivered.", "qty_{item}")
          for junk in ("5", "9" * 23)],
        ("qty_{item}", "0", "Nothing was received in good order: do not sign the BAST; agree a new delivery "
                            "with the supplier first.", FORM),
        ("notes", *too_long(2000), "notes"),
    ]),
    "bayar": ("received", "bendahara", [
        *[("paid_on", junk, msg, "paid_on") for junk, msg in DATE_JUNK],
        ("reference", "", "Enter the payment reference.", "reference"),
        *[("reference", junk, "Enter the payment reference (SP2D or transfer number).", "reference")
          for junk in ("-1", "0")],
        ("reference", *too_long(80), "reference"),
        *[("amount", junk, msg, "amount") for junk, msg in rupiah_junk("Enter the amount paid.")],
        *[("amount", junk, "The amount paid to the supplier must be the net amount, Rp {net}.", "amount")
          for junk in ("0", "２０", "9" * 23)],
    ]),
    "nilai": ("paid", "ppk", [
        *[("stars", junk, "Choose 1 to 5 stars.", "stars")
          for junk in ("", " ", "abc", "0", "1.5", *HOSTILE)],
        *[("stars", junk, "Not a valid choice.", "stars") for junk in ("-1", "6", "9" * 23)],
        ("comment", *too_long(2000), "comment"),
    ]),
    "balas": ("completed", "supplier", [
        ("reply", "", "Write your reply.", "reply"), ("reply", " ", "Write your reply.", "reply"),
        ("reply", *too_long(2000), "reply"),
    ]),
}

# Who may take each action; everyone else of the order's OPD or supplier gets 403.
SIDES = {
    "konfirmasi": {"supplier"}, "setujui": {"ppk"}, "terima-tawaran": {"pp", "ppk", "supplier"},
    "tolak-tawaran": {"pp", "ppk", "supplier"}, "batal": {"pp", "ppk"}, "tolak": {"supplier"},
    "tolak-ppk": {"ppk"}, "tawar": {"pp", "ppk", "supplier"}, "kirim": {"supplier"}, "bast": {"ppk"},
    "bayar": {"bendahara"}, "nilai": {"ppk"}, "balas": {"supplier"},
}
JUNK = ["", " ", "abc", "-1", "0", "1e9", "9" * 23, "1.5", "1,5", "Rp -5.000", *HOSTILE, "２０", "9" * 400,
        "2026-02-30", "31/13/2026"]
STAGES = ["submitted", "confirmed", "approved", "shipped", "received", "paid", "completed"]


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def order_at(p, stage: str) -> Order:
    """A new order for 4 units of a product listed at Rp 55.000, moved through the services to `stage`."""
    order = oh.place(p, oh.listed(p, stock=50), 4)
    item_id, now, today = order.items[0].id, utcnow(), oh.today()
    reached = STAGES.index(stage)
    steps = [
        lambda: orders.confirm(p.supplier, order, now),
        lambda: orders.approve(p.ppk, order, now, today),
        lambda: orders.ship(p.supplier, order, {item_id: 4}, "SJ-1", today, "", now, today),
        lambda: orders.sign_handover(p.ppk, order, {item_id: 4}, "", today, None, now, today),
        lambda: orders.record_payment(p.bendahara, order, today, "SP2D-1", orders.tax_breakdown(order).net,
                                      now, today),
        lambda: orders.rate(p.ppk, order, 4, "", now),
    ]
    for step in steps[:reached]:
        step()
    db.session.commit()
    return order


def valid_values(order: Order) -> dict[str, str]:
    """A value each order form accepts, by field name."""
    today = oh.today().isoformat()
    return {"note": "", "price_{item}": "50.000", "reason": "Anggaran dialihkan", "note_number": "SJ-2",
            "shipped_on": today, "qty_{item}": "4", "signed_on": today, "notes": "", "paid_on": today,
            "reference": "SP2D-2", "amount": str(orders.tax_breakdown(order).net), "stars": "4",
            "comment": "",
            "reply": "Terima kasih atas penilaiannya."}


FORM_FIELDS = {"tawar": ["note", "price_{item}"], "batal": ["reason"], "tolak": ["reason"],
               "tolak-ppk": ["reason"], "kirim": ["note_number", "shipped_on", "note", "qty_{item}"],
               "bast": ["signed_on", "notes", "qty_{item}"], "bayar": ["paid_on", "reference", "amount"],
               "nilai": ["stars", "comment"], "balas": ["reply"]}


def snapshot() -> tuple:
    """Everything an order action could change (logging in writes audit entries of its own)."""
    db.session.rollback()
    rows = {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Offer, Delivery, Handover, Payment, Rating, Notification)
    }
    rows["order audit entries"] = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "orders"))
    return (rows,
            db.session.execute(sa.select(Order.id, Order.status, Order.updated_at).order_by(Order.id)).all(),
            db.session.execute(sa.select(OrderItem.id, OrderItem.agreed_price, OrderItem.shipped_qty,
                                         OrderItem.received_qty).order_by(OrderItem.id)).all())


def in_english(client, auth, user) -> None:
    auth.login(user)
    assert client.post("/bahasa", data={"lang": "en", "next": "/"}).status_code == 303


def field_errors(body: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for field_id, message in re.findall(r'<p class="error" id="([\w-]+)-error">(.*?)</p>', body):
        found.setdefault(field_id, set()).add(message)
    return found


def error_summary(body: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    return match.group(0) if match else ""


# -- Junk in each field, as the party the form is for --------------------------------------

@pytest.mark.parametrize("action", FORMS)
def test_junk_in_each_order_field_gets_that_fields_message(p, client, auth, action):
    stage, who, cases = FORMS[action]
    order = order_at(p, stage)
    order_id, item_id, net = order.id, order.items[0].id, orders.tax_breakdown(order).net
    valid = valid_values(order)
    in_english(client, auth, getattr(p, who))
    for field, junk, message, where in cases:
        data = {name.format(item=item_id): junk if name == field else valid[name]
                for name in FORM_FIELDS[action]}
        message = str(escape(message.format(net=f"{net:,}".replace(",", "."))))
        case = (action, field, junk[:30])
        before = snapshot()

        response = client.post(f"/pesanan/{order_id}/{action}", data=data)

        body = response.get_data(as_text=True)
        assert response.status_code == 422, case
        if where is FORM:
            assert field_errors(body) == {}, case
            assert message in error_summary(body), case
        else:
            assert field_errors(body) == {where.format(item=item_id): {message}}, case
        assert snapshot() == before, case
    # The valid values alone are accepted: each refusal above came from its junk.
    data = {name.format(item=item_id): valid[name] for name in FORM_FIELDS[action]}
    assert client.post(f"/pesanan/{order_id}/{action}", data=data).status_code == 303


# -- Junk from the wrong person, or at the wrong stage --------------------------------------

def test_the_wrong_party_is_refused_before_the_form_is_read(p, client, auth, create_org, create_user):
    order_id = order_at(p, "submitted").id
    junk = itertools.cycle(JUNK)
    fields = ("reason", "note", "price_1", "note_number", "shipped_on", "qty_1", "signed_on", "paid_on",
              "reference", "amount", "stars", "comment", "reply")
    outsider = create_user(Role.PPK, org=create_org(OrgKind.OPD, name="Dinas Lain", code="DLAIN"))
    before = snapshot()
    for who in ("pp", "ppk", "bendahara", "supplier", "outsider"):
        in_english(client, auth, outsider if who == "outsider" else getattr(p, who))
        for action, sides in SIDES.items():
            if who in sides:
                continue
            value = next(junk)
            response = client.post(f"/pesanan/{order_id}/{action}", data={f: value for f in fields})
            body = response.get_data(as_text=True)
            if who == "outsider":  # another OPD's order does not exist for them
                assert response.status_code == 404, (who, action)
            else:
                assert response.status_code == 403, (who, action, value)
                assert "Your account may not open this page or do this action." in body, (who, action)
        auth.logout()
    assert snapshot() == before


WRONG_STAGE = [  # (action, who, the reason shown) for a submitted order, posted with valid values
    ("setujui", "ppk", "The supplier has to confirm the order before it can be approved."),
    ("terima-tawaran", "pp", "There is no open offer to answer."),
    ("tolak-tawaran", "supplier", "There is no open offer to answer."),
    ("kirim", "supplier", "Goods are delivered, or work is done, after the PPK approves the order."),
    ("bast", "ppk", "The BAST is signed after the goods are delivered or the work is done."),
    ("bayar", "bendahara", "Payment is recorded after the BAST is signed."),
    ("nilai", "ppk", "The supplier is rated after payment."),
    ("balas", "supplier", "There is no rating to reply to."),
]


def test_the_right_party_at_the_wrong_stage_gets_409_with_the_reason(p, client, auth):
    order = order_at(p, "submitted")
    order_id, item_id = order.id, order.items[0].id
    valid = valid_values(order)
    valid["qty_{item}"] = "0"  # nothing is shipped yet: the BAST form allows 0 at most
    before = snapshot()
    for action, who, reason in WRONG_STAGE:
        in_english(client, auth, getattr(p, who))
        data = {name.format(item=item_id): valid[name] for name in FORM_FIELDS.get(action, [])}
        if action == "kirim":
            data[f"qty_{item_id}"] = "4"
        response = client.post(f"/pesanan/{order_id}/{action}", data=data)
        assert response.status_code == 409, (action, response.status_code)
        assert str(escape(reason)) in error_summary(response.get_data(as_text=True)), action
        auth.logout()
    assert snapshot() == before


# -- The cart and checkout ------------------------------------------------------------------

QUANTITY_JUNK = [
    *WHOLE_NUMBER_JUNK,
    *[(junk, "Enter a quantity from 1 to 1000000.") for junk in ("0", "9" * 23)],
    ("２０", "Only 10 buah of Kertas HVS A4 80 gram are in stock."),  # full-width digits read as 20
]
CHECKOUT_JUNK = [  # (field, junk, message); the other fields are valid
    *[("package_id", junk, "Choose a package (Kode RUP) from your OPD's RUP register.")
      for junk in ("", "abc", "-1", "0", "1.5", "41234567", "9" * 23, *HOSTILE)],
    ("delivery_address", "", "Enter the delivery address."),
    ("delivery_address", "x" * 301, "Field cannot be longer than 300 characters."),
    *[("needed_by", junk, BAD_DATE) for junk, _ in DATE_JUNK],
    *[("ppk_id", junk, "Choose a PPK of your OPD.")
      for junk in ("", "abc", "-1", "0", "1.5", "9" * 23, *HOSTILE)],
]


def test_junk_in_the_cart_gets_the_quantitys_message(p, client, auth):
    product = oh.listed(p, stock=10)
    in_english(client, auth, p.pp)
    assert client.post("/keranjang", data={"product_id": product.id, "quantity": "1"}).status_code == 303
    item_id = db.session.scalar(sa.select(CartItem.id))
    before = db.session.execute(sa.select(CartItem.id, CartItem.quantity)).all()
    for junk in JUNK:  # not a product id: no such page
        assert client.post("/keranjang", data={"product_id": junk, "quantity": "1"}).status_code == 404, junk
    for junk, message in QUANTITY_JUNK:
        added = client.post("/keranjang", data={"product_id": product.id, "quantity": junk},
                            headers={"HX-Request": "true"})
        assert added.status_code == 422, junk
        assert str(escape(message)) in added.get_data(as_text=True), junk
        changed = client.post(f"/keranjang/{item_id}", data={"quantity": junk})
        assert changed.status_code == 422, junk
        assert field_errors(changed.get_data(as_text=True)) == {f"q-{item_id}": {str(escape(message))}}, junk
    db.session.rollback()
    assert db.session.execute(sa.select(CartItem.id, CartItem.quantity)).all() == before


def test_junk_at_checkout_gets_that_fields_message(p, client, auth):
    product = oh.listed(p, stock=10)
    in_english(client, auth, p.pp)
    client.post("/keranjang", data={"product_id": product.id, "quantity": "2"})
    today = oh.today()
    valid = {"package_id": str(oh.package(p).id),
             "delivery_address": "Jl. Firdaus No. 1, Singkawang", "needed_by": today.isoformat(),
             "ppk_id": str(p.ppk.id)}
    junk_keys = {"ground_²": "x", "explanation_" + "9" * 5000: "x"}  # ignored, never a 500
    for field, junk, message in CHECKOUT_JUNK:
        response = client.post("/keranjang/pesan", data={**valid, field: junk, **junk_keys})
        assert response.status_code == 422, (field, junk)
        errors = field_errors(response.get_data(as_text=True))
        assert set(errors) == {field} and str(escape(message)) in errors[field], (field, junk, errors)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert db.session.scalar(sa.select(CartItem.quantity)) == 2
    response = client.post("/keranjang/pesan", data={**valid, **junk_keys})
    assert response.status_code == 303  # the valid values alone go through
    assert db.session.scalar(sa.select(Order.status)) is OrderStatus.SUBMITTED


def test_junk_in_the_order_list_filters_gives_the_list(p, client, auth):
    in_english(client, auth, p.pp)
    for junk in JUNK:
        response = client.get("/pesanan", query_string={"status": junk, "hal": junk})
        assert response.status_code == 200, junk
        assert "<main" in response.get_data(as_text=True)
