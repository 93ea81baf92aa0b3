"""PostgreSQL for the benchmarks: a bench database copied from a SQLite one.

The SQLite bench databases are built by bulk inserts (bench/build_db.py, bench/portal.py);
building them a second time on PostgreSQL would take as long again and could drift from
them. So a PostgreSQL bench database is a copy: its whole `public` schema is emptied,
the migrations are run (the PostgreSQL search columns, GIN index and triggers are the
app's own), and every table of the SQLite file is copied row by row.
"""
from __future__ import annotations

import time
from pathlib import Path

from bench.build_db import RESULTS

CHUNK = 10_000
# Tables filled by their own triggers on PostgreSQL as the products are copied.
TRIGGER_TABLES = {"catalogue_counts", "catalogue_version"}


def is_postgres(db: str | Path) -> bool:
    return str(db).startswith(("postgresql:", "postgres:"))


def postgres_app(url: str, instance: str):
    """The app on a PostgreSQL bench database; `instance` names its folder under bench/results."""
    from pbj import create_app
    from pbj.config import normalise_database_url

    return create_app({
        "PBJ_ENV": "testing",
        "SECRET_KEY": "x" * 40,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
        "INSTANCE_PATH": str(RESULTS / f"{instance}.instance"),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST_KIB": 1024,
    })


def copy_to_postgres(app, source_path: Path, root: Path) -> None:
    """Empty the app's PostgreSQL database, migrate it and copy every table of `source_path`."""
    import flask_migrate
    import sqlalchemy as sa

    from pbj.extensions import db

    source = sa.create_engine(f"sqlite:///{source_path}")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        flask_migrate.upgrade(directory=str(root / "migrations"))
        have = set(sa.inspect(source).get_table_names())
        with source.connect() as src, db.engine.begin() as conn:
            # COPY, not INSERTs: the statement trigger that counts the catalogue's version then
            # fires once per table instead of once per row (a million updates of one row).
            # The stored values are the same text on both sides (SQLAlchemy writes them).
            cursor = conn.connection.driver_connection.cursor()
            for table in db.metadata.sorted_tables:
                if table.name not in have or table.name in TRIGGER_TABLES:
                    continue
                mark, copied = time.perf_counter(), 0
                columns = ", ".join(f'"{column.name}"' for column in table.columns)  # our own names
                rows = src.execution_options(yield_per=CHUNK).exec_driver_sql(
                    f"SELECT {columns} FROM {table.name}")  # nosec B608: names from our metadata
                with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        copied += 1
                if not copied:
                    continue
                seconds = time.perf_counter() - mark
                print(f"  copied {table.name}: {copied:,} rows in {seconds:.1f} s", flush=True)
                if "id" in table.c and table.c.id.autoincrement is not False:
                    name = table.name  # from our own metadata
                    conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # nosec B608
                                         f"(SELECT max(id) FROM {name}))"))
            conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    source.dispose()


def count_rows(app, table: str) -> int:
    """Rows of `table` (one of ours) in the app's database; 0 when it has no such table yet."""
    import sqlalchemy as sa

    from pbj.extensions import db

    with app.app_context():
        try:
            return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0  # nosec B608: our name
        except sa.exc.ProgrammingError:
            return 0
        finally:
            db.session.remove()
