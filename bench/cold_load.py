"""Bytes a browser with an empty cache transfers to show the catalogue.

    .venv/bin/python -m bench.cold_load              # demo catalogue, 300 products
    .venv/bin/python -m bench.cold_load --db instance/pbj.sqlite3   # an existing database

Requests `GET /katalog` anonymously, then every stylesheet and script the page links
to, as a browser on a slow link asks (`Accept-Encoding: gzip`; brotli is printed
beside it), and prints each answer's size on the wire (headers + body) and the total
against the budget of issue 12: 40 KB for HTML + CSS + JS. Thumbnails are printed
too but not counted (the budget is for what blocks the first paint; they load lazily).

In-process through Flask's test client on a throwaway database seeded by the demo
code (or a copy of `--db`): what is compressed and how is the same as under
gunicorn, and the numbers do not depend on the machine's speed. A benchmark, not a
test: it asserts nothing. The figures of a run are in docs/BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import tempfile
from pathlib import Path

BUDGET_BYTES = 40 * 1024
ASSETS = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')
IMAGES = re.compile(r'<img[^>]+src="([^"]+)"')


def wire_size(response) -> int:
    """Status line, headers and body as HTTP/1.1 sends them."""
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in response.headers.items())
    return len(head.encode()) + 2 + len(response.get_data())


def build_app(db: str | None, products: int):
    from flask_migrate import upgrade

    from pbj import create_app, demo
    from pbj.extensions import db as database

    folder = Path(tempfile.mkdtemp(prefix="pbj-cold-load-"))
    path = folder / "cold.sqlite3"
    if db:
        shutil.copy(db, path)
    app = create_app({"PBJ_ENV": "production", "SECRET_KEY": "cold-load-benchmark-" + "x" * 32,
                      "PUBLIC_BASE_URL": "http://localhost", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "INSTANCE_PATH": str(folder), "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
        if not db:
            demo.seed(random.Random(61_72), products=products, orders=0)  # nosec B311  # demo data
            database.session.commit()
    return app, folder


def measure(app, encoding: str) -> list[tuple[str, str, int, int]]:
    """(kind, url, bytes on the wire, bytes uncompressed) for the page and what it links."""
    rows = []
    client = app.test_client()
    headers = {"Accept-Encoding": encoding, "Sec-Fetch-Site": "none"}
    page = client.get("/katalog", headers=headers)
    html = decoded(page)
    rows.append(("html", "/katalog", wire_size(page), len(html)))
    for url in ASSETS.findall(html):
        answer = client.get(url.replace("&amp;", "&"), headers={**headers, "Sec-Fetch-Site": "same-origin"})
        rows.append(("css" if ".css" in url else "js", url, wire_size(answer), len(decoded(answer))))
    for url in IMAGES.findall(html)[:40]:
        answer = client.get(url.replace("&amp;", "&"), headers={**headers, "Sec-Fetch-Site": "same-origin"})
        rows.append(("img", url, wire_size(answer), len(answer.get_data())))
    return rows


def decoded(response) -> str:
    import gzip

    import brotli

    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        data = gzip.decompress(data)
    elif encoding == "br":
        data = brotli.decompress(data)
    return data.decode("utf-8", "replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing SQLite database (copied, not changed)")
    parser.add_argument("--products", type=int, default=300, help="demo products when no --db")
    args = parser.parse_args()
    app, folder = build_app(args.db, args.products)
    try:
        for encoding in ("gzip", "br", "identity"):
            rows = measure(app, encoding)
            counted = [r for r in rows if r[0] != "img"]
            total = sum(r[2] for r in counted)
            print(f"\nAccept-Encoding: {encoding}")
            for kind, url, wire, raw in rows:
                if kind != "img":
                    print(f"  {kind:4} {wire:>8,} B on the wire ({raw:>8,} B uncompressed)  {url}")
            images = [r for r in rows if r[0] == "img"]
            print(f"  img  {sum(r[2] for r in images):>8,} B for {len(images)} thumbnails (not counted)")
            verdict = "within" if total <= BUDGET_BYTES else "OVER"
            print(f"  HTML + CSS + JS: {total:,} B = {total / 1024:.1f} KB, {verdict} the 40 KB budget")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
