"""The RUP register (DESIGN.md, "Who may order, per package").

A package is a Kode RUP of an OPD's annual procurement plan (SIRUP). Checkout
orders under a package, and the live orders of one package (every status but
cancelled, rejected and expired) add up: against its pagu for everybody, and
against `PP_ORDER_LIMIT_RUPIAH` when a PP orders (Perpres 16/2018 Art. 20(2)
forbids splitting a package to stay under a limit).

Who manages a register: UKPBJ admins for every OPD; the PP and the PPK of an
OPD for their own. Who reads it: those, the OPD's bendahara, and auditors.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from pbj.extensions import db
from pbj.messages import Message
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.orders import DEAD_STATUSES, BudgetSource, Order, OrderItem
from pbj.models.packages import ProcurementMethod, RupPackage
from pbj.services import audit
from pbj.services.csv_text import decode as decode_csv
from pbj.services.errors import DomainError, NotAllowed

MANAGERS = (Role.PP, Role.PPK)  # of the package's own OPD; admins manage every OPD's
READERS = (Role.PP, Role.PPK, Role.BENDAHARA)  # of the OPD; admins and auditors read all

MAX_NAME = 300
MAX_SATKER = 200
MAX_DESCRIPTION = 2000
MAX_PAGU = 10 ** 15  # one quadrillion rupiah: beyond any regional budget


def _rupiah(value: int) -> str:
    return "Rp " + f"{value:,}".replace(",", ".")


# -- Who ---------------------------------------------------------------------------------

def can_manage(actor: User, opd_id: int) -> bool:
    return actor.role is Role.ADMIN or (actor.role in MANAGERS and actor.org_id == opd_id)


def can_view(actor: User, package: RupPackage) -> bool:
    if actor.role in (Role.ADMIN, Role.AUDITOR):
        return True
    return actor.role in READERS and actor.org_id == package.opd_id


def sees_every_opd(actor: User) -> bool:
    return actor.role in (Role.ADMIN, Role.AUDITOR)


def _require_manager(actor: User, opd: Organisation) -> None:
    if not can_manage(actor, opd.id):
        raise NotAllowed(_l("Only UKPBJ administrators and the OPD's PP or PPK manage its RUP register."))
    if opd.kind is not OrgKind.OPD:
        raise DomainError(_l("Choose an OPD."), field="opd_id")


def allowed_sources(opd: Organisation) -> list[BudgetSource]:
    """Funding sources the OPD's packages may use (`BUDGET_SOURCES_BY_OPD`)."""
    table = current_app.config["BUDGET_SOURCES_BY_OPD"]
    codes = table.get(opd.code or "", table.get("*", [s.value for s in BudgetSource]))
    return [s for s in BudgetSource if s.value in codes]


# -- Saving one package --------------------------------------------------------------------

@dataclass
class PackageData:
    rup_code: str
    name: str
    pagu: int | None
    method: ProcurementMethod | None
    funding_source: BudgetSource | None
    budget_year: int | None
    satker: str = ""
    description: str = ""


def _clean(opd: Organisation, data: PackageData, package: RupPackage | None) -> PackageData:
    """Check one package's values; DomainError (on the field) for the first problem."""
    code = (data.rup_code or "").strip()
    if not (code.isascii() and code.isdigit() and 5 <= len(code) <= 20):
        raise DomainError(_l("The Kode RUP is the number of the package in SIRUP (5 to 20 digits)."),
                          field="rup_code")
    other = db.session.scalar(sa.select(RupPackage).where(RupPackage.rup_code == code))
    if other is not None and other is not package:
        if other.opd_id != opd.id:
            raise DomainError(_l("Kode RUP %(code)s belongs to another OPD's register.", code=code),
                              field="rup_code")
        raise DomainError(_l("Kode RUP %(code)s is already in the register.", code=code), field="rup_code")
    name = " ".join((data.name or "").split())
    if not 3 <= len(name) <= MAX_NAME:
        raise DomainError(_l("Enter the package name (3 to 300 characters)."), field="name")
    if data.pagu is None or not 1 <= data.pagu <= MAX_PAGU:
        raise DomainError(_l("Enter the pagu in whole rupiah, more than zero."), field="pagu")
    if package is not None:
        used = live_total(package)
        if data.pagu < used:
            raise DomainError(_l("The pagu cannot be below what the package's live orders already hold "
                                 "(%(total)s).", total=_rupiah(used)), field="pagu")
    if data.method is None:
        raise DomainError(_l("Choose the procurement method."), field="method")
    if data.funding_source is None:
        raise DomainError(_l("Choose the funding source."), field="funding_source")
    if data.funding_source not in allowed_sources(opd):
        raise DomainError(_l("%(source)s is not a funding source of %(opd)s.",
                             source=data.funding_source.value.upper(), opd=opd.name), field="funding_source")
    if data.budget_year is None or not 2000 <= data.budget_year <= 2100:
        raise DomainError(_l("Enter the budget year, for example 2026."), field="budget_year")
    satker = " ".join((data.satker or "").split())
    if len(satker) > MAX_SATKER:
        raise DomainError(_l("The work unit (satker) is at most 200 characters."), field="satker")
    description = (data.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(_l("The description is at most 2000 characters."), field="description")
    return PackageData(code, name, data.pagu, data.method, data.funding_source, data.budget_year, satker,
                       description)


def save_package(actor: User | None, opd: Organisation, data: PackageData, now: datetime,
                 package: RupPackage | None = None) -> RupPackage:
    """Add a package to the OPD's register, or change one (its Kode RUP stays)."""
    if actor is not None:
        _require_manager(actor, opd)
    if package is not None:
        lock(package)
        data.rup_code = package.rup_code
    clean = _clean(opd, data, package)
    created = package is None
    if created:
        package = RupPackage(opd_id=opd.id, rup_code=clean.rup_code, created_at=now)
        db.session.add(package)
    _apply(package, clean, now)
    db.session.flush()
    audit.record("rup.package_added" if created else "rup.package_changed", actor, package, at=now,
                 rup_code=package.rup_code, pagu=package.pagu, method=package.method.value,
                 source=package.funding_source.value, year=package.budget_year)
    return package


def _apply(package: RupPackage, clean: PackageData, now: datetime) -> None:
    package.name, package.pagu, package.method = clean.name, clean.pagu, clean.method
    package.funding_source, package.budget_year = clean.funding_source, clean.budget_year
    package.satker, package.description, package.updated_at = clean.satker, clean.description, now


# -- CSV import ------------------------------------------------------------------------------

# Column headers as SIRUP's export and people write them (compared lower-case, with
# "_" as a space and "(Rp)" left out), per field.
HEADERS = {
    "rup_code": ("kode rup", "kd rup", "kode", "id rup"),
    "name": ("nama paket", "paket"),
    "pagu": ("pagu", "total pagu", "nilai pagu", "pagu rup"),
    "method": ("metode pemilihan", "metode pengadaan", "metode"),
    "funding_source": ("sumber dana",),
    "budget_year": ("tahun anggaran", "tahun", "ta"),
    "satker": ("satuan kerja", "satker", "nama satker"),
    "description": ("uraian", "uraian pekerjaan", "deskripsi", "keterangan"),
}
REQUIRED = ("rup_code", "name", "pagu", "method", "funding_source", "budget_year")
METHOD_WORDS = {
    "epurchasing": ProcurementMethod.E_PURCHASING,
    "pengadaanlangsung": ProcurementMethod.PENGADAAN_LANGSUNG,
    "penunjukanlangsung": ProcurementMethod.PENUNJUKAN_LANGSUNG,
    "tender": ProcurementMethod.TENDER,
    "tendercepat": ProcurementMethod.TENDER_CEPAT,
    "seleksi": ProcurementMethod.SELEKSI,
    "dikecualikan": ProcurementMethod.DIKECUALIKAN,
}
SOURCE_WORDS = {
    "apbd": BudgetSource.APBD, "apbdp": BudgetSource.APBD, "apbdperubahan": BudgetSource.APBD,
    "apbn": BudgetSource.APBN, "apbnp": BudgetSource.APBN,
    "dak": BudgetSource.DAK, "dakfisik": BudgetSource.DAK, "daknonfisik": BudgetSource.DAK,
    "blud": BudgetSource.BLUD, "bos": BudgetSource.BOS, "bosp": BudgetSource.BOS,
    "lainnya": BudgetSource.OTHER, "lain": BudgetSource.OTHER, "phln": BudgetSource.OTHER,
}


@dataclass
class RowProblem:
    line: int  # in the file, the header being line 1
    message: Message


class ImportRefused(DomainError):
    """The file has problems: nothing was imported; `problems` lists them per row."""

    def __init__(self, message, problems: list[RowProblem]):
        super().__init__(message, field="file")
        self.problems = problems


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)  # Kode RUP
    updated: list[str] = field(default_factory=list)


def _header_key(text: str) -> str:
    text = text.replace("\ufeff", "").replace("_", " ").lower()
    text = re.sub(r"\(\s*rp\.?\s*\)", " ", text)
    return " ".join(text.split())


def parse_amount(text: str) -> int | None:
    """Rupiah as spreadsheets write them: "1.250.000.000", "Rp 1.250.000.000,00",
    "1250000000", "1,250,000,000". None if it is not a whole amount."""
    s = re.sub(r"^\s*rp\.?\s*", "", text or "", flags=re.IGNORECASE).strip().replace("\u00a0", "")
    s = s.replace(" ", "")
    s = re.sub(r",(-|0{1,2})$", "", s)
    s = re.sub(r"\.0{1,2}$", "", s) if re.fullmatch(r"\d+\.0{1,2}", s) else s
    if len(s) > 25:
        return None
    if re.fullmatch(r"\d+", s):
        return int(s)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
        return int(s.replace(".", ""))
    if re.fullmatch(r"\d{1,3}(,\d{3})+", s):
        return int(s.replace(",", ""))
    return None


def _word(text: str) -> str:
    return re.sub(r"[^a-z]", "", (text or "").lower())


def _read_rows(raw: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    cfg = current_app.config
    if len(raw) > cfg["RUP_IMPORT_MAX_BYTES"]:
        raise DomainError(_l("The file is too large (at most %(mb)s MB).",
                             mb=cfg["RUP_IMPORT_MAX_BYTES"] // (1024 * 1024)), field="file")
    text = decode_csv(raw).lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    separator = max((";", ",", "\t"), key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error:
        raise DomainError(_l("The file cannot be read as CSV."), field="file") from None
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise DomainError(_l("The file is empty."), field="file")
    header_line, header = numbered[0]
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _header_key(cell)
        for name, spellings in HEADERS.items():
            if key in spellings and name not in columns:
                columns[name] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise DomainError(_l("The first row must name the columns: Kode RUP; Nama Paket; Pagu; Metode "
                             "Pemilihan; Sumber Dana; Tahun Anggaran (missing: %(missing)s).",
                             missing=", ".join(HEADERS[m][0].title() for m in missing)), field="file")
    body = numbered[1:]
    if not body:
        raise DomainError(_l("The file has no packages under its header row."), field="file")
    if len(body) > cfg["RUP_IMPORT_MAX_ROWS"]:
        raise DomainError(_l("The file has more than %(n)s packages: split it.", n=cfg["RUP_IMPORT_MAX_ROWS"]),
                          field="file")
    return columns, body


def import_csv(actor: User | None, opd: Organisation, raw: bytes, now: datetime) -> ImportResult:
    """Import an OPD's packages from a SIRUP-style CSV, all or nothing.

    Columns (header row, any order, case-insensitive, ';' or ',' or tab separated,
    UTF-8 with or without a BOM): Kode RUP, Nama Paket, Pagu, Metode Pemilihan, Sumber
    Dana, Tahun Anggaran, and optionally Satuan Kerja and Uraian. A Kode RUP already in
    the OPD's register is updated. Any bad row refuses the whole file with every
    problem listed (ImportRefused), so a register is never half-imported.
    """
    if actor is not None:
        _require_manager(actor, opd)
    columns, body = _read_rows(raw)
    problems: list[RowProblem] = []
    cleaned: list[tuple[PackageData, RupPackage | None]] = []
    seen: dict[str, int] = {}

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    for line, row in body:
        code = cell(row, "rup_code")
        if code in seen:
            problems.append(RowProblem(line, _l("Kode RUP %(code)s is also on line %(line)s.", code=code,
                                                line=seen[code])))
            continue
        seen[code] = line
        pagu_text, method_text, source_text = cell(row, "pagu"), cell(row, "method"), cell(row, "funding_source")
        year_text = cell(row, "budget_year")
        pagu = parse_amount(pagu_text)
        method = METHOD_WORDS.get(_word(method_text))
        source = SOURCE_WORDS.get(_word(source_text))
        if pagu is None:
            problems.append(RowProblem(line, _l("The pagu “%(value)s” is not an amount in rupiah (write it "
                                                "like 1.250.000.000).", value=pagu_text[:40])))
            continue
        if method is None:
            problems.append(RowProblem(line, _l("Unknown method “%(value)s” (use E-Purchasing, Pengadaan "
                                                "Langsung, Penunjukan Langsung, Tender, Tender Cepat, "
                                                "Seleksi or Dikecualikan).", value=method_text[:40])))
            continue
        if source is None:
            problems.append(RowProblem(line, _l("Unknown funding source “%(value)s” (use APBD, APBN, DAK, "
                                                "BLUD, BOS or Lainnya).", value=source_text[:40])))
            continue
        year = int(year_text) if year_text.isascii() and year_text.isdigit() and len(year_text) == 4 else None
        existing = db.session.scalar(sa.select(RupPackage).where(RupPackage.rup_code == code))
        data = PackageData(code, cell(row, "name"), pagu, method, source, year, cell(row, "satker"),
                           cell(row, "description"))
        try:
            if existing is not None and existing.opd_id == opd.id:
                lock(existing)
                cleaned.append((_clean(opd, data, existing), existing))
            else:
                cleaned.append((_clean(opd, data, None), None))
        except DomainError as e:
            problems.append(RowProblem(line, e.message))
    if problems:
        raise ImportRefused(_l("Nothing was imported: %(n)s rows have a problem. Correct them and upload "
                               "the file again.", n=len(problems)), problems)
    result = ImportResult()
    for clean, existing in cleaned:
        if existing is None:
            package = RupPackage(opd_id=opd.id, rup_code=clean.rup_code, created_at=now)
            db.session.add(package)
            result.added.append(clean.rup_code)
        else:
            package = existing
            result.updated.append(clean.rup_code)
        _apply(package, clean, now)
    db.session.flush()
    audit.record("rup.imported", actor, opd, at=now, added=len(result.added), updated=len(result.updated))
    return result


# -- Reading the register ---------------------------------------------------------------------

def register_query(opd_id: int | None, words: str = "", year: int | None = None):
    """Packages of one OPD (or all), newest year first, matching the words in code or name."""
    query = sa.select(RupPackage)
    if opd_id is not None:
        query = query.where(RupPackage.opd_id == opd_id)
    if year is not None:
        query = query.where(RupPackage.budget_year == year)
    for word in words.split()[:8]:
        pattern = f"%{escape_like(word[:60].lower())}%"
        query = query.where(sa.or_(sa.func.lower(RupPackage.name).like(pattern, escape="\\"),
                                   RupPackage.rup_code.like(pattern, escape="\\")))
    return query.options(selectinload(RupPackage.opd)).order_by(RupPackage.budget_year.desc(), RupPackage.rup_code)


def escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The quantity an order line still commits: ordered, less a cancelled undelivered rest.
KEPT = OrderItem.quantity - OrderItem.cancelled_qty


def live_total(package: RupPackage, *, excluding: int | None = None) -> int:
    """The agreed value of the package's live orders (every status but cancelled,
    rejected and expired; less a rest the PPK cancelled), optionally without one order."""
    query = (sa.select(sa.func.coalesce(sa.func.sum(OrderItem.agreed_price * KEPT), 0))
             .join(Order, Order.id == OrderItem.order_id)
             .where(Order.package_id == package.id, Order.status.not_in(DEAD_STATUSES)))
    if excluding is not None:
        query = query.where(Order.id != excluding)
    return int(db.session.scalar(query) or 0)


def live_totals(package_ids: list[int]) -> dict[int, int]:
    """live_total for many packages in one query."""
    if not package_ids:
        return {}
    rows = db.session.execute(
        sa.select(Order.package_id, sa.func.sum(OrderItem.agreed_price * KEPT))
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.package_id.in_(package_ids), Order.status.not_in(DEAD_STATUSES))
        .group_by(Order.package_id)).all()
    return {pid: int(total or 0) for pid, total in rows}


def package_orders(package: RupPackage) -> list[Order]:
    return list(db.session.scalars(
        sa.select(Order).where(Order.package_id == package.id)
        .options(selectinload(Order.items), selectinload(Order.supplier), selectinload(Order.buyer))
        .order_by(Order.id.desc())))


def lock(package: RupPackage) -> None:
    """Take the package's row lock before summing its orders (PostgreSQL: FOR UPDATE;
    SQLite's write lock, taken at BEGIN IMMEDIATE, already serialises writers)."""
    db.session.execute(sa.select(RupPackage.id).where(RupPackage.id == package.id).with_for_update())


# -- Ordering under a package ---------------------------------------------------------------------

def orderable(package: RupPackage, opd: Organisation, today: date) -> Message | None:
    """Why this package cannot be ordered under now (None: it can)."""
    if package.method is not ProcurementMethod.E_PURCHASING:
        return _l("Package %(code)s is not an e-purchasing package: it cannot be ordered from the catalogue.",
                  code=package.rup_code)
    if package.budget_year != today.year:
        return _l("Package %(code)s is of budget year %(year)s; only this year's (%(now)s) packages can be "
                  "ordered.", code=package.rup_code, year=package.budget_year, now=today.year)
    if package.funding_source not in allowed_sources(opd):
        return _l("The funding source of package %(code)s (%(source)s) is not allowed for %(opd)s.",
                  code=package.rup_code, source=package.funding_source.value.upper(), opd=opd.name)
    return None


def orderable_packages(actor: User, today: date) -> list[RupPackage]:
    """The packages the actor's OPD may order under today (e-purchasing, this year, an
    allowed source)."""
    sources = allowed_sources(actor.org)
    return list(db.session.scalars(
        sa.select(RupPackage).where(RupPackage.opd_id == actor.org_id,
                                    RupPackage.method == ProcurementMethod.E_PURCHASING,
                                    RupPackage.budget_year == today.year,
                                    RupPackage.funding_source.in_(sources))
        .order_by(RupPackage.rup_code)))


def check_room(package: RupPackage, buyer: User, adding: int, *, excluding: int | None = None,
               field_name: str | None = "package_id") -> None:
    """Refuse when `adding` rupiah more would take the package above its pagu (anyone) or
    above the PP limit (a PP). Call after `lock(package)`."""
    so_far = live_total(package, excluding=excluding)
    after = so_far + adding
    if after > package.pagu:
        raise DomainError(_l("This would take package %(code)s above its pagu of %(pagu)s: its live orders "
                             "already hold %(total)s and %(left)s remains.", code=package.rup_code,
                             pagu=_rupiah(package.pagu), total=_rupiah(so_far),
                             left=_rupiah(max(0, package.pagu - so_far))), field=field_name)
    limit = current_app.config["PP_ORDER_LIMIT_RUPIAH"]
    if buyer.role is not Role.PPK and after > limit:
        raise DomainError(_l("Orders under one package add up: package %(code)s already holds %(total)s, and "
                             "with this order it would be %(after)s, above the PP limit of %(limit)s. Only a "
                             "PPK may order above it.", code=package.rup_code, total=_rupiah(so_far),
                             after=_rupiah(after), limit=_rupiah(limit)), field=field_name)
