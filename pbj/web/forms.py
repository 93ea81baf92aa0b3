"""Turning domain errors into form errors."""
from __future__ import annotations

from flask_wtf import FlaskForm

from pbj.services.errors import DomainError


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Attach the message to its field when the form has it, else to the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        if isinstance(field.errors, tuple):
            field.errors = list(field.errors)
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)
