"""Public portal benchmark: server time of the /transparansi pages at 100k orders.

    .venv/bin/python -m bench.portal                      # builds bench/results/portal.sqlite3 once
    .venv/bin/python -m bench.portal --rebuild --orders 100000 --products 100000

1. Builds (or reuses) a SQLite database: the catalogue of bench/build_db.py, then
   OPDs, their officials and `--orders` orders in every state, with items, BASTs,
   payments and ratings.
2. Requests each portal URL through the Flask test client (the whole request:
   routing, queries, templates), `--warmup` times and then `--repeat` times, and
   prints p50, p95 and max per URL against the budget (p95 <= 50 ms at 100k orders,
   DESIGN.md "Budgets" and issue 13). The year-wide tables are measured twice: with
   their cache (`TRANSPARENCY_CACHE_SECONDS`, what visitors get) and computed afresh
   on every request ("cold", what the first visitor after the cache lapses gets).

BENCH-ONLY SHORTCUT: OPDs, users and orders (items, BASTs, payments, ratings) are
written with bulk `INSERT`s on the tables, as bench/build_db.py does for products,
bypassing the order services, the audit trail, stock and the document numbers. The
database is for measuring the portal's reads, never for running a real instance; the
schema and its indexes still come from the migrations.

This is a benchmark, not a test: it asserts nothing. Results are in docs/BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from bench.build_db import RESULTS, ROOT, build, make_app

DEFAULT_DB = RESULTS / "portal.sqlite3"
CHUNK = 10_000
OPDS = 40
BUDGET_MS = 50.0
# How far along the orders got: open and ended ones are not public; the rest are.
STATUS_MIX = [("submitted", 0.04), ("negotiating", 0.01), ("confirmed", 0.03), ("cancelled", 0.04),
              ("rejected", 0.03), ("expired", 0.05), ("approved", 0.05), ("shipped", 0.05),
              ("received", 0.06), ("paid", 0.14), ("completed", 0.50)]


def _pick(rng: random.Random, mix):
    roll = rng.random()
    for value, share in mix:
        if roll < share:
            return value
        roll -= share
    return mix[-1][0]


def add_orders(db_path: Path, count: int, seed: int) -> dict:
    """OPDs with a PP, a PPK and a bendahara each, and `count` orders over the last two years."""
    import sqlalchemy as sa

    from pbj.clock import utcnow
    from pbj.extensions import db
    from pbj.models.accounts import Organisation, OrgKind, Role, User
    from pbj.models.catalogue import Product, ProductStatus
    from pbj.models.orders import BudgetSource, Handover, Order, OrderItem, OrderStatus, Payment, PaymentMethod, Rating
    from pbj.models.suppliers import SupplierProfile, VerificationStatus

    rng = random.Random(seed)
    app = make_app(db_path)
    started = time.perf_counter()
    with app.app_context():
        now = utcnow().replace(microsecond=0)
        first_org = (db.session.scalar(sa.select(sa.func.max(Organisation.id))) or 0) + 1
        opd_ids = list(range(first_org, first_org + OPDS))
        db.session.execute(sa.insert(Organisation.__table__), [
            {"id": oid, "kind": OrgKind.OPD, "name": f"Dinas Bench {n + 1}", "code": f"BENCH{n + 1}",
             "address": "Jl. Firdaus No. 1", "active": True, "created_at": now - timedelta(days=900)}
            for n, oid in enumerate(opd_ids)])
        users, officials = [], {}
        for n, oid in enumerate(opd_ids):
            for role in (Role.PP, Role.PPK, Role.BENDAHARA):
                uid = len(users) + 1
                users.append({"id": uid, "org_id": oid, "email": f"{role.value}{n}@bench.go.id",
                              "name": f"Pegawai {uid}", "role": role, "nip": f"{198001012005011000 + uid}",
                              "password_hash": "!bench$not-a-hash", "active": True, "session_version": 1,
                              "created_at": now - timedelta(days=900)})
                officials[(oid, role)] = uid
        db.session.execute(sa.insert(User.__table__), users)
        # What verified suppliers sell: (product id, name, unit, category, price, is_pdn, tkdn).
        products = db.session.execute(
            sa.select(Product.supplier_id, Product.id, Product.name, Product.unit, Product.category_id,
                      Product.unit_price, Product.is_pdn, Product.tkdn_x100, Product.bmp_x100, Product.preference,
                      SupplierProfile.scale, SupplierProfile.region_code)
            .join(SupplierProfile, SupplierProfile.org_id == Product.supplier_id)
            .where(Product.status == ProductStatus.PUBLISHED,
                   SupplierProfile.verification == VerificationStatus.VERIFIED)).all()
        by_supplier: dict[int, list] = {}
        for row in products:
            by_supplier.setdefault(row[0], []).append(row)
        suppliers = sorted(by_supplier)
        # A long tail again: a few suppliers get many orders.
        weights = [rng.paretovariate(1.2) for _ in suppliers]
        city = app.config["CITY_REGION_CODE"]
        item_id = handover_id = 0
        statuses: dict[str, int] = {}
        for start in range(0, count, CHUNK):
            orders, items, handovers, payments, ratings = [], [], [], [], []
            for order_id in range(start + 1, min(start + CHUNK, count) + 1):
                supplier_id = rng.choices(suppliers, weights)[0]
                offered = by_supplier[supplier_id]
                opd = rng.choice(opd_ids)
                status = OrderStatus(_pick(rng, STATUS_MIX))
                statuses[status.value] = statuses.get(status.value, 0) + 1
                submitted = now - timedelta(days=rng.uniform(1, 720))
                approved = submitted + timedelta(days=rng.uniform(0.5, 4))
                public = status in (OrderStatus.APPROVED, OrderStatus.SHIPPED, OrderStatus.RECEIVED,
                                    OrderStatus.PAID, OrderStatus.COMPLETED)
                received_at = approved + timedelta(days=rng.uniform(2, 20))
                paid_at = received_at + timedelta(days=rng.expovariate(1 / 12))
                after = lambda *states: status in states  # noqa: E731
                scale, region = offered[0][10], offered[0][11]
                orders.append({
                    "id": order_id, "opd_id": opd, "supplier_id": supplier_id,
                    "buyer_id": officials[(opd, Role.PP)], "ppk_id": officials[(opd, Role.PPK)],
                    "status": status, "package_id": None, "rup_code": f"4{opd:04d}{rng.randint(100, 999)}",
                    "budget_year": approved.year, "budget_source": BudgetSource.APBD,
                    "delivery_address": "Jl. Firdaus No. 1", "needed_by": (submitted + timedelta(days=14)).date(),
                    "payment_method": PaymentMethod.LS, "supplier_is_pkp": scale.value in ("menengah", "besar"),
                    "supplier_has_pp55": False, "supplier_is_umk": scale.value in ("mikro", "kecil"),
                    "supplier_is_local": region == city, "submitted_at": submitted,
                    "supplier_deadline": submitted + timedelta(days=3),
                    "confirmed_at": approved - timedelta(hours=6) if public else None,
                    "approved_at": approved if public else None,
                    "sp_number": f"SP/BENCH/{order_id:07d}" if public else None,
                    "shipped_at": approved + timedelta(days=1) if after(
                        OrderStatus.SHIPPED, OrderStatus.RECEIVED, OrderStatus.PAID, OrderStatus.COMPLETED) else None,
                    "received_at": received_at if after(OrderStatus.RECEIVED, OrderStatus.PAID,
                                                        OrderStatus.COMPLETED) else None,
                    "paid_at": paid_at if after(OrderStatus.PAID, OrderStatus.COMPLETED) else None,
                    "completed_at": paid_at + timedelta(days=1) if status is OrderStatus.COMPLETED else None,
                    "ended_at": submitted + timedelta(days=3) if not public and status.value in (
                        "cancelled", "rejected", "expired") else None,
                    "updated_at": now,
                })
                value = 0
                received = after(OrderStatus.RECEIVED, OrderStatus.PAID, OrderStatus.COMPLETED)
                shipped = received or status is OrderStatus.SHIPPED
                for product in rng.sample(offered, min(len(offered), rng.choice((1, 1, 2, 2, 3, 4)))):
                    item_id += 1
                    quantity = rng.randint(1, 50)
                    agreed = product[5] if rng.random() < 0.9 else max(1, product[5] * 95 // 100)
                    value += agreed * quantity
                    items.append({
                        "id": item_id, "order_id": order_id, "product_id": product[1], "name": product[2],
                        "unit": product[3], "category_id": product[4], "list_price": product[5],
                        "agreed_price": agreed, "quantity": quantity, "reserved": False, "is_pdn": product[6],
                        "tkdn_x100": product[7], "bmp_x100": product[8], "preference": product[9],
                        "tax_class": "goods", "shipped_qty": quantity if shipped else 0,
                        "received_qty": quantity if received else 0, "cancelled_qty": 0})
                if received:
                    handover_id += 1
                    handovers.append({
                        "id": handover_id, "order_id": order_id, "sequence": 1, "number": f"BAST/BENCH/{order_id:07d}",
                        "signed_by_id": officials[(opd, Role.PPK)], "signed_on": received_at.date(), "notes": "",
                        "recorded_at": received_at, "lines": [], "rest": None, "penalty_basis": "part",
                        "penalty_computed": 0, "penalty": 0})
                if after(OrderStatus.PAID, OrderStatus.COMPLETED):
                    payments.append({
                        "order_id": order_id, "paid_on": paid_at.date(), "reference": f"SP2D-{order_id}",
                        "gross": value, "dpp": value, "ppn": 0, "pph": 0, "net": value,
                        "recorded_by_id": officials[(opd, Role.BENDAHARA)], "recorded_at": paid_at})
                if status is OrderStatus.COMPLETED:
                    ratings.append({
                        "order_id": order_id, "supplier_id": supplier_id, "stars": rng.choice((3, 4, 4, 5, 5)),
                        "comment": "", "rated_by_id": officials[(opd, Role.PPK)], "rated_at": paid_at})
            for model, rows in ((Order, orders), (OrderItem, items), (Handover, handovers), (Payment, payments),
                                (Rating, ratings)):
                if rows:
                    db.session.execute(sa.insert(model.__table__), rows)
            db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"orders": count, "items": item_id, "statuses": statuses, "seconds": time.perf_counter() - started}


def order_count(db_path: Path) -> int:
    import sqlite3

    if not db_path.exists():
        return 0
    with sqlite3.connect(db_path) as conn:
        try:
            return conn.execute("SELECT count(*) FROM orders").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def measure(db_path: Path, warmup: int, repeat: int) -> list[tuple[str, list[float]]]:
    import sqlalchemy as sa

    from pbj.extensions import db
    from pbj.models.accounts import Organisation, OrgKind
    from pbj.models.catalogue import Category
    from pbj.models.orders import Order

    app = make_app(db_path)
    app.config["TRANSPARENCY_CACHE_SECONDS"] = 300
    with app.app_context():
        opd = db.session.scalar(sa.select(Organisation.id).where(Organisation.kind == OrgKind.OPD).limit(1))
        busiest = db.session.execute(sa.select(Order.supplier_id, sa.func.count()).where(Order.approved_at.is_not(None))
                                     .group_by(Order.supplier_id).order_by(sa.func.count().desc()).limit(1)).one()[0]
        top = db.session.scalar(sa.select(Category.slug).where(Category.parent_id.is_(None)).limit(1))
        sub = db.session.scalar(sa.select(Category.slug).where(Category.parent_id.is_not(None)).limit(1))
        latest = db.session.scalar(sa.select(sa.func.max(Order.id)).where(Order.approved_at.is_not(None)))
        year = db.session.scalar(sa.select(sa.func.max(Order.approved_at))).year
        month = db.session.scalar(sa.select(sa.func.max(Order.approved_at))).strftime("%Y-%m")
        db.session.remove()
    urls = [
        ("list, first page", "/transparansi"),
        ("list, page 50", "/transparansi?hal=50"),
        ("list, page 400 (the cap)", "/transparansi?hal=400"),
        ("list, one OPD", f"/transparansi?opd={opd}"),
        ("list, busiest supplier", f"/transparansi?penyedia={busiest}"),
        ("list, top category", f"/transparansi?kategori={top}"),
        ("list, sub-category", f"/transparansi?kategori={sub}"),
        ("list, one month", f"/transparansi?bulan={month}"),
        ("list, UMK + local", "/transparansi?label=umk&label=lokal"),
        ("list, PDN only", "/transparansi?label=pdn"),
        ("list, OPD + category + PDN", f"/transparansi?opd={opd}&kategori={top}&label=pdn"),
        ("list, htmx fragment", "/transparansi?label=umk"),
        ("order page", f"/transparansi/pesanan/{latest}"),
        ("suppliers (cached)", f"/transparansi/penyedia?tahun={year}"),
        ("payment times (cached)", f"/transparansi/pembayaran?tahun={year}"),
    ]
    results = []
    client = app.test_client()
    for label, url in urls:
        headers = {"HX-Request": "true"} if "htmx" in label else {}
        timings = []
        for n in range(warmup + repeat):
            mark = time.perf_counter()
            response = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - mark) * 1000
            assert response.status_code == 200, (url, response.status_code)  # nosec B101  # a bench sanity check
            if n >= warmup:
                timings.append(elapsed)
        results.append((label, timings))
    app.config["TRANSPARENCY_CACHE_SECONDS"] = 0
    for label, url in (("list, first page (city totals cold)", "/transparansi"),
                       ("suppliers (cold)", f"/transparansi/penyedia?tahun={year}"),
                       ("payment times (cold)", f"/transparansi/pembayaran?tahun={year}")):
        timings = []
        for n in range(2 + max(repeat // 5, 5)):
            mark = time.perf_counter()
            client.get(url)
            if n >= 2:
                timings.append((time.perf_counter() - mark) * 1000)
        results.append((label, timings))
    return results


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--suppliers", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=6172)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.rebuild or order_count(args.db) < args.orders:
        print(f"Building {args.db} ({args.products:,} products, {args.orders:,} orders)…", flush=True)
        build(args.db, args.products, args.suppliers, args.seed)
        made = add_orders(args.db, args.orders, args.seed)
        print(f"  {made['orders']:,} orders, {made['items']:,} items in {made['seconds']:.0f} s; "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(made["statuses"].items())))
    else:
        print(f"Reusing {args.db} ({order_count(args.db):,} orders)")
    results = measure(args.db, args.warmup, args.repeat)
    print(f"\n{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    everything = []
    for label, timings in results:
        if "cold" not in label:
            everything += timings
        print(f"{label:34} {statistics.median(timings):8.1f} {p95(timings):8.1f} {max(timings):8.1f}")
    verdict = "within" if p95(everything) <= BUDGET_MS else "OVER"
    print(f"\nAll cached pages: p95 {p95(everything):.1f} ms, {verdict} the {BUDGET_MS:.0f} ms budget "
          f"(the cold rows are the first request after the cache lapses).")


if __name__ == "__main__":
    main()
