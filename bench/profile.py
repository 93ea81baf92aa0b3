"""Where a catalogue request spends its time: a sampling profile, summed by area.

    .venv/bin/python -m bench.profile                        # /katalog on bench/results/bench.sqlite3
    .venv/bin/python -m bench.profile "/katalog?hal=200" --requests 100
    .venv/bin/python -m bench.profile /katalog --html profile.html   # pyinstrument's own page too

In-process through Flask's test client (production settings, anonymous visitor,
no cookie kept: every request is a first visit, as under `wrk`; or, with `--as-pp`, the
bench's PP with 50 open orders), on a database
built by bench/build_db.py (`make bench` builds it). Prints the CPU time per
request of `/healthz` and of each URL without the profiler, then profiles
`--requests` requests of each URL with pyinstrument and adds its samples up:

* by area: each sample goes to the innermost area on its stack (a translation
  inside a card counts for the cards), so the areas add up to the whole;
* across areas: work that happens everywhere (translations, number formatting,
  `url_for`, SQL), each counted once even when nested, so these overlap the areas.

Sampling is wall-clock time: on a busy machine every share is still right, the
milliseconds are not, which is why the CPU times come from a separate run.
Like every benchmark here, it asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench.build_db import DEFAULT_DB, ROOT, instance_dir

# (area, test on a frame): the innermost frame on a sample's stack that passes a test
# names the sample's area. Jinja's compiled templates keep their file names: a block
# is a function `block_<name>`, a macro a function `macro`.
AREAS = [
    ("render: product cards", lambda fn, path: fn == "macro" and path.endswith("macros/catalogue.html")),
    ("render: category tree, labels, sort (filters)",
     lambda fn, path: path.endswith("catalogue/index.html") and fn in ("block_filters", "macro")),
    ("render: results block (count, pager, oob counts)", lambda fn, path: fn == "block_results"),
    ("render: search form and filters (category tree)",
     lambda fn, path: fn == "block_content" and path.endswith("catalogue/index.html")),
    ("render: base layout (header, footer, CSRF)", lambda fn, path: path.endswith("templates/base.html")),
    ("render: other templates", lambda fn, path: "/pbj/templates/" in path),
    ("render: Jinja/Flask set-up", lambda fn, path: fn in ("render_template", "render_block", "render")
     and ("flask" in path or "jinja2_fragments" in path or "pbj/web/htmx" in path)),
    ("search: load the page's products (ORM)", lambda fn, path: fn == "_load" and path.endswith("search.py")),
    ("search: hidden suppliers, version, facets, page ids",
     lambda fn, path: fn == "search" and path.endswith("services/search.py")),
    ("parse_query (category by slug)", lambda fn, path: fn == "parse_query"),
    ("category tree (ORM load)", lambda fn, path: fn == "category_tree"),
    ("page cache (key, look-up)", lambda fn, path: "pbj/web/page_cache" in path),
    ("view: other", lambda fn, path: "pbj/blueprints/" in path),
    ("session cookie (open, save)", lambda fn, path: fn in ("open_session", "save_session")),
    ("request hooks (user, session timeouts, limits)", lambda fn, path: fn == "preprocess_request"),
    ("response hooks (headers, compression)", lambda fn, path: fn == "process_response"),
]

# Work found in every area: each counted once per sample (the outermost such frame).
ACROSS = [
    ("translations (gettext, lazy strings)",
     lambda fn, path: "flask_babel" in path or (fn in ("gettext", "ngettext", "__str__", "__html__")
                                                 and "pbj/messages" in path)),
    ("numbers (babel format_decimal: rupiah)", lambda fn, path: fn == "format_decimal"),
    ("url_for", lambda fn, path: fn == "url_for"),
    ("CSRF token and htmx key", lambda fn, path: fn in ("generate_csrf", "element_key")),
    ("SQLAlchemy + SQLite (all queries)", lambda fn, path: "/sqlalchemy/" in path),
    ("escaping (markupsafe)", lambda fn, path: "markupsafe" in path),
]


def make_app(db_path: Path):
    """The app as gunicorn serves it in the benchmark: production settings."""
    from pbj import create_app

    return create_app({
        "PBJ_ENV": "production",
        "SECRET_KEY": "p" * 48,
        "PUBLIC_BASE_URL": "https://localhost",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "INSTANCE_PATH": str(instance_dir(db_path)),
    })


def log_in(client) -> None:
    import re

    from bench.run import BUYER_EMAIL, BUYER_PASSWORD

    form = client.get("/masuk", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = client.post("/masuk", base_url="https://localhost",
                         data={"email": BUYER_EMAIL, "password": BUYER_PASSWORD, "csrf_token": token},
                         headers={"Referer": "https://localhost/masuk"})  # CSRF checks it over HTTPS
    if answer.status_code != 303:
        raise SystemExit(f"log-in as {BUYER_EMAIL} answered {answer.status_code}: run `make bench` first")


def cpu_ms_per_request(client, url: str, requests: int) -> float:
    t0 = time.process_time()
    for _ in range(requests):
        client.get(url, base_url="https://localhost")
    return (time.process_time() - t0) * 1000 / requests


def summarise(root) -> tuple[dict[str, float], dict[str, float], float]:
    by_area: dict[str, float] = {}
    across: dict[str, float] = {}

    def walk(frame, area: str, inside: frozenset):
        fn, path = frame.function or "", frame.file_path or ""  # synthetic frames have neither
        for name, test in AREAS:
            if test(fn, path):
                area = name
                break
        own = frame.time - sum(child.time for child in frame.children)
        by_area[area] = by_area.get(area, 0.0) + own
        for name, test in ACROSS:
            if name not in inside and test(fn, path):
                across[name] = across.get(name, 0.0) + frame.time
                inside = inside | {name}
        for child in frame.children:
            walk(child, area, inside)

    walk(root, "Flask, Werkzeug, test client", frozenset())
    return by_area, across, root.time


def main(argv: list[str] | None = None) -> None:
    from pyinstrument import Profiler

    parser = argparse.ArgumentParser(description="Profile catalogue requests (docs/BENCHMARKS.md).")
    parser.add_argument("urls", nargs="*", default=["/katalog"])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--requests", type=int, default=50, help="profiled requests per URL")
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling interval, seconds")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's page of the last URL")
    parser.add_argument("--as-pp", action="store_true",
                        help="signed in as the bench's busy PP (made by `make bench`: bench.run.prepare_buyer)")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if not args.db.exists():
        raise SystemExit(f"{args.db} is missing: run `make bench` (or python -m bench.build_db) first.")
    app = make_app(args.db.resolve())
    print("Load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    with app.test_client(use_cookies=args.as_pp) as client:
        if args.as_pp:
            log_in(client)
        for url in ["/healthz", *args.urls]:
            for _ in range(5):  # imports, template compilation, caches
                client.get(url, base_url="https://localhost")
        healthz = cpu_ms_per_request(client, "/healthz", max(args.requests, 200))
        print(f"/healthz: {healthz:.2f} ms CPU per request")
        for url in args.urls:
            response = client.get(url, base_url="https://localhost")
            cpu = cpu_ms_per_request(client, url, args.requests)
            print(f"\n{url}: HTTP {response.status_code}, {len(response.data):,} bytes, {cpu:.1f} ms CPU per "
                  f"request ({cpu / healthz:.1f} × /healthz)")
            profiler = Profiler(interval=args.interval)
            profiler.start()
            for _ in range(args.requests):
                client.get(url, base_url="https://localhost")
            profiler.stop()
            by_area, across, total = summarise(profiler.last_session.root_frame())
            print(f"  {args.requests} requests profiled, {profiler.last_session.sample_count:,} samples "
                  f"(wall clock, profiler included: {total * 1000 / args.requests:.1f} ms per request)")
            print(f"  {'by area (adds up to 100 %)':<52} {'share':>6} {'≈ CPU ms':>9}")
            for name, seconds in sorted(by_area.items(), key=lambda kv: -kv[1]):
                if seconds / total >= 0.005:
                    print(f"  {name:<52} {seconds / total:>6.1%} {cpu * seconds / total:>9.2f}")
            print(f"  {'across areas (overlapping the above)':<52}")
            for name, seconds in sorted(across.items(), key=lambda kv: -kv[1]):
                print(f"  {name:<52} {seconds / total:>6.1%} {cpu * seconds / total:>9.2f}")
            if args.html:
                args.html.write_text(profiler.output_html())
    print("\nLoad average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
