"""Report tables for the page, CSV and XLSX: one `Table` feeds all three, so they agree.

A column has a kind: "text", "int", "rupiah" (whole rupiah), "percent" (a Decimal
percent from pbj.services.spending, e.g. 47.55) or "days" (a Decimal or None).

CSV: UTF-8 with a BOM (Excel opens it with the right characters), ';'-separated as
Indonesian Excel expects, numbers unformatted; a text cell starting with = + - @ (or a
tab or carriage return) gets a leading apostrophe, so a spreadsheet never runs it as a
formula (OWASP "CSV injection"). XLSX: the header row bold, rupiah with a thousands
format, percentages as fractions with a % format.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RUPIAH_FORMAT = '"Rp" #,##0'
PERCENT_FORMAT = "0.00%"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"


@dataclass
class Table:
    key: str  # the export's name: laporan-<key>-<year>.csv
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)


def safe_text(value: str) -> str:
    """Neutralise a spreadsheet formula in a text cell."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value, kind: str):
    if value is None:
        return ""
    if kind == "text":
        return safe_text(str(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def to_csv(table: Table) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_text(c.header) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v, c.kind) for v, c in zip(row, table.columns)])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = table.key[:31]
    sheet.append([c.header for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values = []
        for value, column in zip(row, table.columns):
            if value is None:
                values.append(None)
            elif column.kind == "percent":
                values.append(float(Decimal(value) / 100))
            elif column.kind == "days":
                values.append(float(value))
            elif column.kind == "text":
                # Stored as a string cell: openpyxl would read "=…" as a formula otherwise.
                values.append(safe_text(str(value)))
            else:
                values.append(int(value))
        sheet.append(values)
    for index, column in enumerate(table.columns, start=1):
        number_format = {"rupiah": RUPIAH_FORMAT, "percent": PERCENT_FORMAT, "int": "0", "days": "0.0"}.get(column.kind)
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 40 if column.kind == "text" else 18
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
