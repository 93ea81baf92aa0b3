"""How many SQL statements a page costs: the tests that check a page's queries do not
grow with the rows it shows (no query per row)."""
from __future__ import annotations

from sqlalchemy import event

from pbj.extensions import db


def queries(client, url: str) -> int:
    """The statements one GET of `url` runs (transaction control not counted), from a
    session with nothing loaded (requests share the test's session)."""
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):  # transactions are not queries
            statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)
