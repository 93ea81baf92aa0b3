"""Template globals and filters, and the pinned htmx file served from the package."""
from __future__ import annotations

from importlib import resources
from importlib.metadata import version

from flask import Flask, send_file, url_for
from flask_babel import get_locale
from pbj.messages import language

from pbj.clock import city_today
from pbj.services.events import deadline_text, expiry_text
from pbj.web import i18n, labels, page_cache

# htmx comes from the pinned django-js-lib-htmx package; its version is in the URL,
# so the file can be cached for a year.
HTMX_VERSION = version("django-js-lib-htmx")


def init_app(app: Flask) -> None:
    # The templates' `_` and `ngettext` through the memoised language (pbj.messages):
    # Flask-Babel's own callables look the catalogue up for every message.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: language()[0].ugettext(s),
        ngettext=lambda s, p, n: language()[0].ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: language()[0].upgettext(c, s),
        npgettext=lambda c, s, p, n: language()[0].unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["rupiah"] = i18n.rupiah
    app.jinja_env.filters["share"] = i18n.share
    app.jinja_env.filters["local_datetime"] = i18n.local_datetime
    app.jinja_env.filters["local_date"] = i18n.local_date
    app.jinja_env.filters["file_size"] = i18n.file_size
    app.jinja_env.filters["deadline"] = deadline_text
    app.jinja_env.filters["time_left"] = i18n.time_left
    app.jinja_env.globals["expiry_text"] = expiry_text
    app.jinja_env.globals["label"] = labels.label
    app.jinja_env.globals["certification_label"] = labels.certification_label
    app.jinja_env.globals["preference_label"] = labels.preference_label
    app.jinja_env.globals["percent"] = i18n.percent
    app.jinja_env.globals["city_today"] = city_today
    app.jinja_env.globals["decimal_1"] = i18n.decimal_1
    app.jinja_env.globals["action_label"] = labels.action_label
    app.jinja_env.globals["ground_label"] = labels.ground_label
    # Both can be markers while a page is rendered to be kept (pbj.web.page_cache).
    app.jinja_env.globals["htmx_key"] = page_cache.htmx_key
    app.jinja_env.globals["csrf_token"] = page_cache.csrf_token
    # Flask-WTF also puts its own csrf_token in every template context; this one, registered
    # after it, takes its place there too.
    app.context_processor(lambda: {"csrf_token": page_cache.csrf_token})
    app.jinja_env.globals["htmx_url"] = lambda: url_for("htmx_js", v=HTMX_VERSION)
    app.context_processor(lambda: {"locale": str(get_locale())})
    app.add_url_rule("/static/vendor/htmx.min.js", "htmx_js", serve_htmx)


def serve_htmx():
    path = resources.files("js_lib_htmx").joinpath("static/htmx/htmx.min.js")
    response = send_file(str(path), mimetype="text/javascript", max_age=365 * 24 * 3600,
                         conditional=True)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
