"""The holidays table: admins add, change and remove days off, one by one or from CSV;
`flask holidays seed YEAR` loads Indonesia's national holidays from the `holidays`
package. Cuti bersama come from the yearly joint decree (SKB 3 Menteri), which no
library follows reliably, so admins enter them (docs/RULES.md).

CSV: `tanggal;nama;jenis`, one day per row, an optional header row. Dates are ISO
(2026-12-25), day/month/year (25/12/2026, 25-12-2026) or Indonesian (25 Desember 2026,
25 Des 2026, with or without the weekday: "Jumat, 25 Desember 2026"). Kinds: nasional,
cuti bersama, daerah (or national, cuti_bersama, regional).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Role, User
from pbj.models.holidays import Holiday, HolidayKind
from pbj.services import audit
from pbj.services.csv_text import BadRows
from pbj.services.csv_text import decode as decode_csv
from pbj.services.errors import DomainError, NotAllowed

NAME_MAX = 120
CSV_MAX_ROWS = 1000

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "ags": 8, "agt": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}

KINDS = {
    "nasional": HolidayKind.NATIONAL, "libur nasional": HolidayKind.NATIONAL,
    "national": HolidayKind.NATIONAL,
    "cuti bersama": HolidayKind.CUTI_BERSAMA, "cuti_bersama": HolidayKind.CUTI_BERSAMA,
    "cuti": HolidayKind.CUTI_BERSAMA,
    "daerah": HolidayKind.REGIONAL, "libur daerah": HolidayKind.REGIONAL, "regional": HolidayKind.REGIONAL,
}

_BAD_DATE = _l("Write the date as 2026-12-25, 25/12/2026 or 25 Desember 2026.")


def parse_day(text: str | None) -> date:
    """A date written the ISO way, as day/month/year, or with an Indonesian month name."""
    text = " ".join((text or "").split()).strip().lower()
    text = re.sub(r"^[a-z']+,\s*", "", text)  # "jumat, 25 desember 2026"
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if (m := re.fullmatch(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})", text)) and m[2] in MONTHS:
            return date(int(m[3]), MONTHS[m[2]], int(m[1]))
    except ValueError:
        pass  # 31 Februari and the like
    raise DomainError(_BAD_DATE, field="day")


def parse_kind(text: str | None) -> HolidayKind:
    key = " ".join((text or "").replace("_", " ").split()).strip().lower()
    kind = KINDS.get(key) or KINDS.get(key.replace(" ", "_"))
    if kind is None:
        raise DomainError(_l("The kind must be nasional, cuti bersama or daerah."), field="kind")
    return kind


def _name(text: str | None) -> str:
    name = " ".join((text or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise DomainError(_l("Write the holiday's name (1 to 120 characters)."), field="name")
    return name


def _require_admin(actor: User | None) -> None:
    # None: the CLI and demo seeding, run by whoever runs the server.
    if actor is not None and actor.role is not Role.ADMIN:
        raise NotAllowed(_l("Only UKPBJ administrators manage holidays."))


def _on(day: date) -> Holiday | None:
    return db.session.scalar(sa.select(Holiday).where(Holiday.day == day))


def _taken(day: date, holiday: Holiday | None = None) -> None:
    other = _on(day)
    if other is not None and other is not holiday:
        raise DomainError(_l("%(day)s is already in the list: %(name)s.", day=day.strftime("%d/%m/%Y"),
                             name=other.name), field="day")


def years() -> list[int]:
    """The years that have holidays, newest first."""
    found = {d.year for d in db.session.scalars(sa.select(Holiday.day))}
    return sorted(found, reverse=True)


def for_year(year: int) -> list[Holiday]:
    return list(db.session.scalars(sa.select(Holiday).where(
        Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31)).order_by(Holiday.day)))


def add(actor: User | None, day: date, name: str, kind: HolidayKind, now: datetime) -> Holiday:
    _require_admin(actor)
    name = _name(name)
    _taken(day)
    holiday = Holiday(day=day, name=name, kind=kind, created_at=now, updated_at=now)
    db.session.add(holiday)
    db.session.flush()
    audit.record("holiday.added", actor, holiday, at=now, day=day.isoformat(), name=name, kind=kind.value)
    return holiday


def change(actor: User | None, holiday: Holiday, day: date, name: str, kind: HolidayKind,
           now: datetime) -> Holiday:
    _require_admin(actor)
    name = _name(name)
    _taken(day, holiday)
    before = {"day": holiday.day.isoformat(), "name": holiday.name, "kind": holiday.kind.value}
    holiday.day, holiday.name, holiday.kind, holiday.updated_at = day, name, kind, now
    db.session.flush()
    audit.record("holiday.changed", actor, holiday, at=now, before=before, day=day.isoformat(), name=name,
                 kind=kind.value)
    return holiday


def remove(actor: User | None, holiday: Holiday, now: datetime) -> None:
    _require_admin(actor)
    detail = {"day": holiday.day.isoformat(), "name": holiday.name, "kind": holiday.kind.value}
    holiday_id = holiday.id
    db.session.delete(holiday)
    db.session.flush()
    audit.record("holiday.removed", actor, object_type="holidays", object_id=holiday_id, at=now, **detail)


# -- CSV --------------------------------------------------------------------------------

@dataclass
class ImportResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


@dataclass(frozen=True)
class _Row:
    line: int
    day: date
    name: str
    kind: HolidayKind


def import_csv(actor: User | None, data: bytes | str, now: datetime,
               progress: Callable[[int], Callable[..., None]] | None = None) -> ImportResult:
    """Read `tanggal;nama;jenis` rows. All or nothing: with any bad row nothing is saved and
    `BadRows` lists every bad row by its line number. A date already in the table takes
    the row's name and kind (importing the same file twice changes nothing).

    `progress(total)`, when given (the CLI), is called once the rows are read and returns
    the function to call after each row is saved."""
    _require_admin(actor)
    result = ImportResult()
    text = unicodedata.normalize("NFC", decode_csv(data)).replace("\x00", "")
    rows: list[_Row] = []
    seen: dict[date, int] = {}
    try:
        _read_rows(text, rows, seen, result)
    except csv.Error:  # a cell beyond the csv module's size limit, a stray quote at the end
        result.errors.append((len(rows) + len(result.errors) + 1, str(_l("This is not a CSV file of holidays."))))
    if not rows and not result.errors:
        result.errors.append((0, str(_l("The file has no rows."))))
    if result.errors:
        raise BadRows(result.errors)
    existing = {h.day: h for h in db.session.scalars(sa.select(Holiday).where(Holiday.day.in_(list(seen))))}
    advance = progress(len(rows)) if progress else None
    for row in rows:
        holiday = existing.get(row.day)
        if holiday is None:
            add(actor, row.day, row.name, row.kind, now)
            result.added += 1
        elif (holiday.name, holiday.kind) != (row.name, row.kind):
            change(actor, holiday, row.day, row.name, row.kind, now)
            result.changed += 1
        else:
            result.unchanged += 1
        if advance:
            advance()
    return result


def _read_rows(text: str, rows: list[_Row], seen: dict[date, int], result: ImportResult) -> None:
    for line, cells in enumerate(csv.reader(io.StringIO(text), delimiter=";"), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if line == 1 and cells[0].lower() in ("tanggal", "date"):
            continue  # the header
        if len(rows) + len(result.errors) >= CSV_MAX_ROWS:
            result.errors.append((line, str(_l("At most %(n)s rows per file.", n=CSV_MAX_ROWS))))
            break
        if len(cells) != 3:
            result.errors.append((line, str(_l("Write three columns separated by semicolons: "
                                                "tanggal;nama;jenis."))))
            continue
        try:
            day, name, kind = parse_day(cells[0]), _name(cells[1]), parse_kind(cells[2])
        except DomainError as error:
            result.errors.append((line, str(error.message)))
            continue
        if day in seen:
            result.errors.append((line, str(_l("The date %(day)s is also on line %(line)s.",
                                               day=day.strftime("%d/%m/%Y"), line=seen[day]))))
            continue
        seen[day] = line
        rows.append(_Row(line, day, name, kind))


# -- The national list from the `holidays` package ----------------------------------------

def national_holidays(year: int) -> dict[date, str]:
    """Indonesia's national holidays of a year as the `holidays` package knows them
    (its "public" category, Indonesian names; Imlek included). Its cuti bersama
    ("government" category) are left to the admins, who copy them from the decree."""
    import holidays as holiday_calendars

    days = holiday_calendars.country_holidays("ID", years=year, language="id")
    return {day: "; ".join(days.get_list(day))[:NAME_MAX] for day in sorted(days)}


def seed_national(actor: User | None, year: int, now: datetime) -> tuple[int, int]:
    """Add the year's national holidays that are not in the table yet; a date already
    there (an admin's entry) is kept as it is. Returns (added, kept)."""
    _require_admin(actor)
    known = {h.day for h in for_year(year)}
    added = kept = 0
    for day, name in national_holidays(year).items():
        if day in known:
            kept += 1
            continue
        add(actor, day, name, HolidayKind.NATIONAL, now)
        added += 1
    return added, kept
