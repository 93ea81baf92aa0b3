"""Host header poisoning: absolute links come from PUBLIC_BASE_URL, unknown hosts get 400."""
from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from pbj import ConfigurationError, create_app
from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role
from pbj.models.audit import AuditEntry
from pbj.services import notifications
from pbj.urls import absolute_url

PUBLIC = "https://ekatalog.contoh.go.id"


def _mails(app) -> list[email.message.EmailMessage]:
    outbox = Path(app.instance_path, "outbox")
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(outbox.glob("*.eml"))] if outbox.exists() else []


def _link(message) -> str:
    return next(line.strip() for line in message.get_content().splitlines() if "://" in line)


def test_reset_request_for_a_poisoned_host_is_400_and_sends_nothing(app, client, create_user):
    user = create_user(Role.PP)
    response = client.post("/lupa-sandi", data={"email": user.email}, headers={"Host": "attacker.example"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<footer class="site-footer">' in html and "Traceback" not in html  # the layout's error page
    assert "attacker.example" not in html
    assert _mails(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "auth.password_reset_requested")) == 0


def test_poisoned_forwarded_host_behind_the_proxy_is_400(make_app, create_user):
    user = create_user(Role.PP)
    email_address = user.email
    proxied = make_app(PROXY_COUNT=1, PUBLIC_BASE_URL=PUBLIC)
    with proxied.app_context():
        response = proxied.test_client().post(
            "/lupa-sandi", data={"email": email_address},
            headers={"Host": "ekatalog.contoh.go.id", "X-Forwarded-Host": "attacker.example"})
    assert response.status_code == 400
    assert _mails(proxied) == []


def test_reset_link_behind_the_proxy_uses_public_base_url(make_app, create_user):
    """Even for a trusted alias in X-Forwarded-Host, the link names the public address."""
    user = create_user(Role.PP)
    email_address = user.email
    proxied = make_app(PROXY_COUNT=1, PUBLIC_BASE_URL=PUBLIC,
                       TRUSTED_HOSTS=["ekatalog.contoh.go.id", "ekatalog.intranet"])
    with proxied.app_context():
        response = proxied.test_client().post(
            "/lupa-sandi", data={"email": email_address},
            headers={"Host": "127.0.0.1:5000", "X-Forwarded-Host": "ekatalog.intranet",
                     "X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 303
    [message] = _mails(proxied)
    assert message["To"] == email_address
    assert _link(message).startswith(f"{PUBLIC}/atur-ulang-sandi/")


def test_welcome_mail_link_uses_public_base_url(make_app, create_user, create_org):
    admin = create_user(Role.ADMIN)
    opd = create_org(OrgKind.OPD)
    admin_email, opd_id = admin.email, opd.id
    other = make_app(PUBLIC_BASE_URL=PUBLIC, TRUSTED_HOSTS=["localhost"])
    with other.app_context():
        client = other.test_client()
        assert client.post("/masuk", data={"email": admin_email, "password": "kata-sandi-uji-123"}).status_code == 303
        response = client.post("/admin/pengguna", data={"name": "Pegawai Baru", "email": "baru@contoh.go.id",
                                                        "role": "pp", "org_id": opd_id})
    assert response.status_code == 303
    [message] = _mails(other)
    assert _link(message).startswith(f"{PUBLIC}/atur-ulang-sandi/")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.1:5000", "localhost:5000"])
def test_local_hosts_are_served_outside_production(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_production_serves_only_the_public_host(make_app):
    production = make_app(PBJ_ENV="production", PUBLIC_BASE_URL=PUBLIC)
    assert production.config["TRUSTED_HOSTS"] == ["ekatalog.contoh.go.id"]
    with production.app_context():
        client = production.test_client()
        assert client.get("/", headers={"Host": "ekatalog.contoh.go.id"}).status_code == 200
        assert client.get("/", headers={"Host": "localhost"}).status_code == 400
        assert client.get("/healthz", headers={"Host": "evil.ekatalog.contoh.go.id"}).status_code == 400


def test_order_mail_link_uses_public_base_url_with_its_path(app):
    app.config["PUBLIC_BASE_URL"] = "https://pemkot.contoh.go.id/ekatalog"
    subject, body = notifications.message_for(42, "order.submitted")
    assert "https://pemkot.contoh.go.id/ekatalog/pesanan/42" in body
    assert absolute_url("documents.verify", code="abc") == "https://pemkot.contoh.go.id/ekatalog/dokumen/abc"


def test_production_refuses_to_start_without_public_base_url(tmp_path, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "production", "SECRET_KEY": "k" * 40})


@pytest.mark.parametrize("url", ["ekatalog.contoh.go.id", "ftp://ekatalog.contoh.go.id", "https://",
                                 "https://ekatalog.contoh.go.id/?a=1"])
def test_malformed_public_base_url_is_refused(tmp_path, url):
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "production", "SECRET_KEY": "k" * 40,
                    "PUBLIC_BASE_URL": url})


def test_trusted_hosts_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "ekatalog.contoh.go.id, ekatalog.intranet")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "production", "SECRET_KEY": "k" * 40,
                      "PUBLIC_BASE_URL": PUBLIC})
    assert app.config["TRUSTED_HOSTS"] == ["ekatalog.contoh.go.id", "ekatalog.intranet"]
