"""UKPBJ administration (/admin): supplier verification, products listed on a
supplier's behalf, OPDs and users, holidays (admin/holidays.py), OPD budgets (admin/budgets.py). Product review and categories, also under
/admin, are in admin/review/."""
from __future__ import annotations

import secrets
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from sqlalchemy.orm import selectinload

from pbj.blueprints.admin import assisted, listings
from pbj.blueprints.admin import budgets as budget_views
from pbj.blueprints.admin import holidays as holiday_views
from pbj.blueprints.admin.forms import (
    AddressForm,
    OrganisationForm,
    ParticularsForm,
    RejectForm,
    RoleForm,
    SanctionForm,
    UserForm,
    VerifyForm,
)
from pbj.blueprints.auth.forms import NipForm
from pbj.blueprints.supplier.forms import DocumentForm
from pbj.clock import city_today, utcnow
from pbj.messages import gettext as _
from pbj.web.labels import DOCUMENT_LABELS, ORG_KIND_LABELS, ROLE_LABELS, SCALE_LABELS
from pbj.extensions import db
from pbj.models.accounts import OfficialParticulars, Organisation, OrgKind, Role, User
from pbj.models.suppliers import BusinessScale, Sanction, SupplierProfile, VerificationStatus
from pbj.services import accounts, audit, notifications
# Aliased: the list view below is itself named `suppliers` (its endpoint name).
from pbj.services import suppliers as supplier_service
from pbj.urls import absolute_url
from pbj.web.audit_words import worded
from pbj.web.auth import actor, get_or_404, roles_required
from pbj.web.forms import EmptyForm, submit_form
from pbj.web.htmx import redirect_303, render
from pbj.web.pagination import page_arg, paginate

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@roles_required(Role.ADMIN)
def _admins_only():
    """Every page here is for UKPBJ administrators only."""


# -- Suppliers ------------------------------------------------------------------

SUPPLIER_FILTERS = {
    "menunggu": SupplierProfile.verification == VerificationStatus.UNVERIFIED,
    "terverifikasi": SupplierProfile.verification == VerificationStatus.VERIFIED,
    "ditolak": SupplierProfile.verification == VerificationStatus.REJECTED,
    "sanksi": SupplierProfile.sanction != Sanction.NONE,
    "semua": sa.true(),
}


@bp.get("/")
def index():
    return redirect_303(url_for("admin.suppliers"))


@bp.get("/penyedia")
def suppliers():
    status = request.args.get("status", "menunggu")
    if status not in SUPPLIER_FILTERS:
        status = "menunggu"
    q = (request.args.get("q") or "").strip()[:100]
    query = (
        sa.select(SupplierProfile)
        .join(SupplierProfile.org)
        .where(SUPPLIER_FILTERS[status])
        .options(selectinload(SupplierProfile.documents))
        .order_by(Organisation.created_at, Organisation.id)
    )
    if q:
        query = query.where(sa.or_(Organisation.name.icontains(q, autoescape=True),
                                   SupplierProfile.nib.startswith(q, autoescape=True)))
    page = paginate(query, page_arg(request.args.get("hal")), 50)
    return render("admin/suppliers.html", fragment="results", page=page, status=status, q=q,
                  filters=SUPPLIER_FILTERS)


def _supplier_page(supplier: SupplierProfile, status: int = 200, **forms):
    forms.setdefault("reject_form", RejectForm(prefix="reject"))
    forms.setdefault("sanction_form", SanctionForm(prefix="sanction"))
    forms.setdefault("action_form", EmptyForm())
    forms.setdefault("verify_form", VerifyForm(prefix="verify"))
    forms.setdefault("scale_form", VerifyForm(prefix="scale"))
    forms.setdefault("document_form", DocumentForm(prefix="doc"))
    return render_template(
        "admin/supplier.html", supplier=supplier, users=supplier.org.users,
        history=worded(audit.entries_for("suppliers", supplier.org_id), actor()),
        scale_labels=SCALE_LABELS, document_labels=DOCUMENT_LABELS, **forms,
    ), status


@bp.get("/penyedia/<int:org_id>")
def supplier_detail(org_id: int):
    return _supplier_page(get_or_404(SupplierProfile, org_id))


@bp.post("/penyedia/<int:org_id>/verifikasi")
def verify_supplier(org_id: int):
    supplier = get_or_404(SupplierProfile, org_id)
    form = VerifyForm(prefix="verify")
    # Already verified, or no documents yet: the page says so (409); no size chosen: 422.
    return submit_form(form, lambda: supplier_service.verify_supplier(
                           actor(), supplier, BusinessScale(form.scale.data) if form.scale.data else None),
                       success=_("%(name)s is now verified.", name=supplier.org.name),
                       redirect_to=url_for("admin.supplier_detail", org_id=org_id),
                       page=lambda status: _supplier_page(supplier, status, verify_form=form))


@bp.post("/penyedia/<int:org_id>/skala")
def confirm_scale(org_id: int):
    """The size of a verified supplier, confirmed (again) from its NIB."""
    supplier = get_or_404(SupplierProfile, org_id)
    form = VerifyForm(prefix="scale")
    return submit_form(form, lambda: supplier_service.confirm_business_scale(
                           actor(), supplier, BusinessScale(form.scale.data) if form.scale.data else None),
                       success=_("The business size is confirmed."),
                       redirect_to=url_for("admin.supplier_detail", org_id=org_id),
                       page=lambda status: _supplier_page(supplier, status, scale_form=form))


@bp.post("/penyedia/<int:org_id>/tolak")
def reject_supplier(org_id: int):
    supplier = get_or_404(SupplierProfile, org_id)
    form = RejectForm(prefix="reject")
    return submit_form(form, lambda: supplier_service.reject_supplier(actor(), supplier, form.reason.data),
                       success=_("The registration of %(name)s was rejected.", name=supplier.org.name),
                       redirect_to=url_for("admin.supplier_detail", org_id=org_id),
                       page=lambda status: _supplier_page(supplier, status, reject_form=form))


@bp.post("/penyedia/<int:org_id>/sanksi")
def sanction_supplier(org_id: int):
    supplier = get_or_404(SupplierProfile, org_id)
    form = SanctionForm(prefix="sanction")
    return submit_form(form, lambda: supplier_service.sanction_supplier(
                           actor(), supplier, Sanction(form.sanction.data), form.reason.data, form.until.data,
                           city_today()),
                       success=_("The sanction is recorded."),
                       redirect_to=url_for("admin.supplier_detail", org_id=org_id),
                       page=lambda status: _supplier_page(supplier, status, sanction_form=form))


@bp.post("/penyedia/<int:org_id>/cabut-sanksi")
def lift_sanction(org_id: int):
    supplier = get_or_404(SupplierProfile, org_id)
    form = EmptyForm()
    return submit_form(form, lambda: supplier_service.lift_sanction(actor(), supplier),
                       success=_("The sanction is lifted."),
                       redirect_to=url_for("admin.supplier_detail", org_id=org_id),
                       page=lambda status: _supplier_page(supplier, status, action_form=form))


# Assisted registration: the business, its documents and its first user's invitation (admin/assisted.py).
bp.add_url_rule("/penyedia/baru", view_func=assisted.register_supplier, methods=["GET", "POST"])
bp.add_url_rule("/penyedia/<int:org_id>/dokumen", view_func=assisted.upload_document, methods=["POST"])
bp.add_url_rule("/penyedia/<int:org_id>/pengguna/<int:user_id>/undangan", view_func=assisted.resend_invitation,
                methods=["POST"])

# A supplier's products, listed on its behalf: the pages are the supplier's own (admin/listings.py).
bp.add_url_rule("/penyedia/<int:org_id>/produk", view_func=listings.supplier_products)
bp.add_url_rule("/penyedia/<int:org_id>/produk/baru", view_func=listings.create_for_supplier,
                methods=["GET", "POST"])
holiday_views.register(bp)  # /admin/hari-libur
budget_views.register(bp)  # /admin/anggaran


# -- Organisations (OPD, UKPBJ) --------------------------------------------------

def _organisations_page(form: OrganisationForm, status: int = 200, address_forms: dict | None = None):
    orgs = db.session.scalars(
        sa.select(Organisation).where(Organisation.kind != OrgKind.SUPPLIER).order_by(Organisation.name)
    ).all()
    counts = dict(db.session.execute(
        sa.select(User.org_id, sa.func.count()).group_by(User.org_id)
    ).all())
    address_forms = {**{o.id: AddressForm(formdata=None, prefix=f"org{o.id}", data={"address": o.address})
                        for o in orgs}, **(address_forms or {})}
    return render_template("admin/organisations.html", orgs=orgs, counts=counts, form=form,
                           kind_labels=ORG_KIND_LABELS, address_forms=address_forms), status


@bp.get("/opd")
def organisations():
    return _organisations_page(OrganisationForm())


@bp.post("/opd")
def create_organisation():
    form = OrganisationForm()
    return submit_form(form, lambda: accounts.create_organisation(actor(), OrgKind(form.kind.data), form.name.data,
                                                                  form.code.data, form.address.data),
                       success=lambda org: _("%(name)s has been added.", name=org.name),
                       redirect_to=url_for("admin.organisations"),
                       page=lambda status: _organisations_page(form, status))


@bp.post("/opd/<int:org_id>/alamat")
def set_organisation_address(org_id: int):
    org = get_or_404(Organisation, org_id)
    if org.kind is OrgKind.SUPPLIER:
        abort(404)  # a supplier's address is its own, on its profile
    form = AddressForm(prefix=f"org{org.id}")
    return submit_form(form, lambda: accounts.set_address(actor(), org, form.address.data),
                       success=_("The address of %(name)s has been saved.", name=org.name),
                       redirect_to=url_for("admin.organisations"),
                       page=lambda status: _organisations_page(OrganisationForm(formdata=None), status,
                                                               {org.id: form}))


# -- Users -------------------------------------------------------------------------

def _user_form() -> UserForm:
    form = UserForm()
    orgs = db.session.scalars(
        sa.select(Organisation).where(Organisation.kind != OrgKind.SUPPLIER, Organisation.active)
        .order_by(Organisation.name)
    ).all()
    form.org_id.choices = [(o.id, o.name) for o in orgs]
    return form


def _users_page(form: UserForm, status: int = 200):
    org_filter = request.args.get("org", type=int)
    if org_filter is not None and not 1 <= org_filter <= 2**62:
        org_filter = None  # not a possible id (a huge number would overflow the query)
    query = sa.select(User).join(User.org).order_by(Organisation.name, User.name)
    if org_filter:
        query = query.where(User.org_id == org_filter)
    page = paginate(query, page_arg(request.args.get("hal")), 50)
    return render_template("admin/users.html", page=page, form=form, role_labels=ROLE_LABELS,
                           org_filter=org_filter), status


@bp.get("/pengguna")
def users():
    return _users_page(_user_form())


@bp.post("/pengguna")
def create_user():
    form = _user_form()

    def create():
        org = get_or_404(Organisation, form.org_id.data)
        # The user chooses their own password through the e-mailed link.
        user = accounts.create_user(actor(), org=org, email=form.email.data, name=form.name.data,
                                    role=Role(form.role.data), password=secrets.token_urlsafe(24))
        if form.nip.data:
            db.session.flush()  # the user's id, for the NIP's audit entry
            accounts.set_nip(actor(), user, form.nip.data)
        link = absolute_url("auth.reset_password", token=accounts.make_reset_token(user))
        notifications.mail_after_commit(user.email, _("Your e-Katalog account"),
                                        render_template("admin/welcome_mail.txt", user=user, link=link))
        return user

    return submit_form(form, create,
                       success=lambda user: _("Account created for %(email)s. A link to set the password was "
                                              "e-mailed.", email=user.email),
                       redirect_to=lambda user: url_for("admin.user_detail", user_id=user.id),
                       page=lambda status: _users_page(form, status))


def _user_page(user: User, status: int = 200, **forms):
    forms.setdefault("role_form", RoleForm(role=user.role.value))
    forms.setdefault("nip_form", NipForm(formdata=None, data={"nip": user.nip}))
    if "particulars_form" not in forms:
        known = db.session.get(OfficialParticulars, user.id)
        forms["particulars_form"] = ParticularsForm(formdata=None, obj=known)
    forms.setdefault("action_form", EmptyForm())
    return render_template("admin/user.html", user=user, role_labels=ROLE_LABELS,
                           history=worded(audit.entries_for("users", user.id, last=50), actor()), **forms), status


@bp.get("/pengguna/<int:user_id>")
def user_detail(user_id: int):
    return _user_page(get_or_404(User, user_id))


@bp.post("/pengguna/<int:user_id>/status")
def set_user_active(user_id: int):
    user = get_or_404(User, user_id)
    form = EmptyForm()
    choice = request.form.get("active")
    if choice not in ("0", "1"):
        abort(400)  # only the two buttons of the page send this form
    active = choice == "1"
    return submit_form(form, lambda: accounts.set_active(actor(), user, active),
                       success=_("The account is active again.") if active
                       else _("The account is deactivated and its sessions have ended."),
                       redirect_to=url_for("admin.user_detail", user_id=user_id),
                       page=lambda status: _user_page(user, status, action_form=form))


@bp.post("/pengguna/<int:user_id>/nip")
def change_nip(user_id: int):
    user = get_or_404(User, user_id)
    form = NipForm()
    return submit_form(form, lambda: accounts.set_nip(actor(), user, form.nip.data),
                       success=_("The NIP has been saved."),
                       redirect_to=url_for("admin.user_detail", user_id=user_id),
                       page=lambda status: _user_page(user, status, nip_form=form))


@bp.post("/pengguna/<int:user_id>/data-pembanding")
def change_particulars(user_id: int):
    user = get_or_404(User, user_id)
    form = ParticularsForm()
    return submit_form(form, lambda: accounts.set_particulars(actor(), user, form.phone.data, form.address.data,
                                                              form.npwp.data, form.bank_account.data, utcnow()),
                       success=_("The particulars have been saved."),
                       redirect_to=url_for("admin.user_detail", user_id=user_id),
                       page=lambda status: _user_page(user, status, particulars_form=form))


@bp.post("/pengguna/<int:user_id>/peran")
def change_role(user_id: int):
    user = get_or_404(User, user_id)
    form = RoleForm()
    return submit_form(form, lambda: accounts.change_role(actor(), user, Role(form.role.data)),
                       success=_("The role has been changed."),
                       redirect_to=url_for("admin.user_detail", user_id=user_id),
                       page=lambda status: _user_page(user, status, role_form=form))
