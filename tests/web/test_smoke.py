import re

from pbj.models.accounts import Role


def test_home_page_is_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="id">' in response.data


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"
    assert response.json["version"]


def test_login_and_account_page(client, auth, create_user):
    user = create_user(Role.PP)
    response = auth.login(user)
    assert response.status_code == 303
    page = client.get("/akun")
    assert page.status_code == 200
    assert user.email.encode() in page.data


def test_the_site_icon_is_ours_and_every_page_links_it(client):
    page = client.get("/katalog").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)[1]
    linked = client.get(href)
    assert linked.status_code == 200 and linked.mimetype == "image/svg+xml"
    # Clients that ask the old address without reading the page get the same icon.
    asked = client.get("/favicon.ico")
    assert asked.status_code == 200
    assert asked.mimetype == "image/svg+xml"
    assert asked.data == linked.data and asked.data.startswith(b"<svg ")
    assert len(asked.data) < 1024  # tiny: it comes with the first page
    assert "max-age=86400" in asked.headers["Cache-Control"]
