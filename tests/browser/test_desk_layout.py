"""The desk in a real browser: after the login form every role is on /meja, and with
long names in every section nothing makes the page scroll sideways at 320 px."""
from __future__ import annotations

import pytest

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role
from pbj.services import orders
from tests import order_helpers as oh

pytestmark = [pytest.mark.browser, pytest.mark.markup]

PASSWORD = "sandi-meja-kerja-2024"


def test_every_role_lands_on_a_desk_that_fits_a_phone(page, login, js_enabled, create_org, create_user,
                                                      create_supplier, release_db, screenshot_dir):
    opd = create_org(OrgKind.OPD, name="Dinas Pendidikan, Kebudayaan, Pemuda dan Olahraga Kota Singkawang",
                     code="DISDIKBUD")
    users = {role: create_user(role, org=opd, password=PASSWORD) for role in (Role.PP, Role.PPK, Role.BENDAHARA)}
    users[Role.ADMIN] = create_user(Role.ADMIN, password=PASSWORD)
    users[Role.AUDITOR] = create_user(Role.AUDITOR, password=PASSWORD)
    users[Role.PENYEDIA] = create_supplier("Usaha Dagang Kue Bingke dan Kerupuk Basah Ibu Marlina Singkawang",
                                           password=PASSWORD, with_document=True)
    p = oh.Parties("DISDIKBUD", users[Role.PP], users[Role.PPK], users[Role.BENDAHARA], users[Role.PENYEDIA],
                   users[Role.ADMIN])
    product = oh.listed(p, "Kertas HVS A4 80 gram isi 500 lembar, putih terang, untuk mesin fotokopi kantor",
                        stock=None)
    oh.place(p, product, 5)
    for steps in range(4):  # confirmed, approved, shipped, received
        order = oh.place(p, product, 10)
        orders.confirm(p.supplier, order, utcnow())
        if steps >= 1:
            orders.approve(p.ppk, order, utcnow(), oh.today())
        if steps >= 2:
            orders.ship(p.supplier, order, {order.items[0].id: 10}, "SJ-2026-000123", oh.today(), "", utcnow(),
                        oh.today())
        if steps >= 3:
            orders.sign_handover(p.ppk, order, {order.items[0].id: 10}, "", oh.today(), None, utcnow(), oh.today())
    orders.add_to_cart(p.pp, product, 3, oh.today())
    db.session.commit()
    emails = {role: user.email for role, user in users.items()}
    release_db()
    mode = "js" if js_enabled else "nojs"
    too_wide = []
    for role, email in emails.items():
        page.context.clear_cookies()
        login(page, email, PASSWORD)
        assert page.url.endswith("/meja"), (role, page.url)
        assert page.locator("h1").inner_text() == "Meja saya"
        page.set_viewport_size({"width": 320, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"meja-{role.value}-320px-{mode}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide.append(f"{role.value}: {width}px")
        page.set_viewport_size({"width": 1280, "height": 900})
    assert not too_wide, f"desks that scroll sideways at 320 px: {too_wide}"
