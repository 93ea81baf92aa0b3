"""E-purchasing: cart, checkout and the order lifecycle (DESIGN.md, "Order lifecycle").

Every transition checks the actor (role and organisation), then moves the order
with one conditional UPDATE (`WHERE status IN (...)`), so two people clicking at
once cannot both succeed; it writes exactly one audit entry and notifies the
other side. Nothing here commits: the view (or command) commits once per request.

One module per part of an order's life; callers use this package
(`from pbj.services import orders; orders.confirm(...)`):

- `access`: who sees an order, which steps the page offers (`allowed_actions`) and
  the check every step starts with (`_enter`);
- `sanctions`: what a supplier's sanction stops and how the order shows it;
- `cart`, `checkout`: the cart, and the orders it becomes, with stock reserved;
- `negotiation`: price offers before confirmation;
- `lifecycle`: confirm, approve, cancel, the rejections and expiry;
- `delivery`: deliveries, the BAST, taxes and payment; `ratings`: rating and reply;
- `numbering`: SP, BAST and invoice numbers; `transitions`: the conditional move,
  the audit entry and the notice that every step shares.

The table of who takes which action from which state is `pbj.services.order_lifecycle`.
"""
from pbj.models.orders import Order
from pbj.services.order_lifecycle import may_attempt
from pbj.services.orders.access import allowed_actions, can_view, orders_visible_to
from pbj.services.orders.cart import (
    MAX_QUANTITY,
    CartGroup,
    add_to_cart,
    better_tier_exists,
    cart_groups,
    cart_items,
    remove_from_cart,
    set_cart_quantity,
)
from pbj.services.orders.checkout import CheckoutData, above_pp_limit, checkout, ppk_choices
from pbj.services.orders.delivery import (PaymentDetails, cancel_rest, record_payment, ship, sign_handover,
                                         tax_breakdown)
from pbj.services.orders.lifecycle import (
    approve,
    cancel,
    confirm,
    expire_overdue,
    ppk_reject,
    supplier_reject,
)
from pbj.services.orders.negotiation import answer_offer, make_offer
from pbj.services.orders.preference import (
    NO_GROUND,
    better_products,
    check_explanation,
    down_tier_query,
    ground_codes,
)
from pbj.services.orders.numbering import check_formats, next_number
from pbj.services.orders.ratings import RatingSummary, rate, reply_to_rating, supplier_ratings
from pbj.services.orders.sanctions import (
    SANCTION_NOTED,
    SANCTION_STOPS,
    SanctionNotice,
    record_supplier_sanction,
    sanction_notice,
)
from pbj.services.orders.transitions import MAX_REASON

__all__ = [
    # access
    "allowed_actions", "can_view", "may_attempt", "orders_visible_to",
    # sanctions
    "SANCTION_NOTED", "SANCTION_STOPS", "SanctionNotice", "record_supplier_sanction", "sanction_notice",
    # cart and checkout
    "MAX_QUANTITY", "CartGroup", "add_to_cart", "better_tier_exists", "cart_groups", "cart_items",
    "remove_from_cart", "set_cart_quantity",
    "CheckoutData", "above_pp_limit", "checkout", "ppk_choices",
    # going down a domestic-preference tier
    "NO_GROUND", "better_products", "check_explanation", "down_tier_query", "ground_codes",
    # negotiation and the lifecycle steps
    "answer_offer", "make_offer",
    "approve", "cancel", "confirm", "expire_overdue", "ppk_reject", "supplier_reject",
    # delivery, payment, ratings
    "PaymentDetails", "cancel_rest", "record_payment", "sign_handover", "ship", "tax_breakdown",
    "RatingSummary", "rate", "reply_to_rating", "supplier_ratings",
    # numbers, limits, and the model the callers count
    "check_formats", "MAX_REASON", "Order", "next_number",
]
