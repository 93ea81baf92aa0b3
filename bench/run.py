"""Catalogue benchmark: one command, prints everything it measures.

    .venv/bin/python -m bench.run            # or: make bench
    .venv/bin/python -m bench.run --products 1000000 --db bench/results/bench-1m.sqlite3
    .venv/bin/python -m bench.run --db postgresql://user@host/dbname   # the same data on PostgreSQL

With a PostgreSQL URL as `--db`, the SQLite bench database (`--source`, built first if
missing) is copied there (bench/postgres.py: the database's `public` schema is emptied,
migrated, and filled table by table) unless it already holds as many products; the
same measurements then run on PostgreSQL, the app's tsvector + GIN search included.

1. Builds the benchmark database if it is missing or lacks an index the models
   declare (`--rebuild` to force; see bench/build_db.py).
2. In-process: a fixed mix of catalogue queries through `parse_query` +
   `search`, each run `--warmup` times and then `--repeat` times, every call
   in a fresh `db.session` (removed afterwards, as at the end of a request) and
   read-only like a GET request. Prints p50/p95 per query, the overall p95
   against the budget (25 ms at 100k products, 100 ms at 1M), the same with the
   facet cache emptied before each call ("cold"), the time of each SQL
   statement on its own, and the number of SQL statements each search ran.
3. HTTP: serves the same database with gunicorn (2 workers) on 127.0.0.1,
   measures requests per second for `GET /katalog` and for `GET /healthz` (a
   trivial endpoint of the same app) in the same run, prints the ratio, the
   gzip size of the first catalogue page (budget 14 KB) and the RSS of each
   worker after the load (budget 150 MB). Load comes from `wrk` when it is
   installed, else from Python threads; bounded in time either way. gunicorn is
   stopped at the end.

This is a benchmark, not a test: it asserts nothing and never fails on a slow
machine. The numbers of a run are in docs/BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import threading
import time
from pathlib import Path

from bench.build_db import DEFAULT_DB, RESULTS, ROOT, instance_dir
from bench.postgres import is_postgres

PG_INSTANCE = "bench-postgresql"  # the folder under bench/results of a PostgreSQL run's server


def open_app(target):
    """The app on a bench database: a SQLite file (Path) or a PostgreSQL URL (str)."""
    if is_postgres(target):
        from bench.postgres import postgres_app

        return postgres_app(target, PG_INSTANCE)
    from bench.build_db import make_app

    return make_app(target)


def target_folder(target) -> Path:
    """The instance folder of a bench database's server."""
    return RESULTS / f"{PG_INSTANCE}.instance" if is_postgres(target) else instance_dir(target)

# (label, URL parameters). Fixed: changing it changes what the numbers mean.
QUERIES: list[tuple[str, list[tuple[str, str]]]] = [
    ("first page (no filter)", []),
    ("text: kopi", [("q", "kopi")]),
    ("prefix: kop", [("q", "kop")]),
    ("two words: kertas a4", [("q", "kertas a4")]),
    ("category (top): makanan-minuman", [("kategori", "makanan-minuman")]),
    ("sub-category: kertas-dan-buku", [("kategori", "kertas-dan-buku")]),
    ("category + label tkdn40", [("kategori", "alat-tulis-kantor"), ("label", "tkdn40")]),
    ("price 50.000-150.000", [("harga_min", "50000"), ("harga_maks", "150000")]),
    ("labels umk + lokal", [("label", "umk"), ("label", "lokal")]),
    ("in stock (stok=1)", [("stok", "1")]),
    ("sort termurah", [("urut", "termurah")]),
    ("sort termahal", [("urut", "termahal")]),
    ("sort terbaru", [("urut", "terbaru")]),
    ("sort relevan + q=kursi", [("q", "kursi"), ("urut", "relevan")]),
    ("deep page hal=200", [("hal", "200")]),
    ("text + filters + sort", [("q", "batik"), ("label", "lokal"), ("stok", "1"), ("urut", "termurah")]),
    ("no hits: q=zzxqvw", [("q", "zzxqvw")]),
    ("punctuation: \"(kopi\" AND NEAR*", [("q", '"(kopi" AND NEAR*')]),
]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def code_version() -> str:
    """The commit measured, and whether the application code differs from it."""
    try:
        commit = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "pbj", "migrations"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return commit + (" + uncommitted changes in pbj/ or migrations/" if dirty else "")


def machine(target=None) -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu or platform.machine()}), Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}{postgres_version(target)}, {platform.system()} {platform.release()}")


def postgres_version(target) -> str:
    if not is_postgres(target):
        return ""
    import sqlalchemy as sa

    from pbj.extensions import db

    app = open_app(target)
    with app.app_context():
        version = db.session.scalar(sa.text("SHOW server_version"))
        db.session.remove()
    return f" (not used), PostgreSQL {version} (measured)"


# -- In-process ------------------------------------------------------------------------------

def run_in_process(db_path, repeat: int, warmup: int, explain: bool, breakdown_runs: int = 5,
                   cold_repeat: int = 10, broad: bool = True) -> dict:
    import sqlalchemy as sa
    from werkzeug.datastructures import MultiDict

    from pbj.database import read_only
    from pbj.extensions import db
    from pbj.models.catalogue import Product, ProductStatus
    from pbj.services.search import parse_query, search
    from pbj.clock import city_today

    app = open_app(db_path)
    statements: list[str] = []

    with app.app_context():
        engine = db.engine

        @sa.event.listens_for(engine, "before_cursor_execute")
        def count(conn, cursor, statement, parameters, context, executemany):
            if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE"):
                statements.append(statement)

        total = db.session.scalar(sa.select(sa.func.count()).select_from(Product))
        published = db.session.scalar(sa.select(sa.func.count()).select_from(Product)
                                      .where(Product.status == ProductStatus.PUBLISHED))
        db.session.remove()
        budget = 25.0 if total <= 200_000 else 100.0
        today = city_today()
        rows = []
        import pbj.services.search as search_module

        # The facet counts are cached per process (keyed by the catalogue's version); the timed
        # calls after the warm-up hit that cache. "cold" calls empty it first: the cost of the
        # first request for a search after any product changed.
        facet_cache = getattr(search_module, "_FACET_CACHE", None)

        def one_call(args):
            statements.clear()
            with read_only():  # a GET request begins DEFERRED, like the web layer does
                t0 = time.perf_counter()
                results = search(parse_query(args), today)
                db.session.remove()
                elapsed = time.perf_counter() - t0
            return elapsed * 1000, results, len(statements)

        for label, params in QUERIES:
            args = MultiDict(params)
            samples, cold, counts = [], [], set()
            for i in range(warmup + repeat):
                elapsed, results, n = one_call(args)
                if i >= warmup:
                    samples.append(elapsed)
                    counts.add(n)
            if facet_cache is not None:
                for _ in range(cold_repeat):
                    facet_cache.clear()
                    elapsed, results, n = one_call(args)
                    cold.append(elapsed)
                    counts.add(n)
            if facet_cache is not None:
                facet_cache.clear()  # so the capture sees the facet statement too
            captured = _capture(db, args, today, parse_query, search)
            rows.append({"label": label, "p50": percentile(samples, 50), "p95": percentile(samples, 95),
                         "max": max(samples), "cold_p50": percentile(cold, 50) if cold else None,
                         "statements": sorted(counts), "hits": results.facets.total,
                         "samples": samples, "cold": cold,
                         "sql": _breakdown(db, captured, breakdown_runs) if breakdown_runs else {}})
            if explain:
                _explain(db, captured, label)
        mix = _broad_mix(db, one_call, facet_cache) if broad else None
    everything = [s for row in rows for s in row["samples"]]
    cold = [s for row in rows for s in row["cold"]]
    return {"rows": rows, "overall_p95": percentile(everything, 95),
            "overall_p50": percentile(everything, 50),
            "cold_p50": percentile(cold, 50) if cold else None,
            "cold_p95": percentile(cold, 95) if cold else None,
            "cold_repeat": cold_repeat if cold else 0,
            "budget": budget, "products": total, "published": published, "repeat": repeat, "warmup": warmup,
            "mix": mix}


MIX_TOP_WORDS = 50


def mix_words(db) -> tuple[list[str], list[str]]:
    """The words of the category names, and the MIX_TOP_WORDS most frequent words of the
    published products' names (ties by the word), as the search cuts them."""
    from collections import Counter

    import sqlalchemy as sa

    from pbj.models.catalogue import Category, Product, ProductStatus
    from pbj.services.search import search_tokens

    category_words = sorted({w for name in db.session.scalars(sa.select(Category.name)) for w in search_tokens(name)})
    counts: Counter = Counter()
    for name in db.session.scalars(sa.select(Product.name).where(Product.status == ProductStatus.PUBLISHED)):
        counts.update(set(search_tokens(name)))
    top = [w for w, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MIX_TOP_WORDS]]
    db.session.remove()
    return category_words, top


def _broad_mix(db, one_call, facet_cache) -> dict:
    """Every category word and top product-name word alone, and every pair of the top
    words: each searched once with the facet cache emptied (cold), then once warm."""
    from itertools import combinations

    from werkzeug.datastructures import MultiDict

    category_words, top = mix_words(db)
    queries = sorted(set(category_words) | set(top)) + [f"{a} {b}" for a, b in combinations(top, 2)]
    cold, warm = [], []
    for q in queries:
        args = MultiDict([("q", q)])
        if facet_cache is not None:
            facet_cache.clear()
        elapsed, results, _n = one_call(args)
        cold.append((elapsed, q, results.facets.total))
        warm.append((one_call(args)[0], q, results.facets.total))
    return {"queries": len(queries), "singles": len(queries) - len(top) * (len(top) - 1) // 2,
            "pairs": len(top) * (len(top) - 1) // 2, "category_words": len(category_words), "top": len(top),
            "cold": cold, "warm": warm}


def print_mix(result: dict, budget: float) -> None:
    mix = result.get("mix")
    if not mix:
        return
    print(f"\nBroad mix: {mix['queries']:,} text searches: every word of the category names "
          f"({mix['category_words']}) and the {mix['top']} most frequent words of product names, alone "
          f"({mix['singles']}), and every pair of those {mix['top']} ({mix['pairs']:,}); each once with the "
          "facet cache empty (cold), then once warm.")
    for name in ("warm", "cold"):
        times = [t for t, _q, _n in mix[name]]
        worst = sorted(mix[name], reverse=True)[:5]
        verdict = "within" if percentile(times, 95) <= budget else "OVER"
        print(f"broad mix {name}: p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms "
              f"({verdict} the {budget:.0f} ms budget), max {max(times):.1f} ms; slowest: "
              + ", ".join(f"{q!r} {t:.0f} ms ({n:,} hits)" for t, q, n in worst))


def _capture(db, args, today, parse_query, search) -> list[tuple[str, object]]:
    """The statements (with parameters) that one search runs."""
    from sqlalchemy import event

    from pbj.database import read_only

    captured = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(("BEGIN", "EXPLAIN")):
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        with read_only():
            search(parse_query(args), today)
            db.session.remove()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    return captured


def _kind(statement: str) -> str:
    if statement.startswith("SELECT suppliers.org_id"):
        return "hidden"
    if "GROUP BY" in statement:
        return "facets"
    if "FROM product_images" in statement:
        return "images"
    if "LIMIT" in statement and "FROM products" in statement:
        return "page"
    return "other"


def _breakdown(db, captured, runs: int = 5) -> dict[str, float]:
    """Median time of each statement run on its own (execute + fetch all rows), by kind, in ms."""
    raw = db.engine.raw_connection()
    try:
        times: dict[str, float] = {}
        for statement, parameters in captured:
            samples = []
            for _ in range(runs + 1):
                t0 = time.perf_counter()
                raw.cursor().execute(statement, parameters).fetchall()
                samples.append((time.perf_counter() - t0) * 1000)
            kind = _kind(statement)
            times[kind] = times.get(kind, 0.0) + statistics.median(samples[1:])
        return times
    finally:
        raw.close()


def _explain(db, captured, label) -> None:
    """Print the query plan of every statement one search ran (--explain)."""
    print(f"\n-- {label}")
    explain = "EXPLAIN " if db.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    raw = db.engine.raw_connection()
    try:
        for statement, parameters in captured:
            print("   " + " ".join(statement.split())[:300])
            for row in raw.cursor().execute(explain + statement, parameters).fetchall():
                print("      plan:", row[-1])
    finally:
        raw.close()


def print_in_process(result: dict) -> None:
    print(f"\nIn-process search: {result['products']:,} products ({result['published']:,} published), "
          f"{result['warmup']} warm-up + {result['repeat']} timed calls per query, fresh session per call")
    print("p50/p95/max: parse_query + search, the whole call, after the warm-up (facet cache warm).")
    if result["cold_repeat"]:
        print(f"cold p50: the same with the facet cache emptied before each call "
              f"({result['cold_repeat']} calls).")
    print("facets/page/other: each SQL statement of one search re-run alone (no cache), execute + fetch, "
          "median.")
    header = (f"{'query':<34} {'hits':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'cold p50':>8} | "
              f"{'facets':>6} {'page':>6} {'other':>6} {'stmts':>5}")
    print(header)
    print("-" * len(header))

    def ms(value):
        return f"{value:.1f}" if value is not None else "-"

    for row in result["rows"]:
        stmts = "/".join(str(n) for n in row["statements"])
        sql = row["sql"]
        other = sum(v for k, v in sql.items() if k not in ("facets", "page"))
        print(f"{row['label'][:34]:<34} {row['hits']:>7,} {row['p50']:>7.1f} {row['p95']:>7.1f} "
              f"{row['max']:>7.1f} {ms(row['cold_p50']):>8} | {sql.get('facets', 0.0):>6.1f} "
              f"{sql.get('page', 0.0):>6.1f} {other:>6.1f} {stmts:>5}")
    print("-" * len(header))
    print(f"{'all queries':<34} {'':>7} {result['overall_p50']:>7.1f} {result['overall_p95']:>7.1f} "
          f"{'':>7} {ms(result['cold_p50']):>8}")
    within = "within" if result["overall_p95"] <= result["budget"] else "OVER"
    print(f"Overall p95 {result['overall_p95']:.1f} ms: {within} the {result['budget']:.0f} ms budget "
          f"at {result['products']:,} products.")
    if result["cold_p95"] is not None:
        within = "within" if result["cold_p95"] <= result["budget"] else "OVER"
        print(f"Overall p95 with the facet cache empty: {result['cold_p95']:.1f} ms ({within} the budget).")
    counts = sorted({n for row in result["rows"] for n in row["statements"]})
    print(f"SQL statements per search: {', '.join(map(str, counts))} (per query: facet cache hit/miss; "
          "constant whatever the number of hits; BEGIN not counted)")


# -- HTTP ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 30, headers: dict | None = None) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def log_in(port: int, email: str, password: str) -> str:
    """The session cookie ("name=value") of a log-in through the real form (CSRF included)."""
    from urllib.parse import urlencode

    status, body, headers = get(port, "/masuk")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/masuk", body=urlencode({"email": email, "password": password, "csrf_token": token}),
                     headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        if response.status != 303:
            raise RuntimeError(f"log-in of {email} answered {response.status}")
        return response.getheader("Set-Cookie").split(";", 1)[0]
    finally:
        conn.close()


# -- A busy PP: 50 open orders (bench only, through the order services) ----------------------

BUYER_EMAIL = "pp.uji-beban@contoh.go.id"
BUYER_PASSWORD = "sapu-lidi-kopi-tiam-pasiran-2026"  # nosec B105  # a bench-only account on a bench database
BUYER_ORDERS = 50


def prepare_buyer(db_path) -> dict:
    """A PP of an OPD with BUYER_ORDERS open orders (one checkout of a product from each of
    BUYER_ORDERS suppliers), made once per bench database; and a public product and supplier."""
    from datetime import timedelta

    import sqlalchemy as sa

    from pbj.clock import city_today, utcnow
    from pbj.extensions import db
    from pbj.models.accounts import OrgKind, Role, User
    from pbj.models.catalogue import Preference, Product, ProductStatus
    from pbj.models.orders import BudgetSource, Order
    from pbj.models.packages import ProcurementMethod
    from pbj.services import accounts, orders, packages
    from pbj.services.catalogue import hidden_supplier_ids

    app = open_app(db_path)
    with app.app_context():
        today, now = city_today(), utcnow()
        pp = db.session.scalar(sa.select(User).where(User.email == BUYER_EMAIL))
        if pp is None:
            opd = accounts.create_organisation(None, OrgKind.OPD, "Dinas Uji Beban", "UJIBEBAN")
            pp = accounts.create_user(None, org=opd, email=BUYER_EMAIL, name="Pejabat Pengadaan Uji Beban",
                                      role=Role.PP, password=BUYER_PASSWORD)
            ppk = accounts.create_user(None, org=opd, email="ppk.uji-beban@contoh.go.id", name="PPK Uji Beban",
                                       role=Role.PPK, password=None)
            package = packages.save_package(None, opd, packages.PackageData(
                "41239999001", "Belanja uji beban", 2_000_000_000, ProcurementMethod.E_PURCHASING,
                BudgetSource.APBD, today.year), now)
            # Top-step products (no higher step to justify), in stock, one per supplier.
            hidden = hidden_supplier_ids(today)
            chosen: dict[int, Product] = {}
            for product in db.session.scalars(
                    sa.select(Product).where(Product.status == ProductStatus.PUBLISHED,
                                             Product.preference == int(Preference.TKDN_BMP_40),
                                             Product.supplier_id.not_in(hidden), Product.ready_stock,
                                             Product.unit_price * Product.min_order <= 5_000_000,
                                             Product.published_at <= now - timedelta(days=2))
                    .order_by(Product.id)):
                chosen.setdefault(product.supplier_id, product)
                if len(chosen) == BUYER_ORDERS:
                    break
            for product in chosen.values():
                orders.add_to_cart(pp, product, product.min_order, today)
            orders.checkout(pp, orders.CheckoutData(package.id, "Jl. Uji Beban No. 1, Singkawang",
                                                    today + timedelta(days=30), ppk.id), now, today)
            db.session.commit()
        order_id = db.session.scalar(sa.select(sa.func.min(Order.id)).where(Order.buyer_id == pp.id))
        open_orders = db.session.scalar(sa.select(sa.func.count()).select_from(Order)
                                        .where(Order.buyer_id == pp.id))
        hidden = hidden_supplier_ids(today)
        product = db.session.scalar(sa.select(Product).where(
            Product.status == ProductStatus.PUBLISHED, Product.supplier_id.not_in(hidden)).order_by(Product.id))
        found = {"order_id": order_id, "orders": open_orders, "product_id": product.id,
                 "supplier_id": product.supplier_id}
        db.session.remove()
    return found


def missing_indexes(db_path) -> list[str]:
    """Indexes the models declare that the database lacks (built or copied before a schema change)."""
    import sqlalchemy as sa

    from pbj.extensions import db
    from pbj.models.catalogue import Product

    app = open_app(db_path)
    with app.app_context():
        present = {ix["name"] for ix in sa.inspect(db.engine).get_indexes("products")}
        db.engine.dispose()
    return sorted(ix.name for ix in Product.__table__.indexes if ix.name not in present)


def product_count(db_path) -> int:
    from bench.postgres import count_rows

    return count_rows(open_app(db_path), "products")


def has_catalogue_route(db_path) -> bool:
    app = open_app(db_path)
    return any(rule.rule == "/katalog" for rule in app.url_map.iter_rules())


def start_gunicorn(db_path, port: int, workers: int) -> subprocess.Popen:
    from pbj.config import normalise_database_url

    folder = target_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    uri = normalise_database_url(db_path) if is_postgres(db_path) else f"sqlite:///{db_path}"
    config = folder / "config.py"
    config.write_text(f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n"
                      f"SQLALCHEMY_DATABASE_URI = {uri!r}\n"
                      f"PUBLIC_BASE_URL = 'http://127.0.0.1:{port}'\n")
    config.chmod(0o600)
    # gunicorn.conf.py applies; no access log, as before it existed (a line per request).
    env = server_environment(PBJ_ENV="production", PBJ_INSTANCE_PATH=str(folder), PBJ_ACCESS_LOG="")
    log = open(folder / "gunicorn.log", "w")
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--log-level", "warning", "--chdir", str(ROOT), "app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def server_environment(**settings: str) -> dict[str, str]:
    """This process's environment without the settings a benchmark server must not inherit."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL", "PROXY_COUNT", "PUBLIC_BASE_URL",
                        "TRUSTED_HOSTS")}
    return {**env, **settings}


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def wait_ready(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited; see its gunicorn.log")
        try:
            if get(port, "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


# wrk: every request a URL of its own (`?r=<random>` is ignored by the page but makes a new key),
# so no page is served kept: what a request costs right after the catalogue changed.
UNKEPT_LUA = """
request = function()
  return wrk.format("GET", wrk.path .. "?r=" .. math.random(1, 1000000000))
end
"""


def load_wrk(port: int, path: str, seconds: int, connections: int, cookie: str | None = None,
             unkept: bool = False) -> dict:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    script = None
    if unkept:
        import tempfile

        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(UNKEPT_LUA)
        script.close()
        command += ["-s", script.name]
    try:
        out = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        if script is not None:
            os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)

    def ms(match):
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": rps, "requests": requests, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else "", "p50": ms(p50), "p99": ms(p99)}


def load_threads(port: int, path: str, seconds: int, connections: int, cookie: str | None = None,
                 unkept: bool = False, max_requests: int = 200_000) -> dict:
    """Fallback load generator: `connections` threads, new connection per request (gunicorn sync
    workers close it anyway); stops after `seconds` or `max_requests`."""
    done, bad, latencies = [0], [0], []
    headers = {"Cookie": cookie} if cookie else {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if done[0] >= max_requests:
                    return
            t0 = time.perf_counter()
            target = f"{path}?r={secrets.randbelow(10**9)}" if unkept else path
            try:
                status = get(port, target, timeout=10, headers=headers)[0]
            except OSError:
                status = 0
            with lock:
                done[0] += 1
                latencies.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    bad[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    elapsed = time.monotonic() - started
    return {"rps": done[0] / elapsed, "requests": done[0], "non_2xx": bad[0], "socket_errors": "",
            "p50": percentile(latencies, 50) if latencies else None,
            "p99": percentile(latencies, 99) if latencies else None}


def worker_rss_mib(master_pid: int) -> list[float]:
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            if rss:
                sizes.append(int(rss.group(1)) / 1024)
    return sorted(sizes)


def wait_idle(port: int, workers: int, seconds: float = 120) -> None:
    """Wait until requests left in flight by the last load (wrk stops sending, the workers still
    finish what they accepted) are done: `workers` simultaneous /healthz all answer quickly."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        latencies: list[float] = []

        def probe():
            t0 = time.perf_counter()
            try:
                get(port, "/healthz", timeout=seconds)
            except OSError:
                pass
            latencies.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=probe) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if max(latencies) < 0.1:
            return
        time.sleep(0.2)


def run_http(db_path, seconds: int, connections: int, workers: int) -> dict:
    fixtures = prepare_buyer(db_path)
    port = free_port()
    server = start_gunicorn(db_path, port, workers)
    generator = "wrk" if shutil.which("wrk") else "python-threads"
    load = load_wrk if generator == "wrk" else load_threads
    # (label, path, as the busy PP?, every request a page not kept?)
    endpoints = [
        ("/healthz", "/healthz", False, False),
        ("/katalog", "/katalog", False, False),
        ("/katalog?q=kopi", "/katalog?q=kopi", False, False),
        ("/katalog filtered", "/katalog?label=umk&label=lokal&stok=1", False, False),
        ("/katalog?hal=50", "/katalog?hal=50", False, False),
        ("/katalog?hal=200", "/katalog?hal=200", False, False),
        ("/katalog not kept", "/katalog", False, True),
        ("/katalog as PP", "/katalog", True, False),
        ("product page", f"/produk/{fixtures['product_id']}", False, False),
        ("supplier profile", f"/penyedia/{fixtures['supplier_id']}", False, False),
        (f"PP: /pesanan ({fixtures['orders']})", "/pesanan", True, False),
        ("PP: an order", f"/pesanan/{fixtures['order_id']}", True, False),
        ("PP: /meja", "/meja", True, False),
    ]
    try:
        wait_ready(port, server)
        cookie = log_in(port, BUYER_EMAIL, BUYER_PASSWORD)
        status, body, headers = get(port, "/katalog")
        page = {"status": status, "bytes": len(body), "gzip": len(gzip.compress(body, compresslevel=6)),
                "cards": body.count(b"<article")}
        for label, path, as_pp, _unkept in endpoints:
            answer = get(port, path, headers={"Cookie": cookie} if as_pp else None)[0]
            if answer != 200:
                raise RuntimeError(f"{label} ({path}) answered {answer}")
        # Warm the workers (imports, template compilation, SQLite page cache) before measuring.
        load(port, "/katalog", 2, connections)
        load(port, "/healthz", 2, connections)
        measured = {}
        for label, path, as_pp, unkept in endpoints:
            wait_idle(port, workers)
            measured[label] = load(port, path, seconds, connections, cookie=cookie if as_pp else None,
                                   unkept=unkept)
        rss = worker_rss_mib(server.pid)
    finally:
        stop_gunicorn(server)
    return {"generator": generator, "seconds": seconds, "connections": connections, "workers": workers,
            "page": page, "measured": measured, "rss": rss}


def print_http(result: dict) -> None:
    print(f"\nHTTP: gunicorn, {result['workers']} sync workers, 127.0.0.1, load by {result['generator']} "
          f"({result['connections']} connections, {result['seconds']} s per endpoint, same server, same run)")
    print("÷ /healthz: requests per second against /healthz's in the same run (goal ≥ 0.25); "
          "p99 ÷ p50 (goal ≤ 4). 'not kept': every request a new URL, so rendered afresh.")
    header = (f"{'endpoint':<22} {'req/s':>7} {'requests':>9} {'non-2xx':>8} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'÷ /healthz':>10} {'p99÷p50':>8}")
    print(header)
    print("-" * len(header))
    healthz = result["measured"]["/healthz"]["rps"]
    for label, m in result["measured"].items():
        p50 = f"{m['p50']:.1f}" if m["p50"] is not None else "-"
        p99 = f"{m['p99']:.1f}" if m["p99"] is not None else "-"
        spread = f"{m['p99'] / m['p50']:.1f}" if m["p50"] and m["p99"] else "-"
        print(f"{label:<22} {m['rps']:>7.0f} {m['requests']:>9,} {m['non_2xx']:>8} {p50:>7} {p99:>7} "
              f"{m['rps'] / healthz:>10.3f} {spread:>8}"
              + (f"  socket errors: {m['socket_errors']}" if m["socket_errors"] else ""))
    ratio = result["measured"]["/katalog"]["rps"] / result["measured"]["/healthz"]["rps"]
    if ratio:
        print(f"/katalog ÷ /healthz: {ratio:.3f} (/katalog serves {ratio * 100:.1f} % of the trivial "
              f"endpoint's requests per second; 1 : {1 / ratio:.0f})")
    else:
        print("/katalog ÷ /healthz: 0 (no /katalog request answered in time)")
    page = result["page"]
    verdict = "within" if page["gzip"] <= 14 * 1024 else "OVER"
    print(f"/katalog first page: HTTP {page['status']}, {page['bytes']:,} bytes HTML, "
          f"{page['gzip']:,} bytes gzip -6 ({page['gzip'] / 1024:.1f} KB): {verdict} the 14 KB budget")
    rss = ", ".join(f"{r:.0f}" for r in result["rss"])
    over = any(r > 150 for r in result["rss"])
    print(f"gunicorn worker RSS after the load: {rss} MiB ({'OVER' if over else 'within'} the 150 MB budget)")


# -- Main --------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Catalogue benchmark (see docs/BENCHMARKS.md).")
    parser.add_argument("--db", default=str(DEFAULT_DB), help="a SQLite file, or a postgresql:// URL")
    parser.add_argument("--source", type=Path, default=DEFAULT_DB,
                        help="with a PostgreSQL --db: the SQLite bench database copied there")
    parser.add_argument("--products", type=int, default=100_000, help="when (re)building the database")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--cold-repeat", type=int, default=10,
                        help="calls per query with the facet cache emptied first (0: skip)")
    parser.add_argument("--explain", action="store_true", help="print the query plan of each search")
    parser.add_argument("--breakdown-runs", type=int, default=5,
                        help="runs of each SQL statement alone for the facets/page/other columns (0: skip)")
    parser.add_argument("--no-broad-mix", action="store_true",
                        help="skip the broad mix (category words, top product-name words and their pairs)")
    parser.add_argument("--no-http", action="store_true", help="in-process part only")
    parser.add_argument("--http-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    postgres = is_postgres(args.db)
    db_path = args.db if postgres else Path(args.db).resolve()
    sqlite_path = args.source.resolve() if postgres else db_path

    print(f"Machine: {machine(db_path)}")
    print(f"Code: {code_version()}")
    print("Load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg())
          + " (other work on the machine makes every number worse)")
    stale = missing_indexes(sqlite_path) if sqlite_path.exists() and not args.rebuild else []
    if stale:
        with sqlite3.connect(sqlite_path) as conn:
            args.products = conn.execute("SELECT count(*) FROM products").fetchone()[0]
        print(f"{sqlite_path.name} predates the current schema (no {', '.join(stale)}): rebuilding.")
    if args.rebuild or stale or not sqlite_path.exists():
        from bench import build_db

        print(f"Building {sqlite_path} ({args.products:,} products) …", flush=True)
        build_db.report(build_db.build(sqlite_path, args.products, 2_000, 6172))
        stale = ["(rebuilt)"]
    if postgres:
        with sqlite3.connect(sqlite_path) as conn:
            wanted = conn.execute("SELECT count(*) FROM products").fetchone()[0]
        if stale or product_count(db_path) != wanted or missing_indexes(db_path):
            from bench.postgres import copy_to_postgres

            print(f"Copying {sqlite_path.name} ({wanted:,} products) to PostgreSQL …", flush=True)
            mark = time.perf_counter()
            copy_to_postgres(open_app(db_path), sqlite_path, ROOT)
            print(f"  copied in {time.perf_counter() - mark:.0f} s", flush=True)

    result = run_in_process(db_path, args.repeat, args.warmup, args.explain, args.breakdown_runs,
                            args.cold_repeat, broad=not args.no_broad_mix)
    print_in_process(result)
    print_mix(result, result["budget"])

    if args.no_http:
        return
    if not has_catalogue_route(db_path):
        print("\nHTTP: the app has no /katalog route yet; HTTP part skipped.")
        return
    print_http(run_http(db_path, args.http_seconds, args.connections, args.workers))
    print("Load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
