"""One URL, two representations: the admin supplier list with htmx search."""
import pytest

from pbj.models.accounts import Role

HX = {"HX-Request": "true"}


@pytest.fixture
def admin_client(client, auth, create_user, create_supplier):
    create_supplier("Keramik Naga Sakkok", with_document=True)
    create_supplier("Katering Bu Siti", with_document=True)
    auth.login(create_user(Role.ADMIN))
    return client


def test_without_htmx_the_whole_page_comes(admin_client):
    response = admin_client.get("/admin/penyedia?q=keramik")
    assert response.status_code == 200
    assert b"<html" in response.data and b'id="supplier-list"' in response.data
    assert b"Keramik Naga Sakkok" in response.data and b"Katering Bu Siti" not in response.data
    assert "HX-Request" in response.headers.get("Vary", "")


def test_htmx_gets_only_the_results_fragment(admin_client):
    response = admin_client.get("/admin/penyedia?q=katering", headers=HX)
    assert response.status_code == 200
    body = response.data
    assert not body.lstrip().startswith(b"<!doctype") and b"<html" not in body
    assert body.lstrip().startswith(b'<div id="supplier-list">')
    assert b"Katering Bu Siti" in body and b"Keramik Naga Sakkok" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_full_page(admin_client):
    response = admin_client.get("/admin/penyedia?q=katering",
                                headers={**HX, "HX-History-Restore-Request": "true"})
    assert b"<html" in response.data and b"Katering Bu Siti" in response.data


def test_search_text_is_not_a_pattern(admin_client):
    response = admin_client.get("/admin/penyedia?q=%25", headers=HX)  # a literal "%"
    assert response.status_code == 200
    assert b"Keramik" not in response.data and b"Katering" not in response.data
