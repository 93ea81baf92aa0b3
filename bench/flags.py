"""Risk-flag benchmark: how long `flags.refresh` takes on 100k orders.

    .venv/bin/python -m bench.flags          # copies bench/results/portal.sqlite3 (bench/portal.py builds it)

Works on a copy (bench/results/flags.sqlite3) of the portal benchmark's database
(100k products, 100k orders in every state, with items, BASTs and payments), brought up
to the latest migration, so the portal's own database is left as it was. Runs the
refresh `--repeat` times (the first stores the flags, the next ones update them, as the
nightly `flask flags refresh` does) and prints each finder's time and the whole.

BENCH-ONLY SHORTCUT: the orders are bulk-inserted (see bench/portal.py), so the flags
found say nothing about the demo; only the time counts. Results: docs/BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from bench.build_db import RESULTS, ROOT, make_app
from bench.portal import DEFAULT_DB as PORTAL_DB
from bench.portal import main as build_portal
from bench.portal import order_count

DEFAULT_DB = RESULTS / "flags.sqlite3"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="copy the portal database again")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if order_count(PORTAL_DB) < 100_000:
        build_portal(["--repeat", "1", "--warmup", "0"])
    if args.fresh or not args.db.exists():
        shutil.copyfile(PORTAL_DB, args.db)
    import flask_migrate

    from pbj.clock import city_today, utcnow
    from pbj.extensions import db
    from pbj.services import flags

    app = make_app(args.db)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        print(f"{order_count(args.db):,} orders in {args.db.name}")
        config, today = app.config, city_today()
        finders = [("split", lambda: flags.find_split(config)), ("price", lambda: flags.find_price(config)),
                   ("concentration", lambda: flags.find_concentration(config)),
                   ("fast orders", lambda: flags.find_fast_orders(config)),
                   ("preference", lambda: flags.find_preference(config)),
                   ("tkdn", lambda: flags.find_tkdn(config, today)),
                   ("conflict", lambda: flags.find_conflicts(config)),
                   ("late payment", lambda: flags.find_late_payments(config, today)),
                   ("penalty waived", lambda: flags.find_waived_penalties(config))]
        for name, finder in finders:
            mark = time.perf_counter()
            found = finder()
            print(f"  {name:16} {len(found):7,} found in {time.perf_counter() - mark:6.2f} s")
        for n in range(args.repeat):
            mark = time.perf_counter()
            counts = flags.refresh(utcnow(), today)
            db.session.commit()
            print(f"refresh {n + 1}: {sum(counts.values()):,} flags in {time.perf_counter() - mark:.2f} s")


if __name__ == "__main__":
    main()
