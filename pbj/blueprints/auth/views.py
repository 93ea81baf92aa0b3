"""Log in (/masuk), log out (/keluar), account and password pages."""
from __future__ import annotations

from flask import Blueprint, flash, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from pbj.blueprints.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    ResetPasswordForm,
)
from pbj.clock import utcnow
from pbj.extensions import db
from pbj.services import accounts, notifications
from pbj.services.errors import DomainError
from pbj.urls import absolute_url
from pbj.web import throttling
from pbj.web.auth import actor
from pbj.web.forms import apply_domain_error, submit_form
from pbj.web.htmx import redirect_303
from pbj.web.security import start_session
from pbj.web.urls import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect_303(url_for("main.home"))
    form = LoginForm()
    expired = session.pop("expired", False)
    if form.validate_on_submit():
        throttle, address, now = throttling.current(), throttling.client_address(), utcnow()
        wait = throttle.login_wait(form.email.data, address, now)
        if wait:
            return throttling.too_many_attempts(wait)
        user = accounts.authenticate(form.email.data, form.password.data, get_remote_address())
        if user is None:
            throttle.login_failed(form.email.data, address, now)
            db.session.commit()  # keep the failed attempt in the audit trail and the throttle
            form.form_errors.append(_("The e-mail address or password is not correct."))
            form.password.data = ""
            return render_template("auth/login.html", form=form), 422
        throttle.login_succeeded(form.email.data, address)
        start_session(user)
        login_user(user)
        db.session.commit()
        return redirect_303(safe_next(request.args.get("next")))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, expired=expired), status


@bp.post("/keluar")
@login_required
def logout():
    accounts.logout(actor(), get_remote_address())
    db.session.commit()
    logout_user()
    session.clear()
    return redirect_303(url_for("auth.login", keluar=1))


@bp.get("/akun")
@login_required
def account():
    return render_template("auth/account.html", form=PasswordChangeForm())


@bp.post("/akun/sandi")
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        throttle, now = throttling.current(), utcnow()
        wait = throttle.password_change_wait(actor().id, now)
        if wait:
            return throttling.too_many_attempts(wait)
        try:
            accounts.change_password(actor(), form.current_password.data, form.password.data)
        except DomainError as e:
            apply_domain_error(form, e)
            if e.field == "current_password":  # a guess at the password: counted
                throttle.password_change_failed(actor().id, now)
                db.session.commit()
        else:
            user = actor()
            throttle.password_changed(user.id)
            db.session.commit()
            # Other sessions ended with the version bump; keep this one.
            start_session(user)
            login_user(user)
            flash(_("Your password has been changed. Other sessions have been logged out."), "success")
            return redirect_303(url_for("auth.account"))
    return render_template("auth/account.html", form=form), 422


@bp.route("/lupa-sandi", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        throttle, address, now = throttling.current(), throttling.client_address(), utcnow()
        wait = throttle.reset_request_wait(address, now)
        if wait:
            return throttling.too_many_attempts(wait)
        throttle.reset_requested(address, now)
        found = accounts.request_password_reset(form.email.data, get_remote_address())
        if found:
            user, token = found
            link = absolute_url("auth.reset_password", token=token)
            notifications.mail_after_commit(user.email, _("Reset your e-Katalog password"),
                                            render_template("auth/reset_mail.txt", user=user, link=link))
        db.session.commit()
        # Same answer whether or not the address exists.
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form), (422 if form.errors else 200)


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
