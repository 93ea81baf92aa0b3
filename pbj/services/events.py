"""What happened to an order: the event names and how people read them.

The order services write these names to the audit trail and to notifications;
the labels are shown on pages and in e-mails (sent after the commit, without a
request), so they live here, beside the domain, not in the web layer.
"""
from __future__ import annotations

from datetime import datetime


from pbj.clock import city_zone
from pbj.messages import format_date
from pbj.messages import gettext as _
from pbj.messages import lazy_gettext as _l
from pbj.models.orders import OrderStatus
from pbj.services.workdays import last_day

# How people name an order's state (lists, the order page, and the services' messages:
# "it is now: Approved", never the code "approved").
ORDER_STATUS_LABELS = {
    OrderStatus.SUBMITTED: _l("Waiting for the supplier"),
    OrderStatus.NEGOTIATING: _l("Under negotiation"),
    OrderStatus.CONFIRMED: _l("Waiting for the PPK"),
    OrderStatus.APPROVED: _l("Approved"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.RECEIVED: _l("Received"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.REJECTED: _l("Rejected"),
    OrderStatus.EXPIRED: _l("Expired"),
}


ORDER_EVENT_LABELS = {
    "order.submitted": _l("Order submitted"),
    "order.offer_made": _l("Price offer made"),
    "order.offer_accepted": _l("Price offer accepted"),
    "order.offer_declined": _l("Price offer declined"),
    "order.confirmed": _l("Order confirmed by the supplier"),
    "order.rejected_by_supplier": _l("Order rejected by the supplier"),
    "order.rejected_by_ppk": _l("Order rejected by the PPK"),
    "order.cancelled": _l("Order cancelled"),
    "order.approved": _l("Order approved, Surat Pesanan issued"),
    "order.shipped": _l("Goods delivered or work done"),
    "order.received": _l("BAST signed, goods or work received"),
    "order.received_part": _l("Partial BAST signed: the rest stays open for delivery"),
    "order.rest_cancelled": _l("Undelivered rest cancelled by the PPK"),
    "order.penalty_waived": _l("Late-delivery penalty waived by the PPK"),
    "order.paid": _l("Payment recorded"),
    "order.rated": _l("Supplier rated"),
    "order.rating_replied": _l("Supplier replied to the rating"),
    # The audit action; the timeline words each entry with `expiry_text` (who missed it).
    "order.expired": _l("Order expired: the deadline passed"),
    # The notices of an expiry, one per party who missed the deadline.
    "order.expired.supplier": _l("Order expired: the supplier did not answer by the deadline"),
    "order.expired.buyer": _l("Order expired: the buyer did not answer the supplier's offer by the deadline"),
    "order.expired.ppk": _l("Order expired: the PPK did not approve or reject it by the deadline"),
    "order.supplier_sanctioned": _l("Supplier suspended or blacklisted"),
}


def order_event_label(name: str) -> str:
    """The translated label of an order event; the name itself when it has none."""
    return str(ORDER_EVENT_LABELS.get(name, name))


def deadline_text(deadline: datetime) -> str:
    """A deadline (a local midnight, stored as naive UTC) as people say it, in the
    current language: "Senin, 7 Desember 2026 pukul 24.00 WIB"."""
    day = last_day(deadline)
    zone = city_zone().tzname(datetime.combine(day, datetime.min.time()))
    return _("%(day)s at 24.00 %(zone)s", day=format_date(day, "EEEE, d MMMM y"), zone=zone)


_EXPIRY_TEXTS = {
    "supplier": lambda when: _l("Expired: the supplier did not answer by the deadline, %(deadline)s",
                                deadline=when),
    "buyer": lambda when: _l("Expired: the buyer did not answer the supplier's offer by the deadline, "
                             "%(deadline)s", deadline=when),
    "ppk": lambda when: _l("Expired: the PPK did not approve or reject by the deadline, %(deadline)s",
                           deadline=when),
}


def expiry_text(detail: dict, confirmed: bool):
    """The timeline's words for an `order.expired` entry: who missed which deadline.

    Entries written before the deadlines were split carry no `missed_by`: an order
    never confirmed was waiting for the supplier, a confirmed one for the PPK.
    """
    missed_by = detail.get("missed_by") or ("ppk" if confirmed else "supplier")
    text = _EXPIRY_TEXTS.get(missed_by)
    deadline = detail.get("deadline")
    try:
        moment = datetime.fromisoformat(deadline) if deadline else None
    except (TypeError, ValueError):
        moment = None
    if text is None or moment is None:
        return ORDER_EVENT_LABELS["order.expired"]
    return text(deadline_text(moment))
