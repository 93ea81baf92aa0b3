"""Document numbers: SP, BAST and invoice (tagihan), gapless per OPD, kind and year.

The text around the sequence number comes from `DOCUMENT_NUMBER_FORMATS` (checked at
start-up by `check_formats`); a number once issued is stored and never rebuilt.
"""
from __future__ import annotations

import string
from datetime import date, datetime

from flask import current_app

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


PLACEHOLDERS = ("opd", "year", "seq")
# Numbers are stored in columns of 60 characters.
NUMBER_LENGTH = 60


def format_number(template: str, opd: str, year: int, seq: int) -> str:
    return template.format(opd=opd, year=year, seq=seq)


def check_formats(formats) -> dict[str, str]:
    """The numbering formats, one per document kind, or ValueError saying what is wrong.

    Each must name {seq} (else two documents would share a number), may name {opd}
    and {year}, and nothing else; a sample number must fit the stored 60 characters.
    """
    if not isinstance(formats, dict):
        raise ValueError("a mapping of document kind (sp, bast, invoice) to a format, like "
                         "{'sp': 'SP/{opd}/{year}/{seq:04d}', ...}")
    kinds = {kind.value for kind in OrderDocumentKind}
    unknown = set(formats) - kinds
    if unknown:
        raise ValueError(f"unknown document kind(s) {sorted(unknown)}; the kinds are {sorted(kinds)}")
    missing = kinds - set(formats)
    if missing:
        raise ValueError(f"no format for {sorted(missing)}")
    checked = {}
    for kind, template in formats.items():
        if not isinstance(template, str) or not template.strip():
            raise ValueError(f"the format of {kind!r} must be non-empty text")
        try:
            names = [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None]
        except ValueError as error:
            raise ValueError(f"the format of {kind!r} ({template!r}) is not valid: {error}") from None
        bad = [name for name in names if name not in PLACEHOLDERS]
        if bad:
            raise ValueError(f"the format of {kind!r} ({template!r}) has unknown placeholder(s) "
                             f"{', '.join('{' + n + '}' for n in bad)}; use only {{opd}}, {{year}} and {{seq}}")
        if "seq" not in names:
            raise ValueError(f"the format of {kind!r} ({template!r}) must contain {{seq}}")
        try:
            sample = format_number(template, "X" * 20, 2026, 99_999)
        except (ValueError, TypeError, IndexError, KeyError) as error:
            raise ValueError(f"the format of {kind!r} ({template!r}) cannot be filled in: {error}") from None
        if len(sample) > NUMBER_LENGTH:
            raise ValueError(f"numbers of {kind!r} ({template!r}) can be longer than {NUMBER_LENGTH} characters")
        checked[kind] = template
    return checked


def _document_number(order: Order, kind: OrderDocumentKind, today: date) -> str:
    seq = next_number(order.opd_id, kind, today.year)
    code = order.opd.code or str(order.opd_id)
    return format_number(current_app.config["DOCUMENT_NUMBER_FORMATS"][kind.value], code, today.year, seq)


def _issue(order: Order, kind: OrderDocumentKind, number: str, now: datetime) -> None:
    """Record the document for public verification (pbj.services.documents)."""
    from pbj.services import documents

    documents.issue_document(order, kind, number, issued_at=now)
