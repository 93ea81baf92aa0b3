"""Assisted registration: a UKPBJ administrator registers a business on its behalf
(/admin/penyedia/baru), uploads its documents and (re)invites its first user by e-mail.
The rules are the supplier's own (pbj.services.suppliers); the URL rules are in
admin/views.py, behind the admin blueprint's administrators-only check."""
from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_limiter.util import get_remote_address

from pbj.blueprints.admin.forms import AssistedRegistrationForm
from pbj.blueprints.supplier.forms import DocumentForm
from pbj.clock import utcnow
from pbj.messages import gettext as _
from pbj.models.accounts import User
from pbj.models.suppliers import BusinessScale, DocumentKind, SupplierProfile
from pbj.services import notifications, suppliers
from pbj.urls import absolute_url
from pbj.web.auth import actor, get_or_404
from pbj.web.forms import EmptyForm, submit_form

REGISTRATION_FIELDS = ("business_name", "nib", "npwp", "is_cooperative", "is_pkp", "has_pp55_certificate",
                       "address", "kecamatan", "region_code", "region_name", "phone", "contact_name", "email")


def _mail_invitation(user: User, token: str, resent: bool = False) -> None:
    """Queue the invitation; it goes out after the commit (nothing for a rolled-back change)."""
    link = absolute_url("supplier.accept_invitation", token=token)
    days = current_app.config["INVITATION_MAX_AGE_SECONDS"] // 86400
    notifications.mail_after_commit(
        user.email, _("Your business is registered in the e-Katalog: choose your password"),
        render_template("admin/invitation_mail.txt", user=user, link=link, days=days, resent=resent,
                        helper=actor()))


def register_supplier():
    """The registration form, filled in for the business; then its admin page."""
    form = AssistedRegistrationForm()
    if not form.is_submitted():
        form.region_code.data = current_app.config["CITY_REGION_CODE"]
        form.region_name.data = current_app.config["CITY_NAME"]

    def page(status: int = 200):
        return render_template("admin/supplier_new.html", form=form), status

    if request.method == "GET":
        return page()

    def register():
        reg = suppliers.Registration(**{name: form[name].data for name in REGISTRATION_FIELDS},
                                     scale=BusinessScale(form.scale.data))
        user, token = suppliers.register_supplier_on_behalf(actor(), reg, get_remote_address())
        _mail_invitation(user, token)
        return user

    return submit_form(form, register, page=page,
                       success=lambda user: _("%(name)s is registered. %(email)s was sent a link to choose "
                                              "a password. Upload the documents below.",
                                              name=user.org.name, email=user.email),
                       redirect_to=lambda user: url_for("admin.supplier_detail", org_id=user.org_id))


def _supplier_page(supplier: SupplierProfile, status: int, **forms):
    # The supplier's admin page, with this form's errors (imported here: views.py imports us).
    from pbj.blueprints.admin.views import _supplier_page as page

    return page(supplier, status, **forms)


def upload_document(org_id: int):
    """A document uploaded for the supplier (recorded as assisted)."""

    supplier = get_or_404(SupplierProfile, org_id)
    form = DocumentForm(prefix="doc")

    def add():
        upload = form.file.data
        suppliers.add_document(actor(), supplier, DocumentKind(form.kind.data), upload.filename or "",
                               upload.read(), utcnow())

    return submit_form(form, add, success=_("The document has been uploaded."),
                       redirect_to=url_for("admin.supplier_detail", org_id=org_id),
                       page=lambda status: _supplier_page(supplier, status, document_form=form))


def resend_invitation(org_id: int, user_id: int):
    """A new invitation link for a user who has not chosen a password; older links stop working."""
    supplier = get_or_404(SupplierProfile, org_id)
    user = get_or_404(User, user_id)
    if user.org_id != supplier.org_id:
        abort(404)  # another organisation's account: not found here
    form = EmptyForm()

    def resend():
        token = suppliers.reinvite_supplier_user(actor(), supplier, user)
        _mail_invitation(user, token, resent=True)

    return submit_form(form, resend, success=_("A new invitation was sent to %(email)s.", email=user.email),
                       redirect_to=url_for("admin.supplier_detail", org_id=org_id),
                       page=lambda status: _supplier_page(supplier, status, action_form=form))
