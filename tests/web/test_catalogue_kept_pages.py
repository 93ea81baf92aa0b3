"""Kept catalogue pages (pbj.web.page_cache): never stale, never another visitor's."""
import re
from datetime import timedelta

from pbj.clock import city_today
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.suppliers import Sanction
from pbj.services import catalogue, orders, suppliers
from pbj.web import page_cache
from tests import catalogue_helpers as h

HX = {"HX-Request": "true"}


def _shop(admin, create_supplier):
    local = create_supplier("Kopi Tiam Pasiran", region_code="61.72")
    drinks = h.category("Minuman")
    return {"local": local, "drinks": drinks,
            "kopi": h.product(local, admin, "Kopi Bubuk Robusta", price=25_000, cat=drinks),
            "teh": h.product(local, admin, "Teh Celup Melati", price=12_000, cat=drinks)}


def _cards(body: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="/produk/\d+">([^<]+)</a>', body)


def _thumbs(body: str) -> list[str]:
    return re.findall(r'src="/gambar/([^"]+)"', body)


def test_a_kept_page_follows_every_change_of_the_catalogue(app, client, create_user, create_supplier):
    admin = create_user(Role.ADMIN)
    shop = _shop(admin, create_supplier)
    body = client.get("/katalog").get_data(as_text=True)
    assert _cards(body) == ["Kopi Bubuk Robusta", "Teh Celup Melati"]
    assert len(page_cache.pages()) == 1
    assert client.get("/katalog").get_data(as_text=True).count("product-card") == 2  # served kept

    # A new product, with the count beside its category.
    h.product(shop["local"], admin, "Gula Aren Cair", cat=shop["drinks"])
    body = client.get("/katalog").get_data(as_text=True)
    assert "Gula Aren Cair" in body
    assert re.search(rf'id="c-{shop["drinks"].id}">3<', body)

    # A changed price of a published product.
    shop["teh"].unit_price = 9_500
    db.session.commit()
    assert "Rp 9.500" in client.get("/katalog").get_data(as_text=True)

    # A photo replaced: the card shows the first photo, so add one and remove the first.
    old_thumb = shop["kopi"].images[0].thumb_name
    added = catalogue.add_image(shop["local"], shop["kopi"], h.tiny_jpeg((10, 200, 10)))
    catalogue.remove_image(shop["local"], shop["kopi"], shop["kopi"].images[0].id)
    db.session.commit()
    thumbs = _thumbs(client.get("/katalog").get_data(as_text=True))
    assert added.thumb_name in thumbs and old_thumb not in thumbs

    # A renamed category.
    catalogue.rename_category(admin, shop["drinks"], "Minuman Segar")
    db.session.commit()
    assert "Minuman Segar" in client.get("/katalog").get_data(as_text=True)

    # A suspended supplier: its products leave the page although no product changed.
    suppliers.sanction_supplier(admin, shop["local"].org.supplier, Sanction.SUSPENDED, "Terlambat kirim",
                                city_today() + timedelta(days=3), city_today())
    db.session.commit()
    assert _cards(client.get("/katalog").get_data(as_text=True)) == []


def test_htmx_fragments_are_kept_apart_from_whole_pages(client, create_user, create_supplier):
    admin = create_user(Role.ADMIN)
    _shop(admin, create_supplier)
    whole = client.get("/katalog?q=teh").get_data(as_text=True)
    part = client.get("/katalog?q=teh", headers=HX).get_data(as_text=True)
    restore = client.get("/katalog?q=teh", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in whole and "hx-swap-oob" not in whole
    assert part.lstrip().startswith('<div id="hasil"') and 'hx-swap-oob="true"' in part
    assert "<html" in restore.get_data(as_text=True) and "hx-swap-oob" not in restore.get_data(as_text=True)
    assert "HX-Request" in restore.headers["Vary"]


def test_each_visitor_gets_their_own_token_and_htmx_key_in_a_kept_page(make_app, create_user, create_supplier):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        admin = create_user(Role.ADMIN)
        _shop(admin, create_supplier)
        one, two = csrf_app.test_client(), csrf_app.test_client()
        first, second = (c.get("/katalog").get_data(as_text=True) for c in (one, two))
        assert len(page_cache.pages()) == 1  # one page rendered, two visitors served
        tokens = [re.search(r'<meta name="csrf-token" content="([^"]+)">', b).group(1) for b in (first, second)]
        keys = [set(re.findall(r'data-hx-key="([^"]+)"', b)) for b in (first, second)]
        assert tokens[0] != tokens[1]
        assert len(keys[0]) == len(keys[1]) == 1 and keys[0] != keys[1]
        for body in (first, second):
            assert page_cache.CSRF_MARK not in body and page_cache.KEY_MARK not in body
        # Each token is the visitor's own: it passes for its session and not for the other's.
        assert one.post("/bahasa", data={"lang": "en", "csrf_token": tokens[0], "next": "/katalog"}).status_code == 303
        assert two.post("/bahasa", data={"lang": "en", "csrf_token": tokens[0], "next": "/katalog"}).status_code == 400


def test_a_reload_of_an_unchanged_page_is_a_304_for_the_same_visitor_only(app, client, create_user,
                                                                         create_supplier):
    admin = create_user(Role.ADMIN)
    shop = _shop(admin, create_supplier)
    first = client.get("/katalog?q=kopi")
    tag = first.headers["ETag"]
    assert tag.startswith('W/"') and first.headers["Cache-Control"] == "private, no-cache"
    again = client.get("/katalog?q=kopi", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    assert "HX-Request" in again.headers["Vary"] and "Cookie" in again.headers["Vary"]
    # Another page, the htmx fragment of this one, another visitor: each its own tag.
    assert client.get("/katalog?q=teh", headers={"If-None-Match": tag}).status_code == 200
    assert client.get("/katalog?q=kopi", headers={**HX, "If-None-Match": tag}).status_code == 200
    assert app.test_client().get("/katalog?q=kopi", headers={"If-None-Match": tag}).status_code == 200
    # Another language.
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get("/katalog?q=kopi", headers={"If-None-Match": tag})
    assert english.status_code == 200 and english.headers["ETag"] != tag
    # A change to the catalogue.
    shop["kopi"].stock = 3
    db.session.commit()
    changed = client.get("/katalog?q=kopi", headers={"If-None-Match": english.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != english.headers["ETag"]


def test_signed_in_pages_have_no_etag_and_their_own_header(app, client, auth, create_user, create_supplier):
    admin = create_user(Role.ADMIN)
    shop = _shop(admin, create_supplier)
    buyer = create_user(Role.PP)
    auditor = create_user(Role.AUDITOR)
    assert 'name="product_id"' not in client.get("/katalog").get_data(as_text=True)  # anonymous, kept
    cart_link = re.compile(r'<a href="/keranjang">[^<]*\(1\)</a>')

    auth.login(buyer)
    page = client.get("/katalog")
    assert "ETag" not in page.headers and page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert body.count('name="product_id"') == 2 and not cart_link.search(body)
    orders.add_to_cart(buyer, shop["kopi"], 1, city_today())
    db.session.commit()
    # The kept catalogue part is reused (no product changed), the header is fresh: one in the cart.
    kept = len(page_cache.pages())
    body = client.get("/katalog").get_data(as_text=True)
    assert len(page_cache.pages()) == kept and cart_link.search(body)
    assert body.count('name="product_id"') == 2

    auth.logout()
    auth.login(auditor)
    body = client.get("/katalog").get_data(as_text=True)
    assert 'name="product_id"' not in body and 'id="tambah"' not in body
    assert _cards(body) == ["Kopi Bubuk Robusta", "Teh Celup Melati"]


def test_a_flashed_message_is_shown_once_and_its_page_not_kept(client, create_user, create_supplier):
    admin = create_user(Role.ADMIN)
    _shop(admin, create_supplier)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Pesan sekali saja")]
    first = client.get("/katalog")
    assert "Pesan sekali saja" in first.get_data(as_text=True) and "ETag" not in first.headers
    assert "Pesan sekali saja" not in client.get("/katalog").get_data(as_text=True)


def test_a_kept_product_page_follows_its_product_and_supplier(app, client, auth, create_user, create_supplier):
    admin = create_user(Role.ADMIN)
    shop = _shop(admin, create_supplier)
    url = f"/produk/{shop['kopi'].id}"
    first = client.get(url)
    assert first.status_code == 200 and "Rp 25.000" in first.get_data(as_text=True)
    assert first.headers["ETag"].startswith('W/"') and "HX-Request" not in first.headers.get("Vary", "")
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    kept = len(page_cache.pages())

    shop["kopi"].unit_price = 23_000
    db.session.commit()
    assert "Rp 23.000" in client.get(url).get_data(as_text=True)
    assert len(page_cache.pages()) == kept + 1  # a new key: the old page is never served again

    suppliers.sanction_supplier(admin, shop["local"].org.supplier, Sanction.SUSPENDED, "Terlambat kirim",
                                city_today() + timedelta(days=3), city_today())
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.get(f"/produk/{shop['teh'].id}").status_code == 404

    # Signed in, the page is rendered for the user: the owner still sees the hidden product.
    auth.login(shop["local"])
    page = client.get(url)
    assert page.status_code == 200 and "ETag" not in page.headers


def test_a_buyer_gets_the_cart_form_on_a_product_page_an_anonymous_visitor_had_kept(client, auth, create_user,
                                                                                      create_supplier):
    admin = create_user(Role.ADMIN)
    shop = _shop(admin, create_supplier)
    url = f"/produk/{shop['kopi'].id}"
    assert 'class="add-to-cart"' not in client.get(url).get_data(as_text=True)
    auth.login(create_user(Role.PPK))
    assert 'class="add-to-cart"' in client.get(url).get_data(as_text=True)


def test_a_head_request_keeps_the_same_page_a_get_would(client, create_user, create_supplier):
    # HEAD runs the GET view; the page it keeps must be the one GET visitors are owed
    # (the language form returns to this page, not to the home page).
    admin = create_user(Role.ADMIN)
    shop = _shop(admin, create_supplier)
    back_here = '<input type="hidden" name="next" value="/katalog?q=kopi">'
    assert client.head("/katalog?q=kopi").status_code == 200
    assert back_here in client.get("/katalog?q=kopi").get_data(as_text=True)
    url = f"/produk/{shop['kopi'].id}"
    assert client.head(url).status_code == 200
    assert f'<input type="hidden" name="next" value="{url}?">' in client.get(url).get_data(as_text=True)


def test_a_page_kept_under_another_mount_point_is_not_served_here(client, create_user, create_supplier):
    # The links of a page are built from the mount point (SCRIPT_NAME); a front end that
    # passed a client's SCRIPT_NAME through must not put its links in everybody's page.
    admin = create_user(Role.ADMIN)
    _shop(admin, create_supplier)
    moved = client.get("/katalog?q=teh", environ_overrides={"SCRIPT_NAME": "/lain"}).get_data(as_text=True)
    assert 'action="/lain/katalog"' in moved
    here = client.get("/katalog?q=teh").get_data(as_text=True)
    assert 'action="/katalog"' in here and "/lain/" not in here


def test_user_text_in_a_kept_page_is_escaped_exactly_once(client, auth, create_user, create_supplier):
    admin = create_user(Role.ADMIN)
    shop = _shop(admin, create_supplier)
    h.product(shop["local"], admin, 'Teh <b>Wangi</b> & "Melati"', cat=shop["drinks"])
    once = "Teh &lt;b&gt;Wangi&lt;/b&gt; &amp; &#34;Melati&#34;"
    for who in (None, create_user(Role.PP), create_user(Role.AUDITOR)):  # whole page; part under a header
        if who is not None:
            auth.logout()
            auth.login(who)
        for _ in range(2):  # rendered, then kept
            body = client.get("/katalog?q=melati").get_data(as_text=True)
            assert once in body and "<b>Wangi" not in body and "&amp;lt;" not in body


def test_a_change_stamped_earlier_but_committed_later_still_moves_the_kept_page(app, client, create_user,
                                                                               create_supplier):
    """Checkout stamps a product with the request's start; a price edit of another product
    stamped later may commit first. The page must still follow the later commit."""
    admin = create_user(Role.ADMIN)
    shop = _shop(admin, create_supplier)
    body = client.get("/katalog").get_data(as_text=True)
    assert "Rp 12.000" in body
    stamp = shop["teh"].updated_at
    shop["teh"].unit_price, shop["teh"].updated_at = 12_500, stamp + timedelta(minutes=5)  # committed first
    db.session.commit()
    assert "Rp 12.500" in client.get("/katalog").get_data(as_text=True)
    shop["kopi"].unit_price, shop["kopi"].updated_at = 26_000, stamp + timedelta(minutes=1)  # stamped earlier
    db.session.commit()
    body = client.get("/katalog").get_data(as_text=True)
    assert "Rp 26.000" in body and "Rp 25.000" not in body
