"""Document numbers: SP, BAST and invoice, gapless per OPD, kind and year."""
from __future__ import annotations

from datetime import date, datetime

from pbj.extensions import db
from pbj.models.orders import DocumentSequence, Order, OrderDocumentKind


def next_number(opd_id: int, kind: OrderDocumentKind, year: int) -> int:
    """The next number for this OPD, kind and year, in the caller's transaction.

    One upsert that returns the new value: the row lock (PostgreSQL) or the write
    lock (SQLite) makes concurrent approvals wait for each other, and a rollback
    gives the number back, so numbers are gapless and never repeat.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = DocumentSequence.__table__
    stmt = insert(table).values(opd_id=opd_id, kind=kind.value, year=year, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["opd_id", "kind", "year"],
                                      set_={"last": table.c.last + 1}).returning(table.c.last)
    return db.session.execute(stmt).scalar_one()


DOCUMENT_PREFIX = {OrderDocumentKind.SURAT_PESANAN: "SP", OrderDocumentKind.BAST: "BAST",
                   OrderDocumentKind.INVOICE: "INV"}


def _document_number(order: Order, kind: OrderDocumentKind, today: date) -> str:
    seq = next_number(order.opd_id, kind, today.year)
    code = order.opd.code or str(order.opd_id)
    return f"{DOCUMENT_PREFIX[kind]}/{code}/{today.year}/{seq:04d}"


def _issue(order: Order, kind: OrderDocumentKind, number: str, now: datetime) -> None:
    """Record the document for public verification (pbj.services.documents)."""
    from pbj.services import documents

    documents.issue_document(order, kind, number, issued_at=now)
