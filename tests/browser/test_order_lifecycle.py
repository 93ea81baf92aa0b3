"""Journey: the whole order lifecycle through the real pages, JavaScript on and off.

PP orders from the catalogue, the supplier confirms, the PPK approves (Surat
Pesanan), the supplier ships in two parts, the PPK signs the BAST, the
bendahara pays the net amount, the PPK rates and the supplier replies. Each
step is done by its own user in their own browser context; forms are found by
their action, so the test does not depend on wording.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pbj.services import taxes
from tests import order_helpers as oh
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_order_from_cart_to_rating(new_page, login, submit, create_org, create_user, create_supplier, app,
                                   release_db, expect, screenshot_dir, js_enabled):
    p = oh.parties(create_org, create_user, create_supplier, supplier_name="CV Sumber Rejeki")
    product = oh.listed(p, "Kertas HVS A4 80 gram", price=55_000, stock=40)
    package_id = oh.package(p).id  # the OPD's RUP register has this year's e-purchasing package
    product_id, order_item_qty = product.id, 10
    tax = taxes.breakdown(55_000 * order_item_qty, is_pkp=False, has_pp55=True, config=app.config)
    supplier_org_id = p.supplier.org_id
    emails = {"pp": p.pp.email, "ppk": p.ppk.email, "bendahara": p.bendahara.email, "supplier": p.supplier.email}
    today = oh.today()
    release_db()
    suffix = "js" if js_enabled else "nojs"

    def as_user(role, width=1280):
        page = new_page(width=width)
        login(page, emails[role], PASSWORD)
        return page

    def act(page, action, fields=None, expect_status=None):
        form = page.locator(f"main form[action$='/{action}']")
        for name, value in (fields or {}).items():
            form.locator(f"[name='{name}']").fill(value)
        response = submit(page, form.locator("button[type=submit]"))
        if expect_status:
            assert response.status == expect_status, (action, response.status)
        return response

    # PP: 9 from the product page and the minimum order (1) from a catalogue card —
    # in place with htmx, or through the page and back without JavaScript.
    pp = as_user("pp", width=320)
    pp.goto(f"/produk/{product_id}")
    cart_form = pp.locator("form.add-to-cart")
    cart_form.locator("[name=quantity]").fill("9")
    card_button = f"main button[form=tambah][value='{product_id}']"
    if js_enabled:
        cart_form.locator("[name=quantity]").fill("999")  # more than the stock: the reason shows in place
        cart_form.locator("button").click()
        expect(pp.locator(f"#cart-msg-{product_id} .error")).to_contain_text("40")
        cart_form.locator("[name=quantity]").fill("9")
        cart_form.locator("button").click()
        expect(pp.locator(f"#cart-msg-{product_id}")).to_contain_text("Kertas HVS A4 80 gram")
        assert "/produk/" in pp.url  # stayed on the page
        pp.goto("/katalog?q=kertas")
        pp.locator(card_button).click()
        expect(pp.locator(f"#cart-msg-{product_id}")).to_contain_text("10")
        assert "/katalog" in pp.url
    else:
        submit(pp, cart_form.locator("button"))
        expect(pp.locator(".flash-success")).to_contain_text("Kertas HVS A4 80 gram")
        pp.goto("/katalog?q=kertas")
        submit(pp, pp.locator(card_button))
        expect(pp).to_have_url(re.compile(r"/katalog\?q=kertas$"))
        expect(pp.locator(".flash-success")).to_contain_text("10")
    pp.goto("/keranjang")
    expect(pp.locator("main")).to_contain_text("Kertas HVS A4 80 gram")
    pp.goto("/keranjang/pesan")
    checkout = pp.locator("main form")
    checkout.locator("#package_id").select_option(str(package_id))
    checkout.locator("#delivery_address").fill("Jl. Firdaus No. 1, Singkawang")
    checkout.locator("#needed_by").fill((today + timedelta(days=14)).isoformat())
    pp.screenshot(path=str(screenshot_dir / f"order-checkout-320-{suffix}.png"), full_page=True)
    submit(pp, checkout.locator("button[type=submit]"))
    expect(pp).to_have_url(re.compile(r"/pesanan/\d+$"))
    order_url = re.search(r"/pesanan/\d+$", pp.url).group(0)
    expect(pp.locator(f"main form[action$='{order_url}/batal']")).to_have_count(1)
    expect(pp.locator(f"main form[action$='{order_url}/setujui']")).to_have_count(0)

    # The supplier confirms.
    supplier = as_user("supplier")
    supplier.goto("/notifikasi")
    expect(supplier.locator(f"main a[href$='{order_url}']").first).to_be_visible()
    supplier.goto(order_url)
    act(supplier, "konfirmasi", expect_status=200)

    # The PPK approves: the Surat Pesanan gets its number and a printable page with a QR code.
    ppk = as_user("ppk")
    ppk.goto(order_url)
    act(ppk, "setujui", expect_status=200)
    expect(ppk.locator("main")).to_contain_text(f"SP/{p.opd_code}/{today.year}/0001")
    ppk.goto(f"{order_url}/dokumen/sp")
    expect(ppk.locator("main svg").first).to_be_visible()
    ppk.screenshot(path=str(screenshot_dir / f"order-sp-{suffix}.png"), full_page=True)

    # The supplier ships in two parts.
    supplier.goto(order_url)
    item_field = supplier.locator("main form[action$='/kirim'] input[name^='qty_']")
    qty_name = item_field.get_attribute("name")
    act(supplier, "kirim", {"note_number": "SJ-001", qty_name: "6"}, expect_status=200)
    act(supplier, "kirim", {"note_number": "SJ-002", qty_name: "4"}, expect_status=200)
    expect(supplier.locator("main form[action$='/kirim']")).to_have_count(0)

    # The PPK signs the BAST for everything delivered.
    ppk.goto(order_url)
    act(ppk, "bast", {"notes": "Diterima lengkap dan baik"}, expect_status=200)
    expect(ppk.locator("main a[href*='/dokumen/bast']")).to_have_count(1)

    # The bendahara first types an amount Rp 1 off the net (refused), then the net. (At
    # Rp 550.000, under the Rp 2 juta threshold, nothing is withheld: the net is the gross.)
    bendahara = as_user("bendahara")
    bendahara.goto(order_url)
    assert tax.net == 550_000
    act(bendahara, "bayar", {"reference": "SP2D-0001", "amount": f"{tax.net - 1}"}, expect_status=422)
    expect(bendahara.locator(".error-summary")).to_be_visible()
    act(bendahara, "bayar", {"reference": "SP2D-0001", "amount": f"{tax.net}"}, expect_status=200)
    bendahara.screenshot(path=str(screenshot_dir / f"order-paid-{suffix}.png"), full_page=True)

    # The PPK rates; the supplier replies once; the rating shows on the public profile.
    ppk.goto(order_url)
    ppk.locator("main form[action$='/nilai'] input[name=stars][value='4']").check()
    act(ppk, "nilai", {"comment": "Barang sesuai, pengiriman tepat waktu"}, expect_status=200)
    supplier.goto(order_url)
    act(supplier, "balas", {"reply": "Terima kasih atas kepercayaannya"}, expect_status=200)
    expect(supplier.locator("main form[action$='/balas']")).to_have_count(0)
    supplier.screenshot(path=str(screenshot_dir / f"order-completed-{suffix}.png"), full_page=True)
    public = new_page()
    public.goto(f"/penyedia/{supplier_org_id}")
    expect(public.locator("main")).to_contain_text("pengiriman tepat waktu")
    expect(public.locator("main")).to_contain_text("Terima kasih atas kepercayaannya")
