"""Risk-flag benchmark: how long `flags.refresh` takes on 100k orders.

    .venv/bin/python -m bench.flags          # copies bench/results/portal.sqlite3 (bench/portal.py builds it)
    .venv/bin/python -m bench.flags --db postgresql://user@host/dbname   # the same data on PostgreSQL

Works on a copy (bench/results/flags.sqlite3) of the portal benchmark's database
(100k products, 100k orders in every state, with items, BASTs and payments), brought up
to the latest migration, so the portal's own database is left as it was. With a
PostgreSQL URL the database there is emptied (its whole `public` schema), migrated, and
filled with the rows of the portal database, table by table; it is reused by the next
run unless `--fresh`.

Prints the load average, then each finder alone, run `--finder-repeat` times: how many
it found, its best and median time, and the CPU time of this process in its best run
(on SQLite that includes the database's work, on PostgreSQL not). Then runs the refresh
`--repeat` times (the first stores the flags, the next ones update them, as the nightly
`flask flags refresh` does) and splits each into finding and storing.

BENCH-ONLY SHORTCUT: the orders are bulk-inserted (see bench/portal.py), so the flags
found say nothing about the demo; only the time counts. Results: docs/BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from bench.build_db import RESULTS, ROOT, make_app
from bench.portal import DEFAULT_DB as PORTAL_DB
from bench.portal import main as build_portal
from bench.portal import order_count
from bench.postgres import copy_to_postgres, count_rows, is_postgres, postgres_app

DEFAULT_DB = RESULTS / "flags.sqlite3"


def load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(DEFAULT_DB), help="a SQLite file, or a postgresql:// URL")
    parser.add_argument("--repeat", type=int, default=3, help="refreshes")
    parser.add_argument("--finder-repeat", type=int, default=3, help="runs of each finder alone")
    parser.add_argument("--fresh", action="store_true", help="copy the portal database again")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if order_count(PORTAL_DB) < 100_000:
        build_portal(["--repeat", "1", "--warmup", "0"])
    import flask_migrate
    import sqlalchemy as sa

    from pbj.clock import city_today, utcnow
    from pbj.extensions import db
    from pbj.services import flags

    if is_postgres(args.db):
        app = postgres_app(args.db, "flags-postgresql")
        if args.fresh or count_rows(app, "orders") < 100_000:
            print("Copying the portal database to PostgreSQL…", flush=True)
            copy_to_postgres(app, PORTAL_DB, ROOT)
        name = "PostgreSQL " + args.db.rsplit("/", 1)[-1]
    else:
        path = Path(args.db).resolve()
        if args.fresh or not path.exists():
            shutil.copyfile(PORTAL_DB, path)
        app = make_app(path)
        name = path.name
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        count = db.session.scalar(sa.text("SELECT count(*) FROM orders"))
        print(f"{count:,} orders in {name}")
        print(f"Load average at start: {load()}")
        config, today = app.config, city_today()
        finders = [("split", lambda: flags.find_split(config)), ("price", lambda: flags.find_price(config)),
                   ("concentration", lambda: flags.find_concentration(config)),
                   ("fast orders", lambda: flags.find_fast_orders(config)),
                   ("preference", lambda: flags.find_preference(config)),
                   ("tkdn", lambda: flags.find_tkdn(config, today)),
                   ("conflict", lambda: flags.find_conflicts(config)),
                   ("late payment", lambda: flags.find_late_payments(config, today)),
                   ("penalty waived", lambda: flags.find_waived_penalties(config))]
        print(f"\n{'finder':16} {'found':>7} {'best s':>7} {'median s':>8} {'cpu s':>6}   "
              f"({args.finder_repeat} runs each; cpu: this process, in the best run)")
        best_total = 0.0
        for label, finder in finders:
            runs = []
            for _ in range(args.finder_repeat):
                mark, cpu = time.perf_counter(), time.process_time()
                found = finder()
                runs.append((time.perf_counter() - mark, time.process_time() - cpu))
                db.session.rollback()
            best = min(runs)
            best_total += best[0]
            print(f"{label:16} {len(found):7,} {best[0]:7.2f} {statistics.median(r[0] for r in runs):8.2f} "
                  f"{best[1]:6.2f}", flush=True)
        print(f"{'all finders':16} {'':7} {best_total:7.2f}\n")
        for n in range(args.repeat):
            steps = []
            mark = time.perf_counter()
            counts = flags.refresh(utcnow(), today, advance=lambda *a, **k: steps.append(time.perf_counter()))
            db.session.commit()
            end = time.perf_counter()
            print(f"refresh {n + 1}: {sum(counts.values()):,} flags in {end - mark:.2f} s (finding "
                  f"{steps[-1] - mark:.2f} s, storing and committing {end - steps[-1]:.2f} s)", flush=True)
        print(f"Load average at end: {load()}")


if __name__ == "__main__":
    main()
