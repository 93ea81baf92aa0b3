"""Our one wrapper around htmx-flask.

`is_fragment_request()` is true for htmx requests except history restores,
which need the whole page. Responses that differ by it get `Vary: HX-Request`.
"""
from __future__ import annotations

from flask import make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def is_fragment_request() -> bool:
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.history_restore_request


def render(template: str, fragment: str | None = None, *, http_status: int = 200, **context):
    """Render the full page, or only the named block when htmx asked for it.

    `fragment` names a `{% block %}` in the template; the same template
    serves both, so the no-JS page and the fragment cannot drift apart.
    """
    if fragment and is_fragment_request():
        body = render_block(template, fragment, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, http_status)
    if fragment:
        response.vary.add("HX-Request")
    return response


def redirect_303(location: str):
    """Post/Redirect/Get: 303 makes browsers and htmx follow with a GET."""
    return redirect(location, code=303)
