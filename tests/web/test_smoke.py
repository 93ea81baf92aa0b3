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
