"""`flask nginx-config`: the site nginx serves the app with (docs/DEPLOY.md). It is run for
real by tests/deploy/test_two_app_servers.py; here, what it is made of and what it refuses."""
from __future__ import annotations

import pytest

from pbj.services.uploads import upload_root

CERTS = ["--certificate", "/etc/ssl/pbj/fullchain.pem", "--certificate-key", "/etc/ssl/pbj/privkey.pem"]


def test_the_site_uses_the_apps_folders_limits_and_public_name(app, runner):
    app.config["PUBLIC_BASE_URL"] = "https://ekatalog.singkawangkota.go.id"
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    result = runner.invoke(args=["nginx-config", "--upstream", "10.0.0.11:5000", "--upstream", "10.0.0.12:5000",
                                 *CERTS])
    assert result.exit_code == 0, result.output
    site = result.output
    assert "server_name ekatalog.singkawangkota.go.id;" in site
    assert "server 10.0.0.11:5000 max_fails=1" in site and "server 10.0.0.12:5000 max_fails=1" in site
    assert f"alias {app.static_folder}/;" in site
    assert f"alias {upload_root().resolve()}/products/$pbj_photo;" in site
    assert "client_max_body_size 6m;" in site  # one MiB above the app's: the app explains a too-large file
    assert "listen 443 ssl http2;" in site and "return 301 https://$host$request_uri;" in site
    assert "ssl_certificate /etc/ssl/pbj/fullchain.pem;" in site


@pytest.mark.parametrize("args, message", [
    (["--server-name", "ekatalog.go.id; include /etc/passwd"], "is not a host name"),
    (["--upstream", "127.0.0.1:5000;evil"], "is not an address and port"),
    (["--listen", "443 ssl; root /"], "is not an address and port"),
    (["--certificate", "cert.pem"], "--certificate must be an absolute path"),
    (["--certificate-key", "/etc/ssl/key file.pem"], "--certificate-key must be an absolute path"),
], ids=["server name", "upstream", "listen", "relative certificate", "space in key path"])
def test_a_value_that_would_change_the_configuration_is_refused(app, runner, args, message):
    app.config["PUBLIC_BASE_URL"] = "https://ekatalog.singkawangkota.go.id"
    base = {"--upstream": "127.0.0.1:5000", "--certificate": CERTS[1], "--certificate-key": CERTS[3]}
    given = dict(zip(args[::2], args[1::2]))
    argv = [part for key, value in {**base, **given}.items() for part in (key, value)]
    result = runner.invoke(args=["nginx-config", *argv])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert "server {" not in result.output


def test_without_a_public_name_it_asks_for_one(app, runner):
    app.config["PUBLIC_BASE_URL"] = ""
    result = runner.invoke(args=["nginx-config", "--upstream", "127.0.0.1:5000", *CERTS])
    assert result.exit_code == 1 and "--server-name" in result.output
