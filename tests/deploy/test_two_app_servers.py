"""Two app servers behind nginx, on PostgreSQL and Redis (issue 16; docs/DEPLOY.md).

Really run: nginx on loopback with the site `flask nginx-config` prints, TLS with a
certificate made for the test, and two gunicorn instances (gunicorn.conf.py,
`PBJ_ENV=production`) each with an instance folder of its own, sharing only the
database, Redis and the upload folder. A visitor speaks to nginx, or to one instance
directly with the headers nginx would add, to show what one instance does holds on the
other.

Runs in the PostgreSQL run of `make test` (`make test-postgres`); needs Debian's nginx
and a Redis server (TEST_REDIS_URL). Without them it skips, in CI it fails.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess  # nosec B404  # the test starts nginx and openssl with argument lists
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from PIL import Image

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.catalogue import ProductImage
from tests import catalogue_helpers as h
from tests.conftest import IN_CI, USE_POSTGRES
from tests.live_http import BIN, ROOT, Answer, Server, Visitor, free_port, send, start_gunicorn, wait_until_up
from tests.redis_helpers import flushed_redis_or_skip, redis_url

HOST = "localhost"

pytestmark = [
    pytest.mark.slow,  # starts nginx and four gunicorn workers
    pytest.mark.skipif(not USE_POSTGRES, reason="several app servers need PostgreSQL: make test-postgres"),
]


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if not found:
        if IN_CI:
            pytest.fail("nginx is not installed, and CI must run this test (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return found


@dataclass
class Cluster:
    nginx: Server
    a: Server
    b: Server
    certificate: Path
    uploads: Path

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.nginx.port}"

    def request(self, server: Server, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> Answer:
        headers = dict(headers or {})
        if not server.https:  # what nginx tells the instance (PROXY_COUNT=1)
            headers.update({"Host": f"{HOST}:{self.nginx.port}", "X-Forwarded-Proto": "https",
                            "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": f"{HOST}:{self.nginx.port}"})
        return send(server, method, path, body, headers, certificate=self.certificate, host=HOST)

    def visitor(self) -> Visitor:
        return Visitor(self.origin, self.request)


@pytest.fixture
def cluster(app, database_uri, tmp_path):
    nginx = _nginx()
    flushed_redis_or_skip()
    db.session.commit()  # the test's own reads end: the servers need the database
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",  # nosec B603, B607
                    "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                    "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True)
    uploads = tmp_path / "shared-uploads"
    front = Server("nginx", free_port(), https=True)
    the = Cluster(front, Server("a", free_port()), Server("b", free_port()), certificate, uploads)
    base_env = {
        "PATH": os.environ.get("PATH", ""), "PBJ_ENV": "production",
        "SECRET_KEY": "two-app-servers-share-this-secret-key-0123456789",
        "DATABASE_URL": database_uri, "REDIS_URL": redis_url(), "UPLOAD_FOLDER": str(uploads),
        "PUBLIC_BASE_URL": the.origin, "PROXY_COUNT": "1", "COMPRESS_RESPONSES": "0",
        "WEB_CONCURRENCY": "2",
    }
    logs, started = [], []
    try:
        for server in (the.a, the.b):
            instance = tmp_path / f"instance-{server.name}"  # nothing in it is shared
            instance.mkdir()
            server.access_log = tmp_path / f"{server.name}-access.log"
            log = tmp_path / f"{server.name}.log"
            logs.append(log)
            started.append(start_gunicorn(server, {**base_env, "PBJ_INSTANCE_PATH": str(instance)}, log))
        site = subprocess.run([str(BIN / "flask"), "--app", "app", "nginx-config",  # nosec B603
                               "--upstream", f"127.0.0.1:{the.a.port}", "--upstream", f"127.0.0.1:{the.b.port}",
                               "--certificate", str(certificate), "--certificate-key", str(key),
                               "--listen", f"127.0.0.1:{front.port}", "--http-listen", "none"],
                              cwd=ROOT, env={**base_env, "PBJ_INSTANCE_PATH": str(tmp_path / "instance-a")},
                              capture_output=True, text=True, check=False)
        assert site.returncode == 0, site.stderr
        (tmp_path / "site.conf").write_text(site.stdout)
        (tmp_path / "nginx.conf").write_text(_main_config(tmp_path))
        logs.append(tmp_path / "nginx-error.log")
        front.process = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),  # nosec B603
                                          "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        started.append(front.process)
        for server in (the.a, the.b, front):
            wait_until_up(server, lambda server=server: the.request(server, "GET", "/healthz"), logs)
        yield the
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _main_config(folder: Path) -> str:
    """nginx's own frame around the site, all in the test's folder."""
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                      "uwsgi", "scgi"))
    user = "user root;" if os.geteuid() == 0 else ""  # the test's folder is readable by its owner only
    return f"""{user}
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'nginx-error.log'};
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    {temp}
    include {folder / 'site.conf'};
}}
"""


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(out, "JPEG", quality=85)
    return out.getvalue()


def _count(page: Answer) -> int:
    return int(re.search(r'class="result-count"><strong>([0-9.]+)', page.text).group(1).replace(".", ""))


def test_what_one_app_server_does_holds_on_the_other(cluster, create_user, create_supplier):
    pp = create_user(Role.PP)
    email = pp.email
    a, b, front = cluster.a, cluster.b, cluster.nginx
    db.session.commit()

    # A login on one instance is valid on the other.
    first = cluster.visitor()
    assert first.log_in(a, email).status == 303
    account = first.get(b, "/akun")
    assert account.status == 200 and email in account.text
    # ... and through nginx, which takes turns between them.
    for _ in range(4):
        assert first.get(front, "/pesanan").status == 200
    served = a.lines_for("/pesanan", 2) + b.lines_for("/pesanan", 2)
    assert len(served) == 4 and all('" 200 ' in line for line in served)

    # Signing out on one instance ends the user's other sessions on the other.
    second = cluster.visitor()
    assert second.log_in(b, email).status == 303
    assert second.get(a, "/meja").status == 200
    assert first.post(a, "/keluar", {"csrf_token": first.token(a, "/meja")}).status == 303
    ended = second.get(b, "/meja")
    assert ended.status in (302, 303) and "/masuk" in ended.headers["Location"]


def test_a_login_throttle_counts_the_attempts_on_both(cluster, create_user):
    pp = create_user(Role.PP)
    email = pp.email
    db.session.commit()
    visitor = cluster.visitor()
    # 5 wrong passwords per account and address in 15 minutes (LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS),
    # taking turns: neither instance sees more than three of them itself.
    for server in (cluster.a, cluster.b, cluster.a, cluster.b, cluster.a):
        refused = visitor.log_in(server, email, "not-the-password")
        assert refused.status == 422 and "/masuk" not in refused.headers.get("Location", "")
    waiting = visitor.log_in(cluster.b, email)  # the right password, on the other instance
    assert waiting.status == 429
    assert waiting.headers["Retry-After"]
    assert visitor.get(cluster.a, "/meja").status in (302, 303)  # not signed in
    assert redis.Redis.from_url(redis_url()).keys("*")  # counted in Redis (REDIS_URL), not per process


def test_a_photo_uploaded_through_one_is_served_through_the_other_and_by_nginx(cluster, create_user,
                                                                               create_supplier):
    admin = create_user(Role.ADMIN)
    supplier = create_supplier("UMKM Kopi Pasar Hongkong")
    product = h.product(supplier, admin, "Kopi Bubuk Singkawang Istimewa")
    product_id, email = product.id, supplier.email
    before = {image.large_name for image in product.images}
    db.session.commit()

    visitor = cluster.visitor()
    assert visitor.log_in(cluster.a, email).status == 303
    token = visitor.token(cluster.a, f"/usaha/produk/{product_id}")
    photo = _jpeg()
    added = visitor.post(cluster.a, f"/usaha/produk/{product_id}/foto", {"csrf_token": token},
                         {"image": ("kopi.jpg", photo, "image/jpeg")})
    assert added.status == 303, added.text[:500]

    db.session.expire_all()
    image = db.session.scalar(sa.select(ProductImage).where(ProductImage.product_id == product_id,
                                                            ProductImage.large_name.not_in(before)))
    assert image is not None
    stored = (cluster.uploads / "products" / image.large_name).read_bytes()
    path = f"/gambar/{image.large_name}"

    through_b = cluster.visitor().get(cluster.b, path)  # the app's own route on the other instance
    assert through_b.status == 200 and through_b.body == stored
    assert len(cluster.b.lines_for(path, 1)) == 1

    through_nginx = cluster.visitor().get(cluster.nginx, path)  # nginx reads the shared folder itself
    assert through_nginx.status == 200 and through_nginx.body == stored
    assert through_nginx.headers["Content-Type"] == "image/jpeg"
    assert through_nginx.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(cluster.a.lines_for(path, 0)) == 0 and len(cluster.b.lines_for(path, 0)) == 1
    # Anything else under /gambar/ is the app's to refuse.
    assert cluster.visitor().get(cluster.nginx, "/gambar/..%2fapp.py").status == 404


def test_a_product_change_through_one_moves_the_counts_on_both(cluster, create_user, create_supplier):
    admin = create_user(Role.ADMIN)
    supplier = create_supplier("UMKM Anyaman Roban")
    products = [h.product(supplier, admin, f"Tikar Anyaman Pandan {n}") for n in range(3)]
    gone, email = products[0].id, supplier.email
    db.session.commit()
    page = "/katalog?q=anyaman"
    visitor = cluster.visitor()
    for server in (cluster.a, cluster.b, cluster.a, cluster.b):  # counted, then kept, on both
        assert _count(visitor.get(server, page)) == 3

    assert visitor.log_in(cluster.a, email).status == 303
    token = visitor.token(cluster.a, f"/usaha/produk/{gone}")
    assert visitor.post(cluster.a, f"/usaha/produk/{gone}/arsipkan", {"csrf_token": token}).status == 303

    anonymous = cluster.visitor()
    for server in (cluster.b, cluster.a, cluster.nginx):
        seen = anonymous.get(server, page)
        assert _count(seen) == 2 and f"/katalog/produk/{gone}" not in seen.text


def test_nginx_serves_static_files_and_compresses_pages(cluster):
    visitor = cluster.visitor()
    home = visitor.get(cluster.nginx, "/katalog")
    css = re.search(r'href="(/static/css/[^"]+\?v=[^"]+)"', home.text).group(1).replace("&amp;", "&")
    versioned = visitor.get(cluster.nginx, css, **{"Accept-Encoding": "gzip"})
    assert versioned.status == 200
    assert versioned.headers["Content-Encoding"] == "gzip" and b"{" in versioned.body
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in versioned.headers["Vary"]
    plain = visitor.get(cluster.nginx, css.split("?")[0])
    assert plain.headers["Cache-Control"] == "no-cache"
    assert not cluster.a.lines_for(css, 0) and not cluster.b.lines_for(css, 0)  # nginx served them

    # Pages: the app does not compress (COMPRESS_RESPONSES=0), nginx does.
    page = visitor.get(cluster.nginx, "/katalog", **{"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and "<html" in page.text
    direct = visitor.get(cluster.a, "/katalog", **{"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in direct.headers
    # ... except a page another site asks for (BREACH: docs/SECURITY.md).
    cross = visitor.get(cluster.nginx, "/katalog", **{"Accept-Encoding": "gzip", "Sec-Fetch-Site": "cross-site"})
    assert cross.status == 200 and "Content-Encoding" not in cross.headers and "<html" in cross.text
    # htmx comes from the app through nginx, compressed and kept for a year.
    htmx = re.search(r'src="(/static/vendor/htmx\.min\.js\?v=[^"]+)"', home.text).group(1)
    script = visitor.get(cluster.nginx, htmx, **{"Accept-Encoding": "gzip"})
    assert script.status == 200 and script.headers["Content-Encoding"] == "gzip"
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
