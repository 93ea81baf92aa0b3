"""Markup that slips into a page unescaped cannot send htmx requests as the user.

Escaping is the fix (tests/unit/test_message_escaping.py, tests/web/test_payload_corpus.py);
this is the second line (docs/SECURITY.md): only elements our templates marked with the
session's `data-hx-key` may send htmx requests. A test-only page plants unmarked `hx-post`
elements — one loose in the page, one with a guessed key, one inside a real form that
carries a CSRF token — and Chromium must send none of their requests, while a marked
element on the same page still works.
"""
from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import render_template_string, request
from markupsafe import Markup

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.orders import Order, OrderStatus
from pbj.services import orders
from tests import order_helpers as oh
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("js_enabled", [True], ids=["js"])]

PLANTED = Markup(
    '<i id="loose" hx-post="/_uji/sasaran" hx-trigger="load">a</i>'
    '<i id="guessed" hx-post="/_uji/sasaran" hx-trigger="load" data-hx-key="0123456789abcdef">b</i>'
)
PLANTED_IN_FORM = Markup('<b id="in-form" hx-post="/_uji/sasaran" hx-trigger="load">c</b>')
PAGE = """{% extends "base.html" %}{% block content %}
<div>{{ planted }}</div>
<form method="post" action="/_uji/sah" hx-post="/_uji/sah" data-hx-key="{{ htmx_key() }}"
      hx-target="#hasil" hx-swap="innerHTML">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <p>{{ planted_in_form }}</p>
  <button id="sah" type="submit">Kirim</button>
</form>
<div id="hasil"></div>
{% endblock %}"""


@pytest.fixture
def received():
    return []


@pytest.fixture
def live_server_setup(received):
    def setup(app):
        @app.get("/_uji/sisipan")
        def planted_page():
            return render_template_string(PAGE, planted=PLANTED, planted_in_form=PLANTED_IN_FORM)

        @app.post("/_uji/sasaran")
        def target():
            received.append(("sasaran", dict(request.headers)))
            return "diterima"

        @app.post("/_uji/sah")
        def legitimate():
            received.append(("sah", dict(request.headers)))
            return "terkirim"

    return setup


def test_unmarked_htmx_elements_send_nothing(page, expect, received):
    sent = []
    page.on("request", lambda r: sent.append(r.url))
    page.goto("/_uji/sisipan")
    page.wait_for_load_state("networkidle")
    assert not [url for url in sent if "/_uji/sasaran" in url]

    # The marked form on the same page still works through htmx (the guard is not
    # simply blocking everything), with the CSRF token and the key as headers.
    page.click("#sah")
    expect(page.locator("#hasil")).to_have_text("terkirim")
    page.wait_for_load_state("networkidle")
    assert [name for name, _headers in received] == ["sah"]
    headers = received[0][1]
    assert headers.get("Hx-Request") == "true" and headers.get("X-Csrftoken") and headers.get("X-Htmx-Key")
    assert not [url for url in sent if "/_uji/sasaran" in url]


@pytest.fixture
def awaiting_approval(create_org, create_user, create_supplier, release_db):
    p = oh.parties(create_org, create_user, create_supplier)
    order = oh.place(p, oh.listed(p))
    orders.confirm(p.supplier, order, utcnow())
    db.session.commit()
    found = order.id, p.ppk.email
    release_db()
    return found


def test_reported_attack_link_does_not_approve_the_order(page, login, expect, awaiting_approval):
    """The link from the report: a category and a price that carried an hx-post to approve."""
    order_id, ppk_email = awaiting_approval
    login(page, ppk_email, PASSWORD)
    sent = []
    page.on("request", lambda r: sent.append((r.method, r.url)))
    payload = f"<i hx-post=/pesanan/{order_id}/setujui a='"
    page.goto(f"/katalog?kategori={quote(payload)}&harga_min={quote(chr(39) + ' hx-trigger=load>')}")
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text(payload)  # shown as text
    assert not [s for s in sent if s[0] == "POST"]
    order = db.session.get(Order, order_id)
    assert order.status is OrderStatus.CONFIRMED and order.sp_number is None
