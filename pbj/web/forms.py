"""Form POSTs: domain errors become form errors; success commits and redirects.

Every form POST of the app goes through `submit_form`, so bad input, a wrong
state and the wrong person are answered the same way everywhere.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from flask_wtf import FlaskForm

from pbj.extensions import db
from pbj.services.errors import DomainError, NotAllowed, TooOften, WrongState
from pbj.web.htmx import is_fragment_request, redirect_303
from pbj.web.throttling import too_many_attempts

T = TypeVar("T")


class EmptyForm(FlaskForm):
    """Only the CSRF token: for buttons that post an action."""


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Attach the message to its field when the form has it, else to the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        if isinstance(field.errors, tuple):
            field.errors = list(field.errors)
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


def first_error(form: FlaskForm) -> str | None:
    """The form's first message, for places that show one line (a cart row, a flash)."""
    return next((errors[0] for errors in form.errors.values() if errors), None)


def _status_of(error: DomainError) -> int:
    if isinstance(error, WrongState):
        return 409
    if isinstance(error, TooOften):
        return 429
    return 422


def submit_form(form: FlaskForm, action: Callable[[], T], *, page: Callable[[int], object],
                success: str | Callable[[T], str] | None, redirect_to: str | Callable[[T], str],
                after_commit: Callable[[T], None] | None = None,
                fragment: Callable[[T], object] | None = None,
                on_refusal: Callable[[DomainError], None] | None = None):
    """The one shape of a form POST (Post/Redirect/Get).

    Validate `form` and run `action` (one service call; reading an uploaded file
    belongs inside it). A refusal puts the message on the form (on its field when the
    error names one) and answers `page(status)`: 422 for bad input, 409 for a state that
    no longer allows the action, 429 for too many tries. That is the page re-rendered;
    only a form without a page of its own (add to cart from a catalogue card) may flash
    the message and go back instead. The wrong person goes on to the 403 page. Either
    way the session is rolled back, so nothing is half-done. A `TooOften` from the
    shared throttle (it carries `retry_after`) answers the 429 page saying when to
    try again, with Retry-After, in place of the form.

    `on_refusal(error)`, if given, runs after that rollback for every refusal but the
    wrong person, and what it writes is committed: the record a refusal must leave
    behind (a failed login or a wrong current password counts for the throttle and
    goes into the audit trail).

    On success: commit once, then `after_commit(result)` if given (what must follow a
    saved change, such as logging in the user just registered), flash `success` (None:
    no message) and redirect (303) to `redirect_to`; both may be functions of the
    action's result. With `fragment`, an htmx request is answered by
    `fragment(result)` in place instead of the flash and redirect.
    """
    if not form.validate_on_submit():
        return page(422)
    try:
        result = action()
    except NotAllowed:
        db.session.rollback()
        raise
    except DomainError as e:
        db.session.rollback()
        if on_refusal is not None:
            on_refusal(e)
            db.session.commit()
        if isinstance(e, TooOften) and e.retry_after:
            return too_many_attempts(e.retry_after)
        apply_domain_error(form, e)
        return page(_status_of(e))
    db.session.commit()
    if after_commit is not None:  # before the flash: a login starts a fresh session
        after_commit(result)
    if fragment is not None and is_fragment_request():
        return fragment(result)
    message = success(result) if callable(success) else success
    if message:
        flash(message, "success")
    return redirect_303(redirect_to(result) if callable(redirect_to) else redirect_to)


def submit_import(form: FlaskForm, importer: Callable[[], T], *, redirect_to: str,
                  page: Callable[[int, list], object]):
    """The form POST of an all-or-nothing CSV upload: `importer()` saves every row or
    raises `BadRows`; the page (`page(status, bad_rows)`) then lists each bad row by its
    line under the upload field. The result counts added, changed and unchanged rows."""
    from pbj.messages import gettext as _

    from pbj.services.csv_text import BadRows

    bad_rows: list = []

    def load():
        try:
            return importer()
        except BadRows as refused:
            bad_rows.extend(refused.rows)
            raise

    return submit_form(form, load,
                       success=lambda r: _("Imported: %(added)s added, %(changed)s changed, %(same)s unchanged.",
                                           added=r.added, changed=r.changed, same=r.unchanged),
                       redirect_to=redirect_to, page=lambda status: page(status, bad_rows))
