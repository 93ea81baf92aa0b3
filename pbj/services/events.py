"""What happened to an order: the event names and how people read them.

The order services write these names to the audit trail and to notifications;
the labels are shown on pages and in e-mails (sent after the commit, without a
request), so they live here, beside the domain, not in the web layer.
"""
from __future__ import annotations

from pbj.messages import lazy_gettext as _l
from pbj.models.orders import OrderStatus

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
    "order.paid": _l("Payment recorded"),
    "order.rated": _l("Supplier rated"),
    "order.rating_replied": _l("Supplier replied to the rating"),
    "order.expired": _l("Order expired (PPK deadline passed)"),
    "order.supplier_sanctioned": _l("Supplier suspended or blacklisted"),
}


def order_event_label(name: str) -> str:
    """The translated label of an order event; the name itself when it has none."""
    return str(ORDER_EVENT_LABELS.get(name, name))
