"""Log in (/masuk), log out (/keluar), account and password pages."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from pbj.blueprints.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    NipForm,
    PasswordChangeForm,
    ResetPasswordForm,
)
from pbj.clock import utcnow
from pbj.messages import gettext as _
from pbj.services import accounts, notifications
from pbj.services.errors import DomainError
from pbj.urls import absolute_url
from pbj.web import throttling
from pbj.web.auth import actor
from pbj.web.forms import EmptyForm, submit_form
from pbj.web.htmx import redirect_303
from pbj.web.security import start_session
from pbj.web.urls import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect_303(url_for("desk.index"))
    form = LoginForm()
    expired = session.pop("expired", False)
    throttle, address, now = throttling.current(), throttling.client_address(), utcnow()

    def page(status: int = 200):
        return render_template("auth/login.html", form=form, expired=expired), status

    def log_in():
        throttling.refuse_while_waiting(throttle.login_wait(form.email.data, address, now))
        user = accounts.authenticate(form.email.data, form.password.data, get_remote_address())
        throttle.login_succeeded(form.email.data, address)
        return user

    def count_failure(error: DomainError) -> None:
        if isinstance(error, accounts.LoginRefused):  # kept for the audit trail and the throttle
            accounts.record_failed_login(error, get_remote_address())
            throttle.login_failed(form.email.data, address, now)

    def start(user) -> None:
        start_session(user)
        login_user(user)

    if request.method == "GET":
        return page()
    return submit_form(form, log_in, page=page, on_refusal=count_failure, after_commit=start,
                       success=None, redirect_to=safe_next(request.args.get("next"), "desk.index"))


@bp.post("/keluar")
@login_required
def logout():
    def end_session(_result) -> None:
        logout_user()
        session.clear()

    return submit_form(EmptyForm(), lambda: accounts.logout(actor(), get_remote_address()),
                       page=lambda status: abort(400), after_commit=end_session,
                       success=None, redirect_to=url_for("auth.login", keluar=1))


@bp.get("/akun")
@login_required
def account():
    return _account_page()


def _account_page(status: int = 200, form=None, nip_form=None):
    nip_form = nip_form or NipForm(formdata=None, data={"nip": actor().nip})
    return render_template("auth/account.html", form=form or PasswordChangeForm(), nip_form=nip_form), status


@bp.post("/akun/nip")
@login_required
def change_nip():
    form = NipForm()
    return submit_form(form, lambda: accounts.set_nip(actor(), actor(), form.nip.data),
                       page=lambda status: _account_page(status, nip_form=form),
                       success=_("Your NIP has been saved."), redirect_to=url_for("auth.account"))


@bp.post("/akun/sandi")
@login_required
def change_password():
    form = PasswordChangeForm()
    throttle, user, now = throttling.current(), actor(), utcnow()

    def change():
        throttling.refuse_while_waiting(throttle.password_change_wait(user.id, now))
        accounts.change_password(user, form.current_password.data, form.password.data)
        throttle.password_changed(user.id)

    def count_guess(error: DomainError) -> None:
        if error.field == "current_password":  # a guess at the password: counted
            throttle.password_change_failed(user.id, now)

    def keep_this_session(_result) -> None:
        # Other sessions ended with the version bump; keep this one.
        start_session(user)
        login_user(user)

    return submit_form(form, change, on_refusal=count_guess, after_commit=keep_this_session,
                       page=lambda status: _account_page(status, form=form),
                       success=_("Your password has been changed. Other sessions have been logged out."),
                       redirect_to=url_for("auth.account"))


@bp.route("/lupa-sandi", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    throttle, address, now = throttling.current(), throttling.client_address(), utcnow()

    def page(status: int = 200):
        return render_template("auth/forgot.html", form=form), status

    def request_link() -> None:
        throttling.refuse_while_waiting(throttle.reset_request_wait(address, now))
        throttle.reset_requested(address, now)
        found = accounts.request_password_reset(form.email.data, get_remote_address())
        if found:
            user, token = found
            link = absolute_url("auth.reset_password", token=token)
            notifications.mail_after_commit(user.email, _("Reset your e-Katalog password"),
                                            render_template("auth/reset_mail.txt", user=user, link=link))

    if request.method == "GET":
        if request.args.get("terkirim"):
            return render_template("auth/forgot_sent.html")
        return page()
    # Same answer whether or not the address exists.
    return submit_form(form, request_link, page=page, success=None,
                       redirect_to=url_for("auth.forgot_password", terkirim=1))


@bp.route("/atur-ulang-sandi/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()

    def page(status: int = 200):
        return render_template("auth/reset.html", form=form, token=token), status

    if request.method == "GET":
        return page()
    return submit_form(form, lambda: accounts.reset_password(user, form.password.data),
                       success=_("Your password has been set. Log in with the new password."),
                       redirect_to=url_for("auth.login"), page=page)
