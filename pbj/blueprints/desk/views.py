"""The desk (/meja): the page every role lands on after login, with what waits for them.

The service (`pbj.services.desk`) decides what waits; this module names each section
in the reader's language and links it to the existing list that shows all of it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template
from flask_login import login_required

from pbj.clock import city_today, city_zone, utcnow
from pbj.messages import Message
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Role
from pbj.services import desk, spending
from pbj.web.auth import actor

bp = Blueprint("desk", __name__)


@dataclass(frozen=True)
class Wording:
    heading: Message
    empty: Message  # said when nothing waits
    endpoint: str  # the full list ("see all")
    args: tuple = ()  # its filter, as (name, value) pairs


ORDERS = "orders.index"
WORDING = {
    "cart": Wording(_l("Your cart"), _l("Your cart is empty."), "orders.cart"),
    "offers_to_answer": Wording(_l("Price offers to answer"),
                                _l("No supplier offer waits for your answer."), ORDERS, (("status", "berjalan"),)),
    "waiting_for_supplier": Wording(_l("Orders waiting for the supplier"),
                                    _l("None of your orders waits for a supplier."), ORDERS,
                                    (("status", "menunggu-penyedia"),)),
    "deliveries_to_receive": Wording(_l("Deliveries to receive"), _l("No delivery is on its way to you."), ORDERS,
                                     (("status", "dikirim"),)),
    "orders_to_approve": Wording(_l("Orders to approve"), _l("No order waits for your approval."), ORDERS,
                                 (("status", "menunggu-ppk"),)),
    "handovers_to_sign": Wording(_l("BASTs to sign"), _l("No delivery waits for your BAST."), ORDERS,
                                 (("status", "dikirim"),)),
    "suppliers_to_rate": Wording(_l("Suppliers to rate"), _l("No paid order waits for your rating."), ORDERS,
                                 (("status", "selesai"),)),
    "payments_to_make": Wording(_l("BASTs to pay"), _l("No signed BAST waits for payment."), ORDERS,
                                (("status", "menunggu-bayar"),)),
    "payments_overdue": Wording(_l("Overdue payments"), _l("No payment is overdue."), ORDERS,
                                (("status", "menunggu-bayar"),)),
    "orders_to_answer": Wording(_l("New orders to answer"), _l("No new order waits for your answer."), ORDERS,
                                (("status", "menunggu-penyedia"),)),
    "negotiations": Wording(_l("Negotiations"), _l("No price negotiation is going on."), ORDERS,
                            (("status", "menunggu-penyedia"),)),
    "deliveries_due": Wording(_l("Deliveries due"), _l("No approved order waits for delivery."), ORDERS,
                              (("status", "dikirim"),)),
    "payments_received": Wording(_l("Payments received in the last %(days)s days", days=desk.RECENT_DAYS),
                                 _l("No payment received in the last %(days)s days.", days=desk.RECENT_DAYS),
                                 ORDERS,
                                 (("status", "selesai"),)),
    "products_in_review": Wording(_l("Products in review"), _l("No product or change waits for UKPBJ review."),
                                  "listings.index", (("status", "ditinjau"),)),
    "products_not_approved": Wording(_l("Products not approved"),
                                     _l("No product or change was turned down."), "listings.index",
                                     (("status", "ditolak"),)),
    "suppliers_to_verify": Wording(_l("Suppliers to verify"), _l("No supplier waits for verification."),
                                   "admin.suppliers", (("status", "menunggu"),)),
    "products_to_review": Wording(_l("New products to review"), _l("No new product waits for review."),
                                  "review.queue", (("jenis", "baru"),)),
    "changes_to_review": Wording(_l("Changes to review"), _l("No change to a published product waits for review."),
                                 "review.queue", (("jenis", "perubahan"),)),
    "recent_activity": Wording(_l("Recent activity"), _l("Nothing recorded yet."), "audit.trail"),
}


OPD_ROLES = (Role.PP, Role.PPK, Role.BENDAHARA)


@bp.get("/meja")
@login_required
def index():
    now, today = utcnow(), city_today()
    user = actor()
    # The OPD's officials see their OPD's year against the UMK target (the budget year is the calendar year).
    meter = spending.meter(user.org_id, today.year) if user.role in OPD_ROLES else None
    return render_template("desk/index.html", sections=desk.sections_for(user, now, today), wording=WORDING,
                           meter=meter,
                           now=now, today=today, zone=city_zone().tzname(now),
                           payment_days=current_app.config["PAYMENT_DUE_WORKING_DAYS"])
