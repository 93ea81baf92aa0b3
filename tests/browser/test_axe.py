"""axe-core in Chromium over the accountability pages (issue 13: "axe-clean"): the public
portal, the open-data page, the reports with their charts, the desk with the meter, the
budgets page, an order with a partial BAST, and the Inspectorate's trail, case file and
risk flags (issue 14). axe-core is the npm package, pinned,
installed by .ci/run into the git-ignored .tools/axe/ (AXE_JS may point elsewhere);
without it the test is skipped here and fails in CI."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.services import orders
from tests import order_helpers as oh

pytestmark = [pytest.mark.browser, pytest.mark.markup]

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(os.environ.get("AXE_JS") or ROOT / ".tools/axe/node_modules/axe-core/axe.min.js")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PASSWORD = "sandi-periksa-aksesibel-2024"
# WCAG 2.1 A and AA, as the audit ran it.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe_script() -> str:
    if not AXE_JS.is_file():
        message = (f"axe-core is not installed (no {AXE_JS}): npm install --prefix .tools/axe --ignore-scripts "
                   "axe-core@4.14.1 (as .ci/run does)")
        (pytest.fail if IN_CI else pytest.skip)(message)
    return AXE_JS.read_text(encoding="utf-8")


def _violations(page, script: str) -> list[str]:
    page.add_script_tag(content=script)
    found = page.evaluate("async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
                          ".violations.map(v => v.id + ': ' + v.help + ' — ' + "
                          "v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))", TAGS)
    return list(found)


@pytest.fixture
def axe_page(browser, live_server):
    """A page whose context lets axe's own script run beside our Content-Security-Policy."""
    context = browser.new_context(base_url=live_server, bypass_csp=True, locale="id-ID",
                                  viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_accountability_pages_have_no_wcag_violations(axe_page, login, axe_script, create_org, create_user,
                                                      create_supplier, release_db):
    page = axe_page
    p = oh.without_pp55(oh.parties(create_org, create_user, create_supplier))
    admin = create_user(Role.ADMIN, password=PASSWORD)
    pp = create_user(Role.PP, org=p.pp.org, password=PASSWORD)
    product = oh.listed(p, price=100_000, stock=None)
    order = oh.place(p, product, 10)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    orders.ship(p.supplier, order, {order.items[0].id: 6}, "SJ-1", oh.today(), "", utcnow(), oh.today())
    orders.sign_handover(p.ppk, order, {order.items[0].id: 6}, "", oh.today(), None, utcnow(), oh.today(),
                         rest="open")
    db.session.commit()
    order_id, admin_email, pp_email = order.id, admin.email, pp.email
    release_db()

    pages = {"anonymous": ["/transparansi", f"/transparansi/pesanan/{order_id}", "/transparansi/penyedia",
                           "/transparansi/pembayaran", "/ocds"],
             pp_email: ["/meja", f"/pesanan/{order_id}", "/laporan/"],
             admin_email: ["/laporan/", "/laporan/bulanan", "/admin/anggaran", "/audit/",
                           f"/audit/pesanan/{order_id}", "/pengawasan/"]}
    problems = []
    for who, paths in pages.items():
        page.context.clear_cookies()
        if who != "anonymous":
            login(page, who, PASSWORD)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, (who, path, response.status)
            problems += [f"{path}: {v}" for v in _violations(page, axe_script)]
    assert not problems, "axe (WCAG 2.1 AA) violations:\n" + "\n".join(problems)
