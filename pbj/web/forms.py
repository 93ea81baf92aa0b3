"""Form POSTs: domain errors become form errors; success commits and redirects."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import flash
from flask_wtf import FlaskForm

from pbj.extensions import db
from pbj.services.errors import DomainError, NotAllowed, WrongState
from pbj.web.htmx import redirect_303

T = TypeVar("T")


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Attach the message to its field when the form has it, else to the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        if isinstance(field.errors, tuple):
            field.errors = list(field.errors)
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


def submit_form(form: FlaskForm, action: Callable[[], T], *, page: Callable[[int], object],
                success: str | Callable[[T], str], redirect_to: str | Callable[[T], str]):
    """The one shape of a form POST (Post/Redirect/Get).

    Validate `form` and run `action` (one service call). Bad input puts the message on
    the form and answers `page(422)`; a state that no longer allows it, `page(409)`; the
    wrong person goes on to the 403 page. Either way the session is rolled back, so
    nothing is half-done. On success: commit once, flash `success`, redirect (303) to
    `redirect_to`; both may be functions of the action's result.
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
        apply_domain_error(form, e)
        return page(409 if isinstance(e, WrongState) else 422)
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return redirect_303(redirect_to(result) if callable(redirect_to) else redirect_to)
