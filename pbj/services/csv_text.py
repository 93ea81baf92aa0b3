"""Uploaded CSV files: their text, whatever saved them (UTF-8 with or without the BOM
spreadsheets add, or the Windows code page an older spreadsheet uses), and the refusal of
an all-or-nothing import that lists every bad row."""
from __future__ import annotations

from pbj.messages import lazy_gettext as _l
from pbj.services.errors import DomainError


def decode(data: bytes | str) -> str:
    """The file's text; cp1252 when it is not UTF-8 (every byte is then a character)."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # a spreadsheet saved the Windows way


class BadRows(DomainError):
    """A CSV file with bad rows: nothing was saved; `rows` lists (line number, message)."""

    def __init__(self, rows: list[tuple[int, str]]):
        super().__init__(_l("%(n)s row(s) of the file cannot be read; nothing was imported. Correct them "
                            "and upload the file again.", n=len(rows)), field="file")
        self.rows = rows
