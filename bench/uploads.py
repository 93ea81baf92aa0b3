"""Hostile uploads benchmark: what five huge photos cost a gunicorn worker.

    .venv/bin/python -m bench.uploads            # the attack: refused within 1 s, worker RSS + < 50 MB
    .venv/bin/python -m bench.uploads --allow    # the same photos with the pixel limits raised, to
                                                 # see what decoding them costs (reduced, one at a time)

The attack seen: a supplier not yet verified sent five 6300 × 6300 PNGs (578 KB in all)
in one request to the product photo form: 16 s of a worker and +465 MB RSS.

1. Builds a throw-away SQLite database in a temporary folder (schema from the
   migrations) with one unverified supplier and one draft product.
2. Serves it with gunicorn (one sync worker, PBJ_ENV=development so the session cookie
   travels over plain HTTP) on 127.0.0.1 and a free port.
3. Logs in as the supplier, uploads one small photo (so imports and caches are warm and
   not counted), reads the worker's VmRSS, posts the five big PNGs and prints the
   status, the elapsed seconds, and the worker's VmRSS and VmHWM (peak) growth.

A benchmark, not a test: it asserts nothing. Results are in docs/BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import http.client
import io
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from bench.run import free_port, server_environment, stop_gunicorn, wait_ready

ROOT = Path(__file__).resolve().parent.parent
SIDE, PHOTOS = 6300, 5


def big_png(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side)).save(out, "PNG")
    return out.getvalue()


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 60, 20)).save(out, "JPEG")
    return out.getvalue()


def build(folder: Path, settings: dict) -> tuple[str, str, list[int]]:
    """The database, the instance config, one unverified supplier with two draft products
    (one for the warm-up photo, one for the attack)."""
    import flask_migrate

    from pbj import create_app
    from pbj.extensions import db
    from pbj.models.suppliers import BusinessScale
    from pbj.services import catalogue, suppliers

    config = {"SECRET_KEY": secrets.token_urlsafe(48), "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST_KIB": 8192,
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", **settings}
    (folder / "config.py").write_text("".join(f"{k} = {v!r}\n" for k, v in config.items()))
    app = create_app({"PBJ_ENV": "development", "INSTANCE_PATH": str(folder)})
    email, password = "penyedia@contoh.id", secrets.token_urlsafe(24)
    with app.app_context():
        flask_migrate.upgrade()
        user = suppliers.register_supplier(suppliers.Registration(
            business_name="UMKM Uji Unggah", nib="9" * 13, npwp="9" * 16, scale=BusinessScale.MIKRO, is_cooperative=False,
            is_pkp=False, has_pp55_certificate=True, address="Jl. Uji No. 1", kecamatan="Singkawang Barat",
            region_code="61.72", region_name="Kota Singkawang", phone="0562 631234", contact_name="Pemilik Uji",
            email=email, password=password))
        category = catalogue.create_category(None, "Kopi")
        db.session.flush()
        products = [catalogue.create_product(user, user.org.supplier, catalogue.ProductData(
            category_id=category.id, name=name, unit="bungkus", unit_price=25_000))
            for name in ("Kopi Robusta", "Kopi Arabika")]
        db.session.commit()
        return email, password, [product.id for product in products]


class Client:
    """Just enough of a browser: one cookie jar, form posts with the CSRF token."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 120):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = dict(headers or {})
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, data.decode("utf-8", "replace")
        finally:
            conn.close()

    def csrf(self, path: str) -> str:
        status, html = self.request("GET", path)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path}: {status}, no form token")
        return match.group(1)

    def post_form(self, path: str, fields: dict) -> int:
        from urllib.parse import urlencode

        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})[0]

    def post_files(self, path: str, token: str, name: str, files: list[bytes]) -> tuple[int, str]:
        boundary = secrets.token_hex(16)
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'.encode()]
        for n, data in enumerate(files):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="foto-{n}.png"'
                         f"\r\nContent-Type: image/png\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts),
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def worker_pid(master: int) -> int:
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if re.search(rf"^PPid:\s+{master}$", status.read_text(), re.M):
                return int(status.parent.name)
        except OSError:
            continue
    raise RuntimeError("no gunicorn worker found")


def memory_mib(pid: int) -> dict[str, float]:
    text = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"^{key}:\s+(\d+) kB", text, re.M).group(1)) / 1024 for key in ("VmRSS", "VmHWM")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allow", action="store_true",
                        help="raise the pixel and hourly limits so the photos are decoded and stored")
    args = parser.parse_args()
    settings = {"IMAGE_MAX_PIXELS": 50_000_000, "IMAGE_MAX_PIXELS_PER_REQUEST": 250_000_000} if args.allow else {}
    photos = [big_png(SIDE)] * PHOTOS
    print(f"{PHOTOS} PNGs of {SIDE} × {SIDE} pixels, {sum(map(len, photos)) // 1024} KB in all"
          f"{' (pixel limits raised: --allow)' if args.allow else ''}")

    with tempfile.TemporaryDirectory(prefix="pbj-bench-uploads-") as tmp:
        folder = Path(tmp)
        email, password, (warm_id, product_id) = build(folder, settings)
        port = free_port()
        env = server_environment(PBJ_ENV="development", PBJ_INSTANCE_PATH=str(folder))
        log = open(folder / "gunicorn.log", "w")
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--timeout", "120", "--log-level", "warning", "--chdir", str(ROOT), "app:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            client = Client(port)
            try:
                wait_ready(port, server, 30)
            except RuntimeError:
                print((folder / "gunicorn.log").read_text(), file=sys.stderr)
                raise
            token = client.csrf("/masuk")
            if client.post_form("/masuk", {"csrf_token": token, "email": email, "password": password}) != 303:
                raise RuntimeError("login failed")
            warm_page, page = f"/usaha/produk/{warm_id}", f"/usaha/produk/{product_id}"
            warm, _ = client.post_files(f"{warm_page}/foto", client.csrf(warm_page), "image", [small_jpeg()])
            token = client.csrf(page)
            pid = worker_pid(server.pid)
            before = memory_mib(pid)
            started = time.perf_counter()
            status, html = client.post_files(f"{page}/foto", token, "image", photos)
            elapsed = time.perf_counter() - started
            after = memory_mib(pid)
            errors = re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S) or \
                re.findall(r'class="error-summary".*?<li>(.*?)</li>', html, re.S)
        finally:
            stop_gunicorn(server)
            log.close()

    print(f"warm-up upload of one small photo: HTTP {warm}")
    print(f"the {PHOTOS} big PNGs: HTTP {status} in {elapsed:.3f} s")
    if errors:
        print(f"message: {re.sub(r'<[^>]+>', '', errors[0]).strip()}")
    print(f"worker RSS before {before['VmRSS']:.1f} MiB, after {after['VmRSS']:.1f} MiB: "
          f"+{after['VmRSS'] - before['VmRSS']:.1f} MiB")
    print(f"worker peak RSS (VmHWM) before {before['VmHWM']:.1f} MiB, after {after['VmHWM']:.1f} MiB: "
          f"peak during the request at most +{max(after['VmHWM'] - before['VmRSS'], 0):.1f} MiB over the RSS before")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
