"""Printable order documents and their public verification page."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from pbj.messages import gettext as _
from pbj.models.orders import Order, OrderDocumentKind, PaymentMethod
from pbj.services import documents, orders
from pbj.urls import absolute_url
from pbj.web.auth import actor, get_or_404
from pbj.web.labels import label

bp = Blueprint("documents", __name__)

# The URL names documents as clerks do; "tagihan" is the supplier's invoice (not a
# faktur pajak, the tax invoice).
KINDS = {"sp": OrderDocumentKind.SURAT_PESANAN, "bast": OrderDocumentKind.BAST,
         "tagihan": OrderDocumentKind.INVOICE}
URL_WORDS = {kind: word for word, kind in KINDS.items()}
# Words of earlier versions, still answered with a permanent redirect (printed or
# bookmarked links).
OLD_URL_WORDS = {"faktur": "tagihan"}


@bp.app_template_global()
def printable_url(order_id: int, kind: OrderDocumentKind, number: str | None = None) -> str:
    """Where the printable document is: the one place that knows the URL words. A BAST
    is named by its number (an order may have several)."""
    if kind is OrderDocumentKind.BAST and number is not None:
        return url_for("documents.printable", order_id=order_id, kind=URL_WORDS[kind], nomor=number)
    return url_for("documents.printable", order_id=order_id, kind=URL_WORDS[kind])


@bp.app_template_global()
def payment_method_label(code: str) -> str:
    """The label of a payment method stored by its code in a document's content."""
    try:
        return label(PaymentMethod(code))
    except ValueError:
        return code


@bp.get("/pesanan/<int:order_id>/dokumen/<kind>")
@login_required
def printable(order_id: int, kind: str):
    if kind in OLD_URL_WORDS:
        return redirect(url_for("documents.printable", order_id=order_id, kind=OLD_URL_WORDS[kind]), 301)
    order = get_or_404(Order, order_id)
    # 404, not 403, for orders the user may not see: ids cannot be probed.
    if kind not in KINDS or not orders.can_view(actor(), order):
        abort(404)
    number = request.args.get("nomor") if KINDS[kind] is OrderDocumentKind.BAST else None
    document = documents.issued(order, KINDS[kind], number[:60] if number else None)
    if document is None:
        abort(404)
    verify_url = absolute_url("documents.verify", code=document.code)
    data = documents.document_content(document)
    return render_template(
        "documents/printable.html", document=document, order=order, data=data,
        verify_url=verify_url, in_force=documents.is_in_force(document),
        unchanged=documents.fingerprint(data) == document.fingerprint,
        qr=documents.qr_svg(verify_url, title=_("QR code: address of the verification page")),
    )


@bp.get("/dokumen/<code>")
def verify(code: str):
    """Public: anyone holding the paper can check it, so only public facts are shown."""
    document = documents.find_by_code(code)
    if document is None:
        return render_template("documents/not_found.html"), 404
    order = document.order
    link = None
    if current_user.is_authenticated and orders.can_view(actor(), order):
        link = printable_url(order.id, document.kind, document.number)
    return render_template("documents/verify.html", summary=documents.public_summary(document),
                           printable_url=link)
