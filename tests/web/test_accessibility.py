"""Assistive technology and text browsers: ratings read as words, required selects that
catch an untouched field, headings in order, a description on every page."""
from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest

from pbj.models.accounts import Role
from tests.web.test_supplier_flow import PDF, REGISTRATION

TEMPLATES = Path(__file__).resolve().parents[2] / "pbj" / "templates"


def _select(html: str, select_id: str) -> str:
    match = re.search(rf'<select[^>]*\bid="{select_id}"[^>]*>.*?</select>', html, re.S)
    assert match, f"no select #{select_id}"
    return match.group(0)


def _starts_empty_and_required(select: str) -> None:
    assert re.search(r"<select[^>]*\brequired\b", select), select[:200]
    first = re.search(r"<option[^>]*>[^<]*</option>", select).group(0)
    assert 'value=""' in first and "— pilih —" in first, first


# -- Star ratings -------------------------------------------------------------------


def test_stars_are_hidden_from_screen_readers_which_read_words_instead(app):
    with app.test_request_context():
        html = app.jinja_env.from_string(
            '{% from "macros/orders.html" import stars %}{{ stars(4) }}').render()
    assert re.search(r'<span class="stars" aria-hidden="true">★★★★☆</span>', html)
    assert '<span class="visually-hidden">4 dari 5 bintang</span>' in html
    assert "aria-label" not in html


def test_stars_are_drawn_only_by_the_macro():
    # An aria-label on a span is not announced reliably: every rating goes through stars().
    for path in TEMPLATES.rglob("*.html"):
        if path.name != "orders.html" or path.parent.name != "macros":
            assert "★" not in path.read_text(), f"{path.name} draws stars itself"


def test_rating_choices_say_the_number_in_words(app):
    from pbj.blueprints.orders.forms import RatingForm

    with app.test_request_context():
        labels = [str(option.label.text) for option in RatingForm().stars]
    assert labels[0] == "★★★★★ 5 dari 5 bintang" and labels[-1] == "★ 1 dari 5 bintang"


# -- Required selects ---------------------------------------------------------------


def test_registration_scale_starts_on_choose_and_untouched_gives_422_keeping_input(client):
    _starts_empty_and_required(_select(client.get("/daftar").get_data(as_text=True), "scale"))
    response = client.post("/daftar", data={**REGISTRATION, "scale": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="error" id="scale-error">Pilih skala usaha.</p>' in html
    assert 'value="Keramik Naga Sakkok"' in html and 'value="1234567890123"' in html


def test_document_kind_starts_on_choose_and_untouched_gives_422(client, auth, create_supplier):
    auth.login(create_supplier())
    _starts_empty_and_required(_select(client.get("/usaha").get_data(as_text=True), "kind"))
    response = client.post("/usaha/dokumen", data={"kind": "", "file": (BytesIO(PDF), "nib.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert '<p class="error" id="kind-error">Pilih jenis dokumen.</p>' in response.get_data(as_text=True)


def test_sanction_kind_starts_on_choose_and_untouched_gives_422(client, auth, create_supplier, create_user):
    user = create_supplier(with_document=True)
    auth.login(create_user(Role.ADMIN))
    url = f"/admin/penyedia/{user.org_id}"
    _starts_empty_and_required(_select(client.get(url).get_data(as_text=True), "sanction-sanction"))
    response = client.post(url + "/sanksi", data={"sanction-sanction": "", "sanction-reason": "Terlambat kirim",
                                                  "sanction-until": "2099-12-31"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Pilih pembekuan atau daftar hitam." in html and "Terlambat kirim" in html
    assert user.org.supplier.sanction.value == "none"


@pytest.mark.parametrize(("url", "select_id", "data", "message"), [
    ("/admin/opd", "kind", {"name": "Dinas Perhubungan", "code": "DISHUB", "kind": ""},
     "Pilih jenis organisasi."),
    ("/admin/pengguna", "role", {"name": "Rina Wulandari", "email": "rina@dishub.go.id", "role": ""},
     "Pilih peran."),
])
def test_admin_selects_start_on_choose_and_untouched_gives_422(client, auth, create_user, url, select_id,
                                                                data, message):
    admin = create_user(Role.ADMIN)
    auth.login(admin)
    _starts_empty_and_required(_select(client.get(url).get_data(as_text=True), select_id))
    response = client.post(url, data={"org_id": str(admin.org_id), **data})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'value="{data["name"]}"' in html


# -- Headings and descriptions ------------------------------------------------------

HEADING = re.compile(r"<h([1-6])\b")
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')


def heading_skips(html: str) -> list[str]:
    """Each place a heading goes down more than one level ("h1 → h3")."""
    levels = [int(level) for level in HEADING.findall(html)]
    return [f"h{a} → h{b}" for a, b in zip([0] + levels, levels) if b > a + 1]


def test_heading_skips_are_found():
    assert heading_skips("<h1>a</h1><h3>b</h3>") == ["h1 → h3"]
    assert heading_skips("<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2>") == []


def test_catalogue_cards_sit_under_a_results_heading(app, client, create_org, create_user, create_supplier):
    from tests import order_helpers as oh

    oh.listed(oh.parties(create_org, create_user, create_supplier))
    html = client.get("/katalog").get_data(as_text=True)
    assert '<h3 class="card-title">' in html and heading_skips(html) == []
    assert '<h2 class="visually-hidden">Hasil</h2>' in html
    fragment = client.get("/katalog", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<h2 class="visually-hidden">Hasil</h2>' in fragment  # the heading travels with the results


def test_every_main_page_describes_itself(app, client, create_org, create_user, create_supplier):
    from tests import order_helpers as oh

    product = oh.listed(oh.parties(create_org, create_user, create_supplier), name="Kopi Bubuk Robusta 250 g")
    pages = ["/", "/katalog", "/masuk", "/daftar", f"/produk/{product.id}", f"/penyedia/{product.supplier_id}"]
    descriptions = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = DESCRIPTION.findall(response.get_data(as_text=True))
        assert len(found) == 1 and len(found[0]) > 40, url
        descriptions[url] = found[0]
    assert len(set(descriptions.values())) == len(pages), descriptions
    assert descriptions[f"/produk/{product.id}"].startswith("Kopi Bubuk Robusta 250 g: Rp ")
    # Any other page has the site's own description.
    other = DESCRIPTION.findall(client.get("/lupa-sandi").get_data(as_text=True))
    assert other == ["e-Katalog Lokal Kota Singkawang: barang dan jasa dari penyedia terverifikasi yang dipesan "
                     "perangkat daerah secara daring."]


def test_audit_entries_have_three_columns_and_the_details_on_their_own_line(client, auth, create_user):
    auth.login(create_user(Role.AUDITOR))  # the login itself is an entry
    html = client.get("/audit/").get_data(as_text=True)
    table = re.search(r'<table class="table table-compact audit-entries">.*?</table>', html, re.S).group(0)
    assert len(re.findall(r"<th scope=\"col\">", table)) == 3
    assert re.search(r'<tr class="entry-details">\s*<td colspan="3" class="small">Objek: Akun #\d+', table)
