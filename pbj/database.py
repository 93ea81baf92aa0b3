"""Database engine set-up: SQLite pragmas and immediate write transactions.

Follows the pysqlite recipe in the SQLAlchemy documentation: the driver's own
transaction handling is switched off and we emit BEGIN ourselves. Write
transactions begin IMMEDIATE, taking the write lock at the start, so two
writers never deadlock on a lock upgrade. Requests that cannot write (GET,
HEAD, OPTIONS) begin DEFERRED so that readers in several workers never queue
behind one another; WAL keeps them unblocked by writers.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

# True unless a request has declared itself read-only; CLI commands and
# services called outside a request always take the write lock.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


@contextmanager
def read_only():
    token = write_intent.set(False)
    try:
        yield
    finally:
        write_intent.reset(token)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


# Search objects made by raw SQL in the migrations (FTS5 table and its shadow
# tables on SQLite; tsvector column and its indexes on PostgreSQL). Alembic's
# comparison leaves them alone.
SEARCH_OBJECTS = ("product_search", "search_vector", "ix_products_search_vector", "ix_products_name_trgm")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (name and name.startswith(SEARCH_OBJECTS))
