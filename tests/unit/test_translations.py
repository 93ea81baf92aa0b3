"""The Indonesian catalogue covers every interface string, and its placeholders fit.

Indonesian is the default language, so an untranslated string would show English to
clerks and business owners. The strings are extracted from the source the same way
`make messages` does (babel.cfg, keywords `_` and `_l`), not read from the .pot,
so a string added without running `make messages` fails here too, by name.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages import checkers
from babel.messages import frontend as babel_frontend
from babel.messages.catalog import TranslationError
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "pbj" / "translations" / "id" / "LC_MESSAGES" / "messages.po"

# `%(name)s`, `%(n)d`, `%%` …: the conversions Python's %-formatting knows.
NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrs])")


def _source_msgids() -> set[str]:
    parse_cfg = getattr(babel_frontend, "parse_mapping_cfg", None) or babel_frontend.parse_mapping
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_cfg(f)
    keywords = dict(DEFAULT_KEYWORDS)
    keywords["_l"] = None  # as `pybabel extract -k _l` in the Makefile
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            ids.add(msgid)
    return ids


@pytest.fixture(scope="module")
def catalog():
    with open(PO_FILE, "rb") as f:
        return read_po(f, locale="id")


@pytest.fixture(scope="module")
def source_msgids():
    return _source_msgids()


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return all(s and s.strip() for s in strings)


def test_extraction_finds_the_interface_strings(source_msgids):
    # Guards the test itself: an extraction that finds nothing would pass everything.
    assert "Log in" in source_msgids
    assert "There is a problem" in source_msgids  # from a template
    assert len(source_msgids) > 100


def test_catalogue_is_indonesian(catalog):
    assert str(catalog.locale) == "id"
    assert catalog.mime_headers and dict(catalog.mime_headers)["Content-Type"].lower().endswith("utf-8")


def test_every_source_string_has_an_indonesian_translation(catalog, source_msgids):
    problems = []
    for msgid in sorted(source_msgids):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"not in the catalogue (run `make messages`): {msgid!r}")
        elif not _translated(message):
            problems.append(f"empty translation: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"marked fuzzy (check the translation, then remove the flag): {msgid!r}")
    assert not problems, "pbj/translations/id/LC_MESSAGES/messages.po:\n" + "\n".join(problems)


def test_catalogue_has_no_fuzzy_or_empty_entries(catalog):
    bad = [m.id for m in catalog if m.id and (m.fuzzy or not _translated(m))]
    assert not bad, f"fuzzy or empty entries: {bad}"
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy"


def test_python_format_placeholders_match(catalog):
    problems = []
    for message in catalog:
        if not message.id:
            continue
        try:
            checkers.python_format(catalog, message)
        except TranslationError as exc:
            problems.append(f"{message.id!r}: {exc}")
        # A plural entry has a tuple of ids; the plural form's placeholders are the reference.
        source = message.id[-1] if isinstance(message.id, (tuple, list)) else message.id
        source_names = sorted(NAMED_PLACEHOLDER.findall(source))
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for translated in strings:
            if sorted(NAMED_PLACEHOLDER.findall(translated)) != source_names:
                problems.append(f"{message.id!r}: placeholders {source_names} "
                                f"but the translation has {sorted(NAMED_PLACEHOLDER.findall(translated))}")
    assert not problems, "\n".join(problems)


def _sample_values(text: str) -> dict[str, object]:
    return {name: (7 if conversion in "diouxXc" else 1.5 if conversion in "eEfFgG" else "x")
            for name, conversion in NAMED_PLACEHOLDER.findall(text)}


def test_translations_format_wherever_the_english_does(catalog):
    """Templates apply `%` to every string (newstyle gettext), views pass keywords:
    a stray `%` in a translation must not break a page that works in English."""
    problems = []
    for message in catalog:
        if not message.id or not isinstance(message.string, str):
            continue
        values = _sample_values(message.id)
        try:
            message.id % values
        except (TypeError, ValueError, KeyError):
            continue  # the English is not a %-format string (e.g. "0.5% final"); nor need the translation be
        try:
            message.string % values
        except (TypeError, ValueError, KeyError) as exc:
            problems.append(f"{message.id!r} -> {message.string!r}: {exc}")
    assert not problems, "\n".join(problems)
