"""Home page, health check, the site icon and language switch."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, render_template, send_from_directory, session

from pbj.blueprints.main.forms import LanguageForm
from pbj.extensions import db, limiter
from pbj.web import health
from pbj.web.forms import submit_form
from pbj.web.urls import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    body, code = health.report()
    return jsonify(body), code


@bp.get("/favicon.ico")
@limiter.exempt
def favicon():
    """Our basket icon for clients that ask /favicon.ico without reading the page's
    <link rel="icon"> (text browsers, bookmarks, older browsers): an SVG, not an ICO;
    every browser that shows icons reads it by its type."""
    return send_from_directory(current_app.static_folder, "img/favicon.svg", mimetype="image/svg+xml",
                               max_age=86400)


@bp.post("/bahasa")
def set_language():
    form = LanguageForm()

    def choose() -> None:
        if form.lang.data in current_app.config["LANGUAGES"]:
            session["lang"] = form.lang.data

    return submit_form(form, choose, page=lambda status: abort(400), success=None,
                       redirect_to=safe_next(form.next.data))
