"""OPD goods/services budgets per year (models.budgets.OpdBudget): entered by UKPBJ
admins from the regional budget, one by one or as a CSV file; the UMK meter divides
the OPD's UMK spending by it (pbj.services.spending).

CSV: a header row and one row per OPD, `kode_opd;tahun;anggaran` (the OPD's short code
as on its documents, the budget year, the amount in rupiah written as spreadsheets do).
All or nothing: any bad row refuses the whole file and every bad row is listed.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.budgets import OpdBudget
from pbj.services import audit
from pbj.services.csv_text import BadRows
from pbj.services.csv_text import decode as decode_csv
from pbj.services.errors import DomainError, NotAllowed
from pbj.services.packages import parse_amount

MAX_AMOUNT = 10 ** 15  # beyond any city's budget: a typo
CSV_MAX_ROWS = 1000
CSV_MAX_BYTES = 512 * 1024
YEARS = (2000, 2100)


@dataclass
class ImportResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0


def _require_admin(actor: User | None) -> None:
    if actor is not None and actor.role is not Role.ADMIN:
        raise NotAllowed(_l("Only UKPBJ administrators enter OPD budgets."))


def clean_year(value) -> int:
    year = value if isinstance(value, int) else (int(value) if str(value or "").strip().isdigit()
                                                 and len(str(value).strip()) == 4 else None)
    if year is None or not YEARS[0] <= year <= YEARS[1]:
        raise DomainError(_l("Enter the budget year as four digits, e.g. 2026."), field="year")
    return year


def clean_amount(text: str | int) -> int:
    amount = text if isinstance(text, int) else parse_amount(str(text or ""))
    if amount is None or not 0 < amount <= MAX_AMOUNT:
        raise DomainError(_l("Enter the budget in whole rupiah, e.g. 12.500.000.000."), field="amount")
    return amount


def opds() -> list[Organisation]:
    """The active OPDs, by name (the rows of the budget page)."""
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrgKind.OPD, Organisation.active.is_(True)).order_by(Organisation.name)))


def for_year(year: int) -> dict[int, int]:
    """OPD id → budget of the year, for the OPDs that have one."""
    return dict(db.session.execute(sa.select(OpdBudget.opd_id, OpdBudget.amount).where(OpdBudget.year == year))
                .tuples().all())


def set_budget(actor: User | None, opd: Organisation, year: int, amount: int, now: datetime) -> OpdBudget:
    """Enter or change the OPD's goods/services budget for `year` (audited with the old amount)."""
    _require_admin(actor)
    if opd.kind is not OrgKind.OPD:
        raise DomainError(_l("Budgets are entered for OPDs only."), field="opd_id")
    year, amount = clean_year(year), clean_amount(amount)
    budget = db.session.get(OpdBudget, (opd.id, year))
    before = budget.amount if budget is not None else None
    if budget is None:
        budget = OpdBudget(opd_id=opd.id, year=year, amount=amount)
        db.session.add(budget)
    budget.amount, budget.updated_by_id, budget.updated_at = amount, actor.id if actor else None, now
    db.session.flush()
    audit.record("budget.set", actor, opd, at=now, year=year, value=amount, **({"before": before}
                                                                              if before is not None else {}))
    return budget


def import_csv(actor: User | None, raw: bytes, now: datetime) -> ImportResult:
    """Read `kode_opd;tahun;anggaran` rows (';' or ',' separated, header first). All or
    nothing: with any bad row nothing is saved and `BadRows` lists every bad row."""
    _require_admin(actor)
    if len(raw) > CSV_MAX_BYTES:
        raise BadRows([(0, str(_l("The file is too large (at most %(kb)s KB).", kb=CSV_MAX_BYTES // 1024)))])
    text = unicodedata.normalize("NFC", decode_csv(raw)).replace("\x00", "").lstrip("\ufeff")
    separator = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    by_code = {o.code.lower(): o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == OrgKind.OPD, Organisation.code.is_not(None)))}
    rows: list[tuple[Organisation, int, int]] = []
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[int, int], int] = {}
    try:
        for line, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=separator), start=1):
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if line == 1 and cells[0].lower().replace(" ", "_") in ("kode_opd", "kode", "opd", "code"):
                continue  # the header
            if len(rows) + len(errors) >= CSV_MAX_ROWS:
                errors.append((line, str(_l("At most %(n)s rows per file.", n=CSV_MAX_ROWS))))
                break
            if len(cells) != 3:
                errors.append((line, str(_l("Write three columns: kode_opd;tahun;anggaran."))))
                continue
            opd = by_code.get(cells[0].lower())
            if opd is None:
                errors.append((line, str(_l("No OPD has the code “%(code)s”.", code=cells[0][:30]))))
                continue
            try:
                year, amount = clean_year(cells[1]), clean_amount(cells[2])
            except DomainError as e:
                errors.append((line, str(e.message)))
                continue
            if (opd.id, year) in seen:
                errors.append((line, str(_l("%(code)s %(year)s is also on line %(line)s.", code=opd.code,
                                            year=year, line=seen[(opd.id, year)]))))
                continue
            seen[(opd.id, year)] = line
            rows.append((opd, year, amount))
    except csv.Error:
        errors.append((0, str(_l("The file cannot be read as CSV."))))
    if not rows and not errors:
        errors.append((0, str(_l("The file has no rows."))))
    if errors:
        raise BadRows(errors)
    result = ImportResult()
    for opd, year, amount in rows:
        existing = db.session.get(OpdBudget, (opd.id, year))
        if existing is not None and existing.amount == amount:
            result.unchanged += 1
            continue
        set_budget(actor, opd, year, amount, now)
        if existing is None:
            result.added += 1
        else:
            result.changed += 1
    return result
