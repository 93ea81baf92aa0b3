"""The cart (/keranjang), checkout, orders (/pesanan) and notifications (/notifikasi).

Every action is a POST form that works without JavaScript. The order page
shows only the actions `orders.allowed_actions` grants the user now; the
service checks again, so a stale page or a crafted POST is refused (403 for
the wrong person, 409 for the wrong state) and changes nothing.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from flask import Blueprint, abort, current_app, flash, request, send_file, url_for
from flask_login import login_required
from sqlalchemy.orm import selectinload

from pbj.blueprints.orders.forms import (
    AddToCartForm,
    ApproveForm,
    CartQuantityForm,
    CheckoutForm,
    PaymentForm,
    RatingForm,
    ReasonForm,
    ReplyForm,
    RestForm,
    checkout_form,
    handover_form,
    offer_form,
    payment_method_of,
    per_item_values,
    ship_form,
)
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.messages import ngettext
from pbj.models.accounts import BUYER_ROLES, Role, User
from pbj.models.catalogue import Product
from pbj.models.orders import (ENDED_STATUSES, CartItem, Handover, HandoverRest, Order, OrderDocumentKind,
                               OrderStatus, PaymentMethod)
from pbj.clock import city_today, utcnow
from pbj.services import audit, documents, notifications, orders, packages, penalties
from pbj.services.order_lifecycle import LIFECYCLE, must_act, rounds_left
from pbj.services.uploads import evidence_photo_path
from pbj.web.auth import actor, get_or_404, roles_required
from pbj.web.forms import EmptyForm, first_error, submit_form
from pbj.web.htmx import is_fragment_request, redirect_303, render
from pbj.web.pagination import page_arg, paginate
from pbj.web.urls import safe_next

bp = Blueprint("orders", __name__)

# Status filters of the order list (URL value → statuses): whose move it is, read from
# the lifecycle table.
STATUS_FILTERS = {
    "semua": None,
    "berjalan": tuple(s for s in OrderStatus if s not in ENDED_STATUSES),
    "menunggu-penyedia": LIFECYCLE["supplier_reject"].from_states,
    "menunggu-ppk": LIFECYCLE["approve"].from_states,
    "dikirim": LIFECYCLE["ship"].from_states,
    "menunggu-bayar": LIFECYCLE["pay"].from_states,
    "selesai": (OrderStatus.PAID, OrderStatus.COMPLETED),
    "batal": tuple(s for s in ENDED_STATUSES if s is not OrderStatus.COMPLETED),
}
# The URL word of each action taken with a plain button or a reason (the rest have their
# own routes); the template builds its form actions from the inverse.
ACTION_WORDS = {"konfirmasi": "confirm", "setujui": "approve", "terima-tawaran": "accept_offer",
                "tolak-tawaran": "decline_offer", "batal": "cancel", "tolak": "supplier_reject",
                "tolak-ppk": "ppk_reject"}
ACTION_URLS = {action: word for word, action in ACTION_WORDS.items()}
END_ACTIONS = ("cancel", "supplier_reject", "ppk_reject")  # the actions that end an order, with a reason


# -- Cart -------------------------------------------------------------------------------

def _cart_item_or_404(item_id: int) -> CartItem:
    item = get_or_404(CartItem, item_id)
    if item.user_id != actor().id:
        abort(404)
    return item


def _cart_page(status: int = 200, errors: dict | None = None):
    groups = orders.cart_groups(actor(), city_today())
    return render("orders/cart.html", groups=groups, errors=errors or {}, form=EmptyForm(formdata=None),
                  http_status=status)


@bp.get("/keranjang")
@roles_required(*BUYER_ROLES)
def cart():
    return _cart_page()


@bp.post("/keranjang")
@roles_required(*BUYER_ROLES)
def add_to_cart():
    """Add from a product page or a catalogue card: in place with htmx, else back to that page."""
    form = AddToCartForm()
    raw_id = form.product_id.data or ""
    # get_or_404 refuses ids no database column can hold (a long number would overflow).
    product = get_or_404(Product, int(raw_id)) if raw_id.isdecimal() and len(raw_id) < 20 else abort(404)
    back = safe_next(form.next.data, "catalogue.index") if form.next.data else \
        url_for("catalogue.product", product_id=product.id)

    def added(item: CartItem) -> str:
        return _("In your cart: %(n)s %(unit)s of %(name)s.", n=item.quantity, unit=product.unit,
                 name=product.name)

    def answer(message: str, status: int):
        response = render("orders/_added.html", message=message, ok=status == 200, http_status=status)
        response.vary.add("HX-Request")
        return response

    def refused(status: int):
        # The button sits on a product page or a catalogue card, not a page of its own:
        # htmx gets the message in place; without JavaScript it is flashed on the way back.
        if is_fragment_request():
            return answer(first_error(form), status)
        flash(first_error(form), "error")
        return redirect_303(back)

    def add() -> CartItem:
        quantity = form.quantity.data if form.quantity.data is not None else product.min_order
        return orders.add_to_cart(actor(), product, quantity, city_today())

    return submit_form(form, add, success=added, redirect_to=back, page=refused,
                       fragment=lambda item: answer(added(item), 200))


def _cart_submit(item: CartItem, form, action, success: str):
    """A POST on one cart row: a refusal re-renders the cart with the message beside that row."""
    return submit_form(form, action, success=success, redirect_to=url_for("orders.cart"),
                       page=lambda status: _cart_page(status, {item.id: first_error(form)}))


@bp.post("/keranjang/<int:item_id>")
@roles_required(*BUYER_ROLES)
def set_quantity(item_id: int):
    item = _cart_item_or_404(item_id)
    form = CartQuantityForm()
    return _cart_submit(item, form, lambda: orders.set_cart_quantity(actor(), item, form.quantity.data),
                        _("Quantity changed."))


@bp.post("/keranjang/<int:item_id>/hapus")
@roles_required(*BUYER_ROLES)
def remove_from_cart(item_id: int):
    item = _cart_item_or_404(item_id)
    return _cart_submit(item, EmptyForm(), lambda: orders.remove_from_cart(actor(), item),
                        _("%(name)s is removed from your cart.", name=item.product.name))


def _checkout_page(form: CheckoutForm, status: int = 200, groups=None):
    groups = orders.cart_groups(actor(), city_today()) if groups is None else groups
    return render("orders/checkout.html", form=form, groups=groups,
                  grounds=form.ground_fields(),
                  pp_limit=current_app.config["PP_ORDER_LIMIT_RUPIAH"],
                  above_pp_limit=lambda total: orders.above_pp_limit(actor(), total), http_status=status)


@bp.route("/keranjang/pesan", methods=["GET", "POST"])
@roles_required(*BUYER_ROLES)
def checkout():
    today = city_today()
    groups = orders.cart_groups(actor(), today)
    form = checkout_form(groups) if request.method == "POST" else checkout_form(groups, formdata=None)
    choosable = packages.orderable_packages(actor(), today)
    form.set_choices(today, orders.ppk_choices(actor()), choosable,
                     packages.live_totals([p.id for p in choosable]))
    if request.method == "GET":
        if actor().role is Role.PPK:
            form.ppk_id.data = actor().id
        # Most goods go to the office itself: start from the OPD's address (editable).
        form.delivery_address.data = actor().org.address or ""
        if not groups:
            flash(_("Your cart is empty: add products from the catalogue first."), "info")
            return redirect_303(url_for("orders.cart"))
        return _checkout_page(form, groups=groups)

    def place() -> list[Order]:
        fields = form.ground_fields()
        data = orders.CheckoutData(
            package_id=form.package_id.data, delivery_address=form.delivery_address.data,
            needed_by=form.needed_by.data, ppk_id=form.ppk_id.data,
            grounds={sid: ground.data for sid, (ground, _e) in fields.items()},
            explanations={sid: explanation.data or "" for sid, (_g, explanation) in fields.items()},
            payment_method=payment_method_of(form.payment_method) or PaymentMethod.LS)
        return orders.checkout(actor(), data, utcnow(), today)

    def sent(made: list[Order]) -> str:
        if len(made) == 1:
            return _("Order #%(id)s is sent to the supplier.", id=made[0].id)
        return ngettext("%(num)d order is sent.", "%(num)d orders are sent, one per supplier.", len(made))

    def to(made: list[Order]) -> str:
        return url_for("orders.detail", order_id=made[0].id) if len(made) == 1 else url_for("orders.index")

    # A refusal re-reads the cart (the rollback undid what checkout had begun).
    return submit_form(form, place, success=sent, redirect_to=to,
                       page=lambda status: _checkout_page(form, status))


# -- Orders -----------------------------------------------------------------------------

@bp.get("/pesanan")
@login_required
def index():
    user = actor()
    if user.role not in (*BUYER_ROLES, Role.PENYEDIA, Role.BENDAHARA, Role.ADMIN, Role.AUDITOR):
        abort(403)
    chosen = request.args.get("status", "semua")
    if chosen not in STATUS_FILTERS:
        chosen = "semua"
    query = sa.select(Order).where(orders.orders_visible_to(user))
    if STATUS_FILTERS[chosen]:
        query = query.where(Order.status.in_(STATUS_FILTERS[chosen]))
    query = query.options(selectinload(Order.items), selectinload(Order.opd), selectinload(Order.offers),
                          selectinload(Order.supplier)).order_by(Order.id.desc())
    page = paginate(query, page_arg(request.args.get("hal")), 30)
    today = city_today()
    sanctions = {o.id: notice for o in page.items if (notice := orders.sanction_notice(o, today)) is not None}
    return render("orders/index.html", page=page, chosen=chosen, filters=STATUS_FILTERS, sanctions=sanctions)


def _order_or_404(order_id: int) -> Order:
    """The order, if the user may see it; 404 otherwise (ids cannot be probed)."""
    order = get_or_404(Order, order_id)
    if not orders.can_view(actor(), order):
        abort(404)
    return order


def _order_page(order: Order, status: int = 200, **forms):
    user, today = actor(), city_today()
    allowed = orders.allowed_actions(user, order, today)
    posted_reason = forms.pop("reason_form", None)  # the end action that came back with an error
    forms["reason_forms"] = {action: posted_reason if posted_reason and posted_reason.action == action
                             else ReasonForm(formdata=None, action=action) for action in END_ACTIONS}
    forms.setdefault("action_form", EmptyForm(formdata=None))
    forms.setdefault("approve_form", ApproveForm(formdata=None, data={"payment_method": order.payment_method.value}))
    if "offer" in allowed:
        standing = order.open_offer
        prices = {f"price_{line.item_id}": line.unit_price for line in standing.lines} if standing else {
            f"price_{item.id}": item.agreed_price for item in order.items}
        forms.setdefault("offer_form", offer_form(order, formdata=None, data=prices))
    if "ship" in allowed:
        left = {f"qty_{i.id}": i.quantity - i.shipped_qty for i in order.items}
        forms.setdefault("ship_form", ship_form(order, formdata=None, data={**left, "shipped_on": city_today()}))
    if "handover" in allowed:
        delivered = {f"qty_{i.id}": i.awaiting_inspection for i in order.items}
        forms.setdefault("handover_form", handover_form(order, formdata=None,
                                                        data={**delivered, "signed_on": city_today(), "rest": "open"}))
    if "cancel_rest" in allowed:
        forms.setdefault("rest_form", RestForm(formdata=None))
    if "pay" in allowed:
        forms.setdefault("payment_form", PaymentForm(formdata=None, data={
            "paid_on": city_today(), "payment_method": order.payment_method.value}))
    if "rate" in allowed:
        forms.setdefault("rating_form", RatingForm(formdata=None))
    if "reply" in allowed:
        forms.setdefault("reply_form", ReplyForm(formdata=None))
    issued = documents.issued_all(order)
    timeline = audit.entries_for("orders", order.id)
    ids = {e.actor_id for e in timeline if e.actor_id}
    actors = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    problem_forms = [f for name, f in forms.items() if name != "reason_forms" and f.errors]
    problem_forms += [f for f in forms["reason_forms"].values() if f.errors]
    tax = orders.tax_breakdown(order)
    late_penalty = penalties.compute(order) if "handover" in allowed else None
    penalty_basis = penalties.basis_of(order)
    outstanding_text = ", ".join(f"{item.outstanding} {item.unit} {item.name}" for item in order.items
                                 if item.outstanding > 0)
    penalty_due = penalties.deduction(order, tax.net)
    return render("orders/order.html", order=order, allowed=allowed, tax=tax,
                  late_penalty=late_penalty, penalty_due=penalty_due, penalty_basis=penalty_basis,
                  outstanding_text=outstanding_text,
                  steps=LIFECYCLE, action_urls=ACTION_URLS, rounds_left=rounds_left(order),
                  sanction=orders.sanction_notice(order, today), my_turn=must_act(user, order),
                  package_link=order.package is not None and packages.can_view(user, order.package),
                  better=orders.better_products(order, today) if order.went_down_tier and "approve" in allowed
                  else [],
                  timeline=timeline, actors=actors, issued=issued, problem_forms=problem_forms, **forms,
                  http_status=status)


@bp.get("/pesanan/<int:order_id>")
@login_required
def detail(order_id: int):
    return _order_page(_order_or_404(order_id))


def _act(order: Order, action: str, form, form_name: str, do, success: str):
    """Check the side first (403 before looking at the form), then the common form POST."""
    if not orders.may_attempt(actor(), order, action):
        abort(403)
    return submit_form(form, do, success=success, redirect_to=url_for("orders.detail", order_id=order.id),
                       page=lambda status: _order_page(order, status, **{form_name: form}))


# Simple actions: (service call, form, success message), by the URL's action name.
@bp.post('/pesanan/<int:order_id>/<any(konfirmasi, setujui, "terima-tawaran", "tolak-tawaran"):action>')
@login_required
def simple_action(order_id: int, action: str):
    order = _order_or_404(order_id)
    user, now, today = actor(), utcnow(), city_today()
    if action == "setujui":
        form = ApproveForm()
        return _act(order, "approve", form, "approve_form",
                    lambda: orders.approve(user, order, now, today, accept_ground=bool(form.accept_ground.data),
                                           payment_method=payment_method_of(form.payment_method)),
                    _("The order is approved and the Surat Pesanan is issued."))
    calls = {
        "konfirmasi": (lambda: orders.confirm(user, order, now), _("The order is confirmed; the PPK is told.")),
        "terima-tawaran": (lambda: orders.answer_offer(user, order, True, now),
                           _("You accepted the offer: its prices are now the agreed prices.")),
        "tolak-tawaran": (lambda: orders.answer_offer(user, order, False, now),
                          _("You declined the offer: the earlier prices stand.")),
    }
    do, message = calls[action]
    return _act(order, ACTION_WORDS[action], EmptyForm(), "action_form", do, message)


@bp.post('/pesanan/<int:order_id>/<any(batal, tolak, "tolak-ppk"):action>')
@login_required
def end(order_id: int, action: str):
    order = _order_or_404(order_id)
    user, now = actor(), utcnow()
    form = ReasonForm(action=ACTION_WORDS[action])
    service = {"batal": orders.cancel, "tolak": orders.supplier_reject, "tolak-ppk": orders.ppk_reject}[action]
    message = {"batal": _("The order is cancelled and its stock released."),
               "tolak": _("The order is rejected; the buyer sees your reason."),
               "tolak-ppk": _("The order is rejected; the buyer and the supplier see your reason.")}[action]
    return _act(order, ACTION_WORDS[action], form, "reason_form", lambda: service(user, order, form.reason.data, now),
                message)


@bp.post("/pesanan/<int:order_id>/tawar")
@login_required
def offer(order_id: int):
    order = _order_or_404(order_id)
    form = offer_form(order)
    return _act(order, "offer", form, "offer_form",
                lambda: orders.make_offer(actor(), order, per_item_values(form, order, "price"), form.note.data,
                                          utcnow()),
                _("Your offer is sent; the other side can accept it or answer with its own."))


@bp.post("/pesanan/<int:order_id>/kirim")
@login_required
def ship(order_id: int):
    order = _order_or_404(order_id)
    form = ship_form(order)
    return _act(order, "ship", form, "ship_form",
                lambda: orders.ship(actor(), order, per_item_values(form, order, "qty"), form.note_number.data,
                                    form.shipped_on.data, form.note.data, utcnow(), city_today()),
                _("The delivery is recorded; the PPK is told."))


@bp.post("/pesanan/<int:order_id>/bast")
@login_required
def handover(order_id: int):
    order = _order_or_404(order_id)
    form = handover_form(order)

    def sign():
        upload = form.photo.data
        # One byte over the limit is enough for the service to refuse a file that is too large.
        photo = upload.read(current_app.config["IMAGE_MAX_BYTES"] + 1) \
            if upload and getattr(upload, "filename", "") else None
        return orders.sign_handover(
            actor(), order, per_item_values(form, order, "qty"), form.notes.data, form.signed_on.data, photo,
            utcnow(), city_today(), waive_penalty=bool(form.waive_penalty.data),
            waiver_reason=form.waiver_reason.data or "", rest=form.rest.data or "",
            rest_reason=form.rest_reason.data or "", whole_order=bool(form.whole_order.data))

    def signed(handover: Handover) -> str:
        if handover.rest is HandoverRest.OPEN:
            return _("The partial BAST is signed. The rest stays open: the supplier delivers it, and you sign "
                     "the next BAST.")
        return _("The BAST is signed; the expenditure treasurer (bendahara pengeluaran) can now record the "
                 "payment.")

    return _act(order, "handover", form, "handover_form", sign, signed)


@bp.post("/pesanan/<int:order_id>/batal-sisa")
@login_required
def cancel_rest(order_id: int):
    order = _order_or_404(order_id)
    form = RestForm()
    return _act(order, "cancel_rest", form, "rest_form",
                lambda: orders.cancel_rest(actor(), order, form.rest_reason.data, utcnow(), city_today()),
                _("The undelivered rest is cancelled; the expenditure treasurer (bendahara pengeluaran) can now "
                  "record the payment of what was received."))


@bp.post("/pesanan/<int:order_id>/bayar")
@login_required
def pay(order_id: int):
    order = _order_or_404(order_id)
    form = PaymentForm()
    return _act(order, "pay", form, "payment_form",
                lambda: orders.record_payment(actor(), order, form.paid_on.data, form.reference.data,
                                              form.amount.data, utcnow(), city_today(), orders.PaymentDetails(
                                                  sp2d_number=form.sp2d_number.data,
                                                  sp2d_date=form.sp2d_date.data,
                                                  payment_method=payment_method_of(form.payment_method),
                                                  ppn_receipt=form.ppn_receipt.data,
                                                  pph_receipt=form.pph_receipt.data)),
                _("The payment is recorded."))


@bp.post("/pesanan/<int:order_id>/nilai")
@login_required
def rate(order_id: int):
    order = _order_or_404(order_id)
    form = RatingForm()
    return _act(order, "rate", form, "rating_form",
                lambda: orders.rate(actor(), order, form.stars.data, form.comment.data, utcnow()),
                _("Thank you: the rating is on the supplier's profile."))


@bp.post("/pesanan/<int:order_id>/balas")
@login_required
def reply(order_id: int):
    order = _order_or_404(order_id)
    form = ReplyForm()
    return _act(order, "reply", form, "reply_form",
                lambda: orders.reply_to_rating(actor(), order, form.reply.data, utcnow()),
                _("Your reply is published under the rating."))


@bp.get("/pesanan/<int:order_id>/bast/foto")
@login_required
def handover_photo(order_id: int):
    order = _order_or_404(order_id)
    sequence = request.args.get("nomor", type=int)
    handover = next((h for h in order.handovers if h.sequence == sequence), None) if sequence \
        else order.handover
    if handover is None or not handover.photo_name:
        abort(404)
    path = evidence_photo_path(handover.photo_name)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"  # evidence of one order: not for shared caches
    return response


# -- Notifications ----------------------------------------------------------------------

@bp.get("/notifikasi")
@login_required
def notifications_page():
    return render("orders/notifications.html", items=notifications.recent(actor()), form=EmptyForm(formdata=None))


@bp.post("/notifikasi/baca")
@login_required
def notifications_read():
    form = EmptyForm()

    def page(status: int):
        return render("orders/notifications.html", items=notifications.recent(actor()), form=form,
                      http_status=status)

    return submit_form(form, lambda: notifications.mark_all_read(actor()), success=None,
                       redirect_to=url_for("orders.notifications_page"), page=page)


@bp.app_context_processor
def _header_counts():
    """Unread notifications and cart size for the header (one small query each, logged in only)."""
    from flask_login import current_user

    if not getattr(current_user, "is_authenticated", False):
        return {}
    try:
        counts = {"unread_notifications": notifications.unread_count(current_user)}
        if current_user.role.buys:
            counts["cart_count"] = db.session.scalar(
                sa.select(sa.func.count()).select_from(CartItem).where(CartItem.user_id == current_user.id)) or 0
    except SQLAlchemyError:
        return {}  # an error page about the database must still render
    return counts

