"""Authorization helpers used by every view: role checks and load-or-404/403."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from pbj.extensions import db
from pbj.models.accounts import Role, User


def roles_required(*roles: Role):
    """Log in first, then require one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def actor() -> User:
    """The logged-in user as a plain model object, to hand to services."""
    return current_user._get_current_object()


def get_or_404(model, ident):
    """Load by primary key; anything that is not a valid id is simply not found."""
    if not isinstance(ident, int) or ident < 1 or ident > 2**62:
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj
