"""Text of an uploaded CSV file, whatever saved it: UTF-8 (with or without the BOM
spreadsheets add) or the Windows code page an older spreadsheet uses."""
from __future__ import annotations


def decode(data: bytes | str) -> str:
    """The file's text; cp1252 when it is not UTF-8 (every byte is then a character)."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # a spreadsheet saved the Windows way
