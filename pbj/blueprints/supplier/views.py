"""Supplier self-service: registration (/daftar), the invitation of a business registered
by the UKPBJ (/daftar/undangan/<token>), business page and documents."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user

from pbj.blueprints.auth.forms import ResetPasswordForm
from pbj.blueprints.supplier.forms import DocumentForm, PayeeForm, Pp55Form, RegistrationForm
from pbj.clock import utcnow
from pbj.messages import gettext as _
from pbj.web.labels import DOCUMENT_LABELS, SCALE_LABELS
from pbj.extensions import limiter
from pbj.models.accounts import Role
from pbj.models.suppliers import BusinessScale, DocumentKind, SupplierDocument
from pbj.services import accounts, suppliers
from pbj.services.uploads import document_path
from pbj.web.auth import actor, get_or_404, roles_required
from pbj.web.forms import submit_form
from pbj.web.htmx import redirect_303
from pbj.web.security import start_session

bp = Blueprint("supplier", __name__)


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=get_remote_address, scope="register")
def register():
    if current_user.is_authenticated:
        return redirect_303(url_for("main.home"))
    form = RegistrationForm()
    if not form.is_submitted():
        form.region_code.data = current_app.config["CITY_REGION_CODE"]
        form.region_name.data = current_app.config["CITY_NAME"]
    if request.method == "GET":
        return render_template("supplier/register.html", form=form)

    def create_account():
        reg = suppliers.Registration(
            **{name: form[name].data for name in (
                "business_name", "nib", "npwp", "is_cooperative", "is_pkp", "has_pp55_certificate",
                "address", "kecamatan", "region_code", "region_name", "phone", "contact_name",
                "email", "password")},
            scale=BusinessScale(form.scale.data),
        )
        return suppliers.register_supplier(reg, get_remote_address())

    def log_in(user):  # only once the account is saved
        start_session(user)
        login_user(user)

    return submit_form(form, create_account, after_commit=log_in,
                       success=_("Your business is registered. Upload your documents so the UKPBJ can "
                                 "verify it."),
                       redirect_to=url_for("supplier.dashboard"),
                       page=lambda status: (render_template("supplier/register.html", form=form), status))


@bp.route("/daftar/undangan/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """The invited first user of a business the UKPBJ registered chooses their password."""
    user = accounts.user_for_invitation_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()

    def page(status: int = 200):
        return render_template("supplier/invitation.html", form=form, user=user), status

    if request.method == "GET":
        return page()
    return submit_form(form, lambda: accounts.accept_invitation(user, form.password.data),
                       success=_("Your password has been set. Log in with your e-mail address and the new "
                                 "password."),
                       redirect_to=url_for("auth.login"), page=page)


@bp.get("/usaha")
@roles_required(Role.PENYEDIA)
def dashboard():
    return _dashboard(DocumentForm())


def _pp55_form(submitted: bool = False) -> Pp55Form:
    form = Pp55Form()
    if not submitted:
        profile = current_user.org.supplier
        for name in ("has_pp55_certificate", "pp55_number", "pp55_valid_from", "pp55_valid_until"):
            form[name].data = getattr(profile, name)
    return form


def _payee_form(submitted: bool = False) -> PayeeForm:
    form = PayeeForm()
    if not submitted:
        profile = current_user.org.supplier
        for name in ("owner_name", "bank_name", "bank_account"):
            form[name].data = getattr(profile, name)
    return form


def _dashboard(form: DocumentForm, status: int = 200, pp55_form: Pp55Form | None = None,
               payee_form: PayeeForm | None = None):
    return render_template(
        "supplier/dashboard.html", supplier=current_user.org.supplier, form=form,
        pp55_form=pp55_form or _pp55_form(), payee_form=payee_form or _payee_form(), scale_labels=SCALE_LABELS,
        document_labels=DOCUMENT_LABELS,
    ), status


@bp.post("/usaha/pajak")
@roles_required(Role.PENYEDIA)
def update_pp55():
    form = _pp55_form(submitted=True)

    def save():
        suppliers.update_pp55_certificate(actor(), actor().org.supplier, form.has_pp55_certificate.data,
                                          form.pp55_number.data, form.pp55_valid_from.data,
                                          form.pp55_valid_until.data, utcnow())

    return submit_form(form, save, success=_("Your tax data has been saved."),
                       redirect_to=url_for("supplier.dashboard"),
                       page=lambda status: _dashboard(DocumentForm(formdata=None), status, pp55_form=form))


@bp.post("/usaha/rekening")
@roles_required(Role.PENYEDIA)
def update_payee():
    form = _payee_form(submitted=True)

    def save():
        suppliers.update_owner_and_bank(actor(), actor().org.supplier, form.owner_name.data, form.bank_name.data,
                                        form.bank_account.data, utcnow())

    return submit_form(form, save, success=_("The owner and bank account have been saved."),
                       redirect_to=url_for("supplier.dashboard"),
                       page=lambda status: _dashboard(DocumentForm(formdata=None), status, payee_form=form))


@bp.post("/usaha/dokumen")
@roles_required(Role.PENYEDIA)
def upload_document():
    form = DocumentForm()

    def add():
        upload = form.file.data
        suppliers.add_document(actor(), actor().org.supplier, DocumentKind(form.kind.data),
                               upload.filename or "", upload.read(), utcnow())

    return submit_form(form, add, success=_("The document has been uploaded."),
                       redirect_to=url_for("supplier.dashboard"),
                       page=lambda status: _dashboard(form, status))


@bp.get("/usaha/dokumen/<int:doc_id>")
@login_required
def document_file(doc_id: int):
    """The file itself: only to its supplier, UKPBJ admins and auditors."""
    doc = get_or_404(SupplierDocument, doc_id)
    is_owner = current_user.role is Role.PENYEDIA and current_user.org_id == doc.supplier_id
    if not (is_owner or current_user.role in (Role.ADMIN, Role.AUDITOR)):
        abort(404)
    path = document_path(doc.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=doc.content_type, as_attachment=doc.content_type != "application/pdf",
                         download_name=f"dokumen-{doc.id}.{path.suffix.lstrip('.')}", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
