"""Product listings managed by their supplier, under /usaha/produk.

A UKPBJ administrator lists products on a supplier's behalf from the admin
pages (pbj/blueprints/admin/listings.py), which reuse `products_page` and
`new_product_page` below; every product then has one edit page, here.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from pbj.blueprints.listings.forms import ImageForm, ProductForm
from pbj.clock import utcnow
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.messages import ngettext
from pbj.models.accounts import Role
from pbj.models.catalogue import Product, ProductStatus
from pbj.models.suppliers import SupplierProfile
from pbj.services import audit, catalogue, revisions
from pbj.web.audit_words import worded
from pbj.web.auth import actor, get_or_404, roles_required
from pbj.web.forms import EmptyForm, submit_form
from pbj.web.pagination import page_arg, paginate
from pbj.web.revision_diff import revision_rows

bp = Blueprint("listings", __name__, url_prefix="/usaha/produk")

# Status tabs of the product list: URL value → statuses shown.
STATUS_FILTERS = {
    "semua": None,
    "draf": ProductStatus.DRAFT,
    "ditinjau": ProductStatus.SUBMITTED,
    "tayang": ProductStatus.PUBLISHED,
    "ditolak": ProductStatus.REJECTED,
    "arsip": ProductStatus.ARCHIVED,
}


def _managed_product_or_404(product_id: int) -> Product:
    """The product, if the logged-in user may manage it; 404 for anyone else,
    so another supplier's product ids cannot be probed."""
    product = get_or_404(Product, product_id)
    may_manage = catalogue.may_manage(actor(), product.supplier_id)
    if not (current_user.role in (Role.PENYEDIA, Role.ADMIN) and may_manage):
        abort(404)
    return product


def _product_data(form: ProductForm) -> catalogue.ProductData:
    return catalogue.ProductData(
        category_id=form.category_id.data,
        name=form.name.data or "",
        unit=form.unit.data or "",
        unit_price=form.unit_price.data,
        description=(form.description.data or "").strip(),
        min_order=form.min_order.data,
        stock=form.stock.data,
        lead_time_days=form.lead_time_days.data,
        delivery_area=(form.delivery_area.data or "").strip(),
        tkdn_x100=form.tkdn.data or 0,
        bmp_x100=form.bmp.data or 0,
        tkdn_certificate=form.tkdn_certificate.data,
        tkdn_certificate_date=form.tkdn_certificate_date.data,
        tkdn_ik=form.tkdn_ik.data,
        siinas=form.siinas.data,
        siinas_number=form.siinas_number.data,
        is_pdn=form.is_pdn.data,
        origin=(form.origin.data or "").strip(),
        certifications=list(form.certifications.data or []),
        tax_class=form.tax_class.data or "goods",
    )


def _product_form(product: Product | None = None, *, submitted: bool = True) -> ProductForm:
    """The product form: bound to this request's POST (`submitted`), else prefilled
    from `product` (or the defaults of a new product)."""
    form = ProductForm() if submitted else ProductForm(formdata=None)
    form.set_categories(catalogue.category_tree())
    if not form.is_submitted() or not submitted:
        if product is not None:
            form.fill_from(product, revisions.pending_revision(product))
        else:
            form.min_order.data = 1
            form.lead_time_days.data = 1
    return form


# -- Product lists -------------------------------------------------------------------

def products_page(supplier: SupplierProfile, list_endpoint: str, **endpoint_args):
    status = request.args.get("status", "semua")
    if status not in STATUS_FILTERS:
        status = "semua"
    query = (sa.select(Product).where(Product.supplier_id == supplier.org_id)
             .options(selectinload(Product.images))
             .order_by(Product.updated_at.desc(), Product.id.desc()))
    if STATUS_FILTERS[status] is not None:
        query = query.where(Product.status == STATUS_FILTERS[status])
    page = paginate(query, page_arg(request.args.get("hal")), 50)
    counts = dict(db.session.execute(
        sa.select(Product.status, sa.func.count()).where(Product.supplier_id == supplier.org_id)
        .group_by(Product.status)
    ).all())
    pending = revisions.pending_product_ids([p.id for p in page.items])
    return render_template("listings/index.html", supplier=supplier, page=page, status=status, pending=pending,
                           filters=STATUS_FILTERS, counts=counts, list_endpoint=list_endpoint,
                           endpoint_args=endpoint_args)


@bp.get("")
@roles_required(Role.PENYEDIA)
def index():
    return products_page(current_user.org.supplier, "listings.index")


# -- Creating --------------------------------------------------------------------------

def new_product_page(supplier: SupplierProfile, action: str):
    form = _product_form()

    def page(status: int = 200):
        return render_template("listings/new.html", form=form, supplier=supplier, action=action), status

    if request.method == "GET":
        return page()
    return submit_form(form, lambda: catalogue.create_product(actor(), supplier, _product_data(form)),
                       success=_("The product is saved as a draft. Add photos, then send it for review."),
                       redirect_to=lambda product: url_for("listings.edit", product_id=product.id), page=page)


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(Role.PENYEDIA)
def create():
    return new_product_page(current_user.org.supplier, url_for("listings.create"))


# -- The product page: edit, photos, actions ---------------------------------------------

def _edit_page(product: Product, status: int = 200, **forms):
    forms.setdefault("form", _product_form(product, submitted=False))
    forms.setdefault("image_form", ImageForm(formdata=None))
    forms.setdefault("action_form", EmptyForm(formdata=None))
    history = audit.entries_for("products", product.id)
    on_behalf = any(e.action == "product.created" and e.detail_data.get("on_behalf") for e in history)
    pending = revisions.pending_revision(product)
    decided = revisions.latest_decided(product)
    return render_template(
        "listings/edit.html", product=product, on_behalf=on_behalf, pending=pending,
        pending_rows=revision_rows(product, pending) if pending else [],
        # A rejected change is shown until the supplier sends a new one.
        rejected=decided if decided is not None and decided.status.value == "rejected" and pending is None
        else None,
        # The audit entries name UKPBJ staff: shown to administrators only.
        history=worded(history, actor()) if current_user.role is Role.ADMIN else [],
        price_rise_percent=current_app.config["PRICE_RISE_REVIEW_PERCENT"],
        max_images=catalogue.MAX_IMAGES, **forms,
    ), status


def _submit(product: Product, form, form_name: str, action, success):
    """A POST of the product page: refusals re-render the page with the message on `form`."""
    return submit_form(form, action, success=success,
                       redirect_to=url_for("listings.edit", product_id=product.id),
                       page=lambda status: _edit_page(product, status, **{form_name: form}))


@bp.route("/<int:product_id>", methods=["GET", "POST"])
@login_required
def edit(product_id: int):
    product = _managed_product_or_404(product_id)
    if request.method == "GET":
        return _edit_page(product)
    form = _product_form(product)

    def saved(result) -> str:
        if result is not None and result.revision is not None:
            return _("Your change waits for UKPBJ review. Until it is approved the catalogue keeps "
                     "showing the reviewed version. Stock, minimum order, lead time, delivery area and "
                     "a lower price are saved at once.")
        if result is not None and result.withdrawn:
            return _("The changes are saved. The change that was waiting for review is withdrawn.")
        return _("The changes are saved.")

    # An archived product cannot be changed: 409, the page says so.
    return _submit(product, form, "form",
                   lambda: catalogue.update_product(actor(), product, _product_data(form)), saved)


@bp.post("/<int:product_id>/foto")
@login_required
def add_images(product_id: int):
    product = _managed_product_or_404(product_id)
    form = ImageForm()

    def add():  # a refused photo leaves no file behind (the service sees to it)
        # One byte more than allowed, so an oversized file is recognised without reading it all.
        photos = [upload.read(current_app.config["IMAGE_MAX_BYTES"] + 1) for upload in form.files()]
        return catalogue.add_images(actor(), product, photos, utcnow())

    return _submit(product, form, "image_form", add,
                   lambda images: ngettext("%(num)d photo added.", "%(num)d photos added.", len(images)))


@bp.post("/<int:product_id>/foto/<int:image_id>/hapus")
@login_required
def remove_image(product_id: int, image_id: int):
    product = _managed_product_or_404(product_id)
    if not any(image.id == image_id for image in product.images):
        abort(404)
    form = EmptyForm()
    # A published product keeps its last photo.
    return _submit(product, form, "action_form", lambda: catalogue.remove_image(actor(), product, image_id),
                   _("The photo is removed."))


@bp.post("/<int:product_id>/kirim")
@login_required
def submit(product_id: int):
    product = _managed_product_or_404(product_id)
    form = EmptyForm()
    # Not without a photo.
    return _submit(product, form, "action_form", lambda: catalogue.submit_product(actor(), product),
                   _("The product is sent to the UKPBJ for review."))


@bp.post("/<int:product_id>/arsipkan")
@login_required
def archive(product_id: int):
    product = _managed_product_or_404(product_id)
    form = EmptyForm()
    return _submit(product, form, "action_form", lambda: catalogue.archive_product(actor(), product),
                   _("The product is archived. It no longer appears in the catalogue."))
