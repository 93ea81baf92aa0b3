"""Journeys in the public catalogue: search, filter, back button, compare — JS on and off."""
from __future__ import annotations

import re

import pytest

from pbj.models.accounts import Role
from tests import catalogue_helpers as h

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(create_user, create_supplier, release_db):
    admin = create_user(Role.ADMIN)
    local = create_supplier("Kopi Tiam Pasiran", region_code="61.72")
    other = create_supplier("Toko Pontianak", region_code="61.71")
    drinks, office = h.category("Minuman"), h.category("Alat Tulis")
    h.product(local, admin, "Kopi Bubuk Robusta", price=25_000, cat=drinks, tkdn=80)
    h.product(other, admin, "Teh Celup Melati", price=12_000, cat=drinks, tkdn=30)
    h.product(other, admin, "Kertas HVS A4", price=55_000, cat=office, pdn=False)
    release_db()


def _names(page) -> list[str]:
    return page.locator(".product-card .card-title").all_inner_texts()


def _duplicate_ids(page) -> list[str]:
    ids = page.locator("[id]").evaluate_all("elements => elements.map(e => e.id)")
    return sorted({i for i in ids if ids.count(i) > 1})


def test_search_filter_and_back_button(page, shop, js_enabled, expect, submit):
    page.goto("/katalog")
    expect(page.locator(".product-card")).to_have_count(3)

    if js_enabled:
        page.fill("#q", "kop")  # active search: no button press
        expect(page.locator(".product-card")).to_have_count(1)
        expect(page).to_have_url(re.compile(r"q=kop"))
    else:
        page.fill("#q", "kop")
        submit(page, page.locator("#katalog .search-row button[type=submit]"))
    assert _names(page) == ["Kopi Bubuk Robusta"]

    page.fill("#q", "")
    if js_enabled:
        expect(page.locator(".product-card")).to_have_count(3)
        page.check("input[name=label][value=tkdn40]")  # a change submits by itself
        expect(page.locator(".product-card")).to_have_count(1)
        expect(page).to_have_url(re.compile(r"label=tkdn40"))
    else:
        page.check("input[name=label][value=tkdn40]")
        submit(page, page.locator("#katalog details button[type=submit]"))
    assert _names(page) == ["Kopi Bubuk Robusta"]

    page.go_back()  # the previous result list comes back
    expect(page.locator(".product-card")).to_have_count(3 if js_enabled else 1)
    assert _duplicate_ids(page) == []  # the restored page brings no out-of-band copies
    if not js_enabled:
        page.go_back()
        expect(page.locator(".product-card")).to_have_count(3)


def test_sort_by_lowest_price(page, shop, js_enabled, expect, submit):
    page.goto("/katalog")
    page.select_option("#urut", "termurah")
    if js_enabled:
        expect(page).to_have_url(re.compile(r"urut=termurah"))
    else:
        submit(page, page.locator("#katalog details button[type=submit]"))
    expect(page.locator(".product-card .card-title").first).to_have_text("Teh Celup Melati")
    assert _names(page) == ["Teh Celup Melati", "Kopi Bubuk Robusta", "Kertas HVS A4"]


def test_compare_two_products(page, shop, expect, submit):
    page.goto("/katalog")
    page.locator(".product-card", has_text="Kopi Bubuk").locator("input[name=id]").check()
    page.locator(".product-card", has_text="Kertas HVS").locator("input[name=id]").check()
    submit(page, page.locator("#bandingkan button[type=submit]"))
    expect(page).to_have_url(re.compile(r"/bandingkan\?id=\d+&id=\d+"))
    headers = page.locator("table.compare thead th").all_inner_texts()
    assert headers[1:] == ["Kopi Bubuk Robusta", "Kertas HVS A4"]


def test_product_page_from_a_card(page, shop, expect):
    page.goto("/katalog?q=teh")
    page.click("text=Teh Celup Melati")
    expect(page).to_have_url(re.compile(r"/produk/\d+$"))
    expect(page.locator("h1")).to_have_text("Teh Celup Melati")
    expect(page.locator(".price-big")).to_contain_text("12.000")


def test_catalogue_fits_a_narrow_phone(browser, live_server, shop, screenshot_dir):
    context = browser.new_context(base_url=live_server, viewport={"width": 320, "height": 700})
    page = context.new_page()
    try:
        page.goto("/katalog")
        page.screenshot(path=str(screenshot_dir / "katalog-320px.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(screenshot_dir / "katalog-1280px.png"), full_page=True)
    finally:
        context.close()
