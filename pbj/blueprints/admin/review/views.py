"""UKPBJ product review (/admin/produk) and category management (/admin/kategori)."""
from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from sqlalchemy.orm import joinedload, selectinload

from pbj.blueprints.admin.review.forms import (
    CategoryEditForm,
    CategoryForm,
    CategoryOrderForm,
    ProductRejectForm,
)
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.models.accounts import Role
from pbj.models.catalogue import Category, PriceChange, Product, ProductStatus
from pbj.models.suppliers import SupplierProfile
from pbj.clock import utcnow
from pbj.models.catalogue import ProductRevision
from pbj.services import audit, catalogue, revisions
from pbj.web.revision_diff import revision_rows
from pbj.web.audit_words import worded
from pbj.web.auth import actor, get_or_404, roles_required
from pbj.web.forms import EmptyForm, submit_form
from pbj.web.pagination import page_arg

bp = Blueprint("review", __name__, url_prefix="/admin")


@bp.before_request
@roles_required(Role.ADMIN)
def _admins_only():
    """Reviewing products and managing categories is for UKPBJ administrators only."""


def price_rise(product: Product) -> PriceChange | None:
    """The latest price change, when it raised the price of a product that was
    published before (a re-review caused by the price rule)."""
    latest = product.price_history[0] if product.price_history else None
    if product.published_at is None or latest is None or latest.old_price is None:
        return None
    return latest if latest.new_price > latest.old_price else None


# -- Review queue -------------------------------------------------------------------

def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _queue_filter(tree: list[Category]) -> revisions.QueueFilter:
    """The queue's GET parameters; anything unreadable is simply not applied."""
    kind = request.args.get("jenis")
    category_id = _int_arg("kategori")
    category_ids = None
    if category_id is not None:
        for top in tree:
            if top.id == category_id:
                category_ids = [top.id] + [c.id for c in top.children]
            elif any(c.id == category_id for c in top.children):
                category_ids = [category_id]
    return revisions.QueueFilter(q=(request.args.get("q") or "").strip()[:100],
                                 kind=kind if kind in revisions.QUEUE_KINDS else None,
                                 supplier_id=_int_arg("penyedia"), category_ids=category_ids)


@bp.get("/produk")
def queue():
    """New products and changes to published ones waiting for review, longest waiting first.
    Filtered by GET parameters, so a filtered queue is a link that can be shared."""
    tree = catalogue.category_tree()
    filters = _queue_filter(tree)
    page = revisions.review_queue(filters, page_arg(request.args.get("hal")), 30)
    args = {key: request.args[key] for key in ("q", "jenis", "penyedia", "kategori") if request.args.get(key)}
    return render_template("admin/review/queue.html", page=page, filters=filters, args=args, tree=tree,
                           suppliers=revisions.queue_suppliers(),
                           rises={i.product.id: price_rise(i.product) for i in page.items if i.kind == "baru"},
                           kinds=revisions.QUEUE_KINDS)


def _product_page(product: Product, status: int = 200, **forms):
    forms.setdefault("reject_form", ProductRejectForm(formdata=None))
    forms.setdefault("action_form", EmptyForm(formdata=None))
    return render_template("admin/review/product.html", product=product, rise=price_rise(product),
                           history=worded(audit.entries_for("products", product.id), actor()), **forms), status


@bp.get("/produk/<int:product_id>")
def product(product_id: int):
    return _product_page(get_or_404(Product, product_id))


@bp.post("/produk/<int:product_id>/setujui")
def approve(product_id: int):
    product = get_or_404(Product, product_id)
    form = EmptyForm()
    # Already decided, or the supplier is not verified: the page says so.
    return submit_form(form, lambda: catalogue.approve_product(actor(), product),
                       success=_("%(name)s is approved and published.", name=product.name),
                       redirect_to=url_for("review.queue"),
                       page=lambda status: _product_page(product, status, action_form=form))


@bp.post("/produk/<int:product_id>/tolak")
def reject(product_id: int):
    product = get_or_404(Product, product_id)
    form = ProductRejectForm()
    return submit_form(form, lambda: catalogue.reject_product(actor(), product, form.reason.data),
                       success=_("%(name)s is rejected; the supplier sees your reason.", name=product.name),
                       redirect_to=url_for("review.queue"),
                       page=lambda status: _product_page(product, status, reject_form=form))


# -- Changes to published products ------------------------------------------------------

def _revision_page(revision: ProductRevision, status: int = 200, **forms):
    forms.setdefault("reject_form", ProductRejectForm(formdata=None))
    forms.setdefault("action_form", EmptyForm(formdata=None))
    product = revision.product
    return render_template("admin/review/revision.html", revision=revision, product=product,
                           rows=revision_rows(product, revision, every_field=True),
                           clock_fields=revisions.LISTING_CLOCK_FIELDS,
                           history=worded(audit.entries_for("products", product.id), actor()), **forms), status


@bp.get("/perubahan/<int:revision_id>")
def revision(revision_id: int):
    return _revision_page(get_or_404(ProductRevision, revision_id))


@bp.post("/perubahan/<int:revision_id>/setujui")
def approve_revision(revision_id: int):
    revision = get_or_404(ProductRevision, revision_id)
    form = EmptyForm()

    def done(restarted: bool) -> str:
        if restarted:
            return _("The change to %(name)s is approved and public. The name, category or unit changed, so "
                     "the product can be ordered again only after the listing age has passed.",
                     name=revision.product.name)
        return _("The change to %(name)s is approved and public.", name=revision.product.name)

    # Already decided (a double click), or the product left the catalogue: the page says so.
    return submit_form(form, lambda: revisions.approve_revision(actor(), revision, utcnow()), success=done,
                       redirect_to=url_for("review.queue"),
                       page=lambda status: _revision_page(revision, status, action_form=form))


@bp.post("/perubahan/<int:revision_id>/tolak")
def reject_revision(revision_id: int):
    revision = get_or_404(ProductRevision, revision_id)
    form = ProductRejectForm()
    return submit_form(form, lambda: revisions.reject_revision(actor(), revision, form.reason.data, utcnow()),
                       success=_("The change to %(name)s is not approved; the catalogue keeps the reviewed "
                                 "version and the supplier sees your reason.", name=revision.product.name),
                       redirect_to=url_for("review.queue"),
                       page=lambda status: _revision_page(revision, status, reject_form=form))


# -- Categories ------------------------------------------------------------------------

def _category_form(tree: list[Category], **kwargs) -> CategoryForm:
    form = CategoryForm(**kwargs)
    form.parent_id.choices = [(top.id, top.name) for top in tree]
    return form


def _categories_page(form: CategoryForm, tree: list[Category], status: int = 200,
                     order_form: CategoryOrderForm | None = None):
    # One grouped query for every category's product counts.
    total: Counter = Counter()
    published: Counter = Counter()
    for category_id, product_status, n in db.session.execute(
        sa.select(Product.category_id, Product.status, sa.func.count())
        .group_by(Product.category_id, Product.status)
    ):
        total[category_id] += n
        if product_status is ProductStatus.PUBLISHED:
            published[category_id] += n
    for top in tree:  # a top category counts its own products and its children's
        for child in top.children:
            total[("all", top.id)] += total[child.id]
            published[("all", top.id)] += published[child.id]
        total[("all", top.id)] += total[top.id]
        published[("all", top.id)] += published[top.id]
    return render_template("admin/review/categories.html", tree=tree, total=total, published=published,
                           form=form, order_form=order_form or CategoryOrderForm(formdata=None)), status


@bp.get("/kategori")
def categories():
    tree = catalogue.category_tree()
    return _categories_page(_category_form(tree), tree)


@bp.post("/kategori")
def create_category():
    tree = catalogue.category_tree()
    form = _category_form(tree)
    return submit_form(form, lambda: catalogue.create_category(actor(), form.name.data, parent=_parent(form)),
                       success=lambda category: _("The category %(name)s is added.", name=category.name),
                       redirect_to=url_for("review.categories"),
                       page=lambda status: _categories_page(form, tree, status))


def _parent(form) -> Category | None:
    return db.session.get(Category, form.parent_id.data) if form.parent_id.data else None


def _in_list(category: Category) -> str:
    """The category list, scrolled to the category's row."""
    return url_for("review.categories", _anchor=f"kategori-{category.id}")


@bp.post("/kategori/<int:category_id>/urutan")
def reorder_category(category_id: int):
    category = get_or_404(Category, category_id)
    form = CategoryOrderForm()

    def page(status: int):
        tree = catalogue.category_tree()
        return _categories_page(_category_form(tree, formdata=None), tree, status, order_form=form)

    return submit_form(form, lambda: catalogue.reorder_category(actor(), category, form.direction.data),
                       success=_("The category %(name)s is moved up.", name=category.name)
                       if form.direction.data == "up"
                       else _("The category %(name)s is moved down.", name=category.name),
                       redirect_to=_in_list(category), page=page)


def _category_edit_form(category: Category, **kwargs) -> CategoryEditForm:
    form = CategoryEditForm(obj=category, **kwargs)
    # Any top-level category but itself; the service says why a move is refused.
    form.parent_id.choices = [(top.id, top.name) for top in catalogue.category_tree()
                              if top.id != category.id]
    return form


def _category_page(category: Category, status: int = 200, **forms):
    forms.setdefault("form", _category_edit_form(category, formdata=None))
    forms.setdefault("delete_form", EmptyForm(formdata=None))
    return render_template("admin/review/category.html", category=category,
                           products=catalogue.product_count(category),
                           history=worded(audit.entries_for("categories", category.id), actor()), **forms), status


@bp.get("/kategori/<int:category_id>")
def category(category_id: int):
    return _category_page(get_or_404(Category, category_id))


@bp.post("/kategori/<int:category_id>")
def update_category(category_id: int):
    category = get_or_404(Category, category_id)
    form = _category_edit_form(category)

    def save():  # both changes or, when one is refused, neither
        catalogue.rename_category(actor(), category, form.name.data, slug=form.slug.data)
        catalogue.move_category(actor(), category, _parent(form))

    return submit_form(form, save, success=lambda _result: _("The category %(name)s is saved.", name=category.name),
                       redirect_to=lambda _result: _in_list(category),
                       page=lambda status: _category_page(category, status, form=form))


@bp.post("/kategori/<int:category_id>/hapus")
def delete_category(category_id: int):
    category = get_or_404(Category, category_id)
    form = EmptyForm()
    return submit_form(form, lambda: catalogue.delete_category(actor(), category),
                       success=_("The category %(name)s is deleted.", name=category.name),
                       redirect_to=url_for("review.categories"),
                       page=lambda status: _category_page(category, status, delete_form=form))
