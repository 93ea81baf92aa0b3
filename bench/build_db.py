"""Build a SQLite database of realistic catalogue data for the benchmarks.

    .venv/bin/python -m bench.build_db [PATH] [--products 100000] [--suppliers 2000] [--seed 6172]

BENCH-ONLY SHORTCUT: organisations, suppliers, products and product images are
written with bulk `INSERT`s (`db.session.execute(sa.insert(Model.__table__), rows)`,
one executemany per chunk; the table rather than the ORM class, because ORM
bulk inserts split into thousands of small batches whenever nullable columns
are None in some rows and not others),
bypassing the catalogue services and therefore the audit trail and the price
history. A database built here is for measuring search, never for running a
real instance. What stays faithful to the application:

* the schema comes from the migrations (`flask_migrate.upgrade()`), so the
  FTS5 table, its triggers and every index are the real ones; the triggers fill
  the search index as the products are inserted;
* categories are made by `pbj.demo.catalogue.seed_categories()` (through the
  service) and product lines come from `pbj.demo.catalogue.CATALOGUE`;
* the denormalised `preference`, `priority`, `supplier_is_umk` and
  `supplier_is_local` are computed by `pbj.services.catalogue._refresh_rank`
  (which calls `pbj.models.catalogue.preference_of`), not re-implemented.

The random seed is fixed, so two builds hold the same rows (timestamps are
relative to the day of the build).
"""
from __future__ import annotations

import argparse
import bisect
import contextlib
import itertools
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DB = RESULTS / "bench.sqlite3"
CHUNK = 20_000

# Share of suppliers by verification / sanction, and by business scale.
VERIFICATION_MIX = [("verified", 0.92), ("unverified", 0.06), ("rejected", 0.02)]
SCALE_MIX = [("mikro", 0.45), ("kecil", 0.30), ("menengah", 0.15), ("besar", 0.10)]
LOCAL_SHARE = 0.80
PREFIXES = ["CV", "CV", "UD", "UD", "PT", "Toko", ""]
EXTRA_SENTENCES = [
    "Tersedia dalam jumlah besar untuk kebutuhan kantor.",
    "Bisa dikirim ke seluruh kecamatan di Kota Singkawang.",
    "Garansi penggantian bila barang rusak saat pengiriman.",
    "Produk usaha lokal, dikerjakan oleh pengrajin setempat.",
    "Pemesanan di atas 50 unit mendapat harga khusus.",
    "Faktur pajak tersedia untuk pengusaha kena pajak.",
    "",
    "",
]


def instance_dir(db_path: Path) -> Path:
    """The instance folder that belongs to a bench database (uploads, config.py)."""
    return db_path.with_name(db_path.stem + ".instance")


def make_app(db_path: Path):
    from pbj import create_app

    return create_app({
        "PBJ_ENV": "testing",
        "SECRET_KEY": "x" * 40,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "INSTANCE_PATH": str(instance_dir(db_path)),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST_KIB": 1024,
    })


def _pick(rng: random.Random, mix: list[tuple[str, float]]) -> str:
    roll = rng.random()
    for value, share in mix:
        if roll < share:
            return value
        roll -= share
    return mix[-1][0]


def build(db_path: Path, products: int, suppliers: int, seed: int) -> dict:
    import flask_migrate
    import sqlalchemy as sa

    from pbj.demo import LOCAL_KELURAHAN, OTHER_REGIONS, SUPPLIER_NAMES
    from pbj.demo.catalogue import _domestic_evidence, line_products, picture_kind, seed_categories, supplier_range
    from pbj.demo.pictures import stored_picture
    from pbj.extensions import db
    from pbj.models.accounts import Organisation, OrgKind
    from pbj.models.catalogue import Product, ProductImage, ProductStatus
    from pbj.models.suppliers import BusinessScale, Sanction, SupplierProfile, VerificationStatus
    from pbj.cli_progress import Progress
    from pbj.clock import utcnow
    from pbj.services.catalogue import ProductData, _refresh_rank

    db_path = db_path.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    folder = instance_dir(db_path)
    if (folder / "uploads").exists():
        import shutil

        shutil.rmtree(folder / "uploads")

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    app = make_app(db_path)
    with app.app_context():
        mark = time.perf_counter()
        flask_migrate.upgrade()
        timings["migrations"] = time.perf_counter() - mark

        mark = time.perf_counter()
        tree = seed_categories()  # through the service (a few audit entries)
        pictures = {}
        by_name = {}
        for top_slug, subs in tree.items():
            for sub, kind_and_lines in subs:
                by_name[sub.name] = (sub, kind_and_lines.lines)
                for line in kind_and_lines.lines:
                    pictures[line.name] = stored_picture(picture_kind(sub.name, line), top_slug, line.name)
        db.session.commit()
        timings["categories and pictures"] = time.perf_counter() - mark

        # -- Organisations and suppliers (bulk, bench-only) -----------------------------
        mark = time.perf_counter()
        now = utcnow().replace(microsecond=0)
        today = now.date()
        city_code = app.config["CITY_REGION_CODE"]
        city_name = app.config["CITY_NAME"]
        org_rows, supplier_rows, profiles = [], [], []
        nibs: set[str] = set()
        for org_id in range(1, suppliers + 1):
            business = " ".join(filter(None, [rng.choice(PREFIXES), rng.choice(SUPPLIER_NAMES),
                                              rng.choice(["", "", "Jaya", "Abadi", "Mandiri", "Sentosa"]),
                                              str(org_id)]))
            if rng.random() < LOCAL_SHARE:
                kecamatan = rng.choice(sorted(LOCAL_KELURAHAN))
                region_code, region_name = city_code, city_name
            else:
                region_code, region_name, kecamatan = rng.choice(OTHER_REGIONS)
            scale = BusinessScale(_pick(rng, SCALE_MIX))
            verification = VerificationStatus(_pick(rng, VERIFICATION_MIX))
            sanction, until = Sanction.NONE, None
            if verification is VerificationStatus.VERIFIED:
                roll = rng.random()
                if roll < 0.015:  # suspended now
                    sanction, until = Sanction.SUSPENDED, today + timedelta(days=rng.randint(1, 180))
                elif roll < 0.025:  # suspension that has ended: visible again
                    sanction, until = Sanction.SUSPENDED, today - timedelta(days=rng.randint(1, 180))
                elif roll < 0.030:
                    sanction, until = Sanction.BLACKLISTED, None
            nib = str(rng.randrange(10**12, 10**13))
            while nib in nibs:
                nib = str(rng.randrange(10**12, 10**13))
            nibs.add(nib)
            created = now - timedelta(days=rng.randint(30, 900))
            org_rows.append({"id": org_id, "kind": OrgKind.SUPPLIER, "name": business, "code": None,
                             "active": True, "created_at": created})
            row = {
                "org_id": org_id, "nib": nib, "npwp": str(rng.randrange(10**15, 10**16)), "scale": scale,
                "is_cooperative": business.startswith("Koperasi") or rng.random() < 0.02,
                "is_pkp": scale in (BusinessScale.MENENGAH, BusinessScale.BESAR) or rng.random() < 0.2,
                "has_pp55_certificate": rng.random() < 0.3,
                "address": f"Jl. {rng.choice(['Diponegoro', 'Niaga', 'Pahlawan', 'Alianyang', 'GM Situt'])} "
                           f"No. {rng.randint(1, 300)}",
                "kecamatan": kecamatan, "region_code": region_code, "region_name": region_name,
                "phone": "08" + str(rng.randrange(10**9, 10**10)),
                "verification": verification, "verification_note": None,
                "verified_at": (created + timedelta(days=3)
                                if verification is VerificationStatus.VERIFIED else None),
                "sanction": sanction,
                "sanction_reason": ("Wanprestasi pada pesanan sebelumnya."
                                    if sanction is not Sanction.NONE else None),
                "sanction_until": until,
            }
            supplier_rows.append(row)
            # A transient (never added) profile, so the ranking code reads the real properties.
            profile = SupplierProfile(org_id=org_id, scale=scale, is_cooperative=row["is_cooperative"],
                                      region_code=region_code)
            lines = [(by_name[name][0], line) for name in supplier_range(business) for line in by_name[name][1]]
            profiles.append((profile, row, business, lines))
        db.session.execute(sa.insert(Organisation.__table__), org_rows)
        db.session.execute(sa.insert(SupplierProfile.__table__), supplier_rows)
        db.session.commit()
        timings["suppliers"] = time.perf_counter() - mark

        # -- Products and their images (bulk, bench-only) --------------------------------
        mark = time.perf_counter()
        # A long tail: a few suppliers list thousands of products, most list a few dozen.
        # Suppliers not (yet) verified are new and list only a few drafts or submissions.
        weights = [rng.paretovariate(1.3) if row["verification"] is VerificationStatus.VERIFIED else 0.3
                   for _profile, row, _business, _lines in profiles]
        cumulative = list(itertools.accumulate(weights))
        image_id = 0
        status_counts: dict[str, int] = {}
        # On stderr: stdout carries the results `make bench` prints.
        progress = contextlib.ExitStack()
        advance = progress.enter_context(progress.enter_context(Progress(sys.stderr)).task("Products", products))
        for start in range(0, products, CHUNK):
            product_rows, image_rows = [], []
            for product_id in range(start + 1, min(start + CHUNK, products) + 1):
                profile, srow, business, lines = profiles[
                    min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(profiles) - 1)]
                sub, line = rng.choice(lines)
                name, factor = rng.choice(line_products(line))
                unit, evidence, tkdn_range, certs = line.unit, line.evidence, line.tkdn_range, line.certs
                low, high = int(line.low * factor), int(line.high * factor)
                # The demo's TKDN certificates, TKDN-IK, BMP and SIINas, by product line.
                found = ProductData(category_id=sub.id, name=name, unit=unit, unit_price=low,
                                    is_pdn=evidence != "import")
                _domestic_evidence(found, evidence, tkdn_range, rng)
                is_pdn, tkdn, bmp = found.is_pdn, found.tkdn_x100, found.bmp_x100
                price = rng.randrange(low, high + 1, 500 if low >= 5_000 else 100)
                created = now - timedelta(days=rng.randint(2, 730), minutes=rng.randint(0, 1439))
                roll = rng.random()
                if srow["verification"] is not VerificationStatus.VERIFIED:
                    status = ProductStatus.DRAFT if roll < 0.4 else ProductStatus.SUBMITTED
                elif roll < 0.04:
                    status = ProductStatus.DRAFT
                elif roll < 0.08:
                    status = ProductStatus.SUBMITTED
                elif roll < 0.10:
                    status = ProductStatus.REJECTED
                elif roll < 0.14:
                    status = ProductStatus.ARCHIVED
                else:
                    status = ProductStatus.PUBLISHED
                status_counts[status.value] = status_counts.get(status.value, 0) + 1
                published = (status in (ProductStatus.PUBLISHED, ProductStatus.ARCHIVED))
                rank = SimpleNamespace(tkdn_x100=tkdn, bmp_x100=bmp, is_pdn=is_pdn, siinas=found.siinas,
                                       tkdn_certified=found.tkdn_certificate_date is not None)
                _refresh_rank(rank, profile)  # the application's own ranking rules
                product_rows.append({
                    "id": product_id, "supplier_id": srow["org_id"], "category_id": sub.id,
                    "name": name, "unit": unit, "unit_price": price,
                    "description": " ".join(filter(None, [
                        f"{name} dari {business}, {srow['kecamatan']}, {srow['region_name']}.",
                        "Dikemas rapi dan dikirim ke kantor OPD.", rng.choice(EXTRA_SENTENCES),
                        f"Harga per {unit}."])),
                    "min_order": rng.choice([1, 1, 1, 5, 10]),
                    "stock": None if rng.random() < 0.25 else rng.randint(0, 500),
                    "lead_time_days": rng.randint(1, 14),
                    "delivery_area": ("Kota Singkawang" if srow["region_code"] == city_code
                                      else "Kalimantan Barat"),
                    "tkdn_x100": tkdn, "bmp_x100": bmp,
                    "tkdn_certificate": found.tkdn_certificate,
                    "tkdn_certificate_date": found.tkdn_certificate_date, "tkdn_ik": found.tkdn_ik,
                    "siinas": found.siinas, "siinas_number": found.siinas_number,
                    "reviewed_price": price if published else None,
                    "is_pdn": is_pdn, "origin": srow["region_name"], "certifications": certs,
                    "preference": rank.preference, "supplier_is_umk": rank.supplier_is_umk,
                    "supplier_is_local": rank.supplier_is_local, "priority": rank.priority,
                    "status": status,
                    "rejection_reason": "Foto kurang jelas." if status is ProductStatus.REJECTED else None,
                    "published_at": created + timedelta(days=1) if published else None,
                    "created_at": created, "updated_at": created + timedelta(days=1),
                })
                for position in range(2 if rng.random() < 0.2 else 1):
                    picture = pictures[line.name]
                    image_id += 1
                    image_rows.append({
                        "id": image_id, "product_id": product_id, "position": position,
                        "large_name": picture.large_name, "thumb_name": picture.thumb_name,
                        "width": picture.width, "height": picture.height, "thumb_bytes": picture.thumb_bytes,
                    })
            db.session.execute(sa.insert(Product.__table__), product_rows)  # FTS5 triggers index each row
            db.session.execute(sa.insert(ProductImage.__table__), image_rows)
            db.session.commit()
            advance(to=min(start + CHUNK, products))
        progress.close()
        timings["products"] = time.perf_counter() - mark

        mark = time.perf_counter()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        timings["analyze"] = time.perf_counter() - mark
        from pbj.services.catalogue import hidden_supplier_ids

        hidden = len(hidden_supplier_ids(today))
        db.session.remove()
        db.engine.dispose()  # the last connection folds the WAL into the file
    total = time.perf_counter() - started
    return {"path": str(db_path), "products": products, "suppliers": suppliers, "seed": seed,
            "status": status_counts, "hidden_suppliers": hidden, "timings": timings, "seconds": total,
            "bytes": db_path.stat().st_size}


def report(summary: dict) -> None:
    print(f"Built {summary['path']}")
    print(f"  {summary['products']:,} products, {summary['suppliers']:,} suppliers "
          f"({summary['hidden_suppliers']} hidden: unverified or sanctioned today), seed {summary['seed']}")
    print("  product status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary["status"].items())))
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in summary["timings"].items()))
    print(f"  total {summary['seconds']:.1f} s, file {summary['bytes'] / 2**20:.0f} MiB")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DB)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--suppliers", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=6172)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    summary = build(args.path, args.products, args.suppliers, args.seed)
    report(summary)
    return summary


if __name__ == "__main__":
    main()
