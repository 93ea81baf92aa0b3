"""Plain Previous/Next pagination with a page number that cannot break a query."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from pbj.extensions import db

MAX_PAGE = 100_000


def page_arg(raw: str | None) -> int:
    """Anything that is not a sensible page number means page 1."""
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(query: sa.Select, page: int, per_page: int) -> Page:
    """One query: fetch one row more than shown to know whether a next page exists."""
    rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(list(rows[:per_page]), page, per_page, len(rows) > per_page)
