"""Our one wrapper around htmx-flask.

`is_fragment_request()` is true for htmx requests except history restores,
which need the whole page. Responses that differ by it get `Vary: HX-Request`.
"""
from __future__ import annotations

import hmac

from flask import current_app, make_response, redirect, render_template, request, session
from flask_wtf.csrf import generate_csrf
from jinja2_fragments.flask import render_block

# The request header that carries `element_key()` (set by static/js/pbj.js).
ELEMENT_KEY_HEADER = "X-Htmx-Key"


def is_fragment_request() -> bool:
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.history_restore_request


def render(template: str, fragment: str | None = None, *, http_status: int = 200, **context):
    """Render the full page, or only the named block when htmx asked for it.

    `fragment` names a `{% block %}` in the template; the same template
    serves both, so the no-JS page and the fragment cannot drift apart.
    """
    # Templates ask `htmx_fragment`, never the raw header: a history restore sends
    # HX-Request too, but gets (and must get) the plain full page.
    context["htmx_fragment"] = partial = bool(fragment) and is_fragment_request()
    if partial:
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


def element_key() -> str:
    """The per-session mark of htmx elements that our templates wrote.

    htmx acts on any `hx-*` markup in a page, so text that slipped through
    unescaped could send requests as the user. Templates put this value in
    `data-hx-key` on each element they give `hx-*` attributes; the guard script
    lets only elements carrying it send requests, and the server refuses htmx
    writes without it. It derives from the session's CSRF secret, so injected
    markup (written before the victim's session existed) cannot know it, and it
    stays the same for fragments rendered later in the session.
    """
    generate_csrf()  # makes sure the session holds its CSRF secret
    secret = session[current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")]
    return hmac.new(current_app.secret_key.encode(), b"htmx-element:" + secret.encode(),
                    "sha256").hexdigest()[:32]


def sent_by_our_element() -> bool:
    """True when an htmx request carries this session's element key."""
    sent = request.headers.get(ELEMENT_KEY_HEADER, "")
    return hmac.compare_digest(sent.encode(), element_key().encode())
