"""Every translatable message with parameters escapes them exactly once, in both languages.

Each message the source holds (Python `_`/`_l`/`ngettext`, templates' `_()`) whose wording
has named parameters is formatted with an HTML payload as every text parameter and sent
down each road a message takes to a page: a Jinja expression (pages, htmx fragments,
printable documents, form error summaries), `markupsafe.escape`, a WTForms label, and a
flash through the session's serialiser. The HTML must hold no payload tag, and unescaped
once it must read exactly as the plain text (`str()`: e-mail bodies, CSV cells) — so it is
neither raw nor escaped twice.
"""
from __future__ import annotations

import html
import re

import pytest
from flask import render_template_string
from flask.json.tag import TaggedJSONSerializer
from flask_babel import force_locale
from flask_babel import gettext as plain_gettext
from markupsafe import escape
from wtforms.fields.core import Label

from pbj.messages import Message
from pbj.messages import lazy_gettext as _l
from tests.unit.test_translations import NAMED_PLACEHOLDER, _source_msgids

PAYLOAD = "<i hx-get=/akun hx-trigger=load>\"'&"
RAW_TAG = "<i hx-get"


def _parameters(msgid: str) -> dict[str, object]:
    return {name: (7 if conversion in "diouxXc" else 1.5 if conversion in "eEfFgG" else PAYLOAD)
            for name, conversion in NAMED_PLACEHOLDER.findall(msgid)}


MESSAGES = sorted(m for m in _source_msgids() if any(v == PAYLOAD for v in _parameters(m).values()))


def test_the_table_holds_the_messages_that_carry_user_text():
    # Guards the test: an extraction that found nothing would pass everything.
    assert len(MESSAGES) > 40
    assert "There is no category “%(slug)s”; showing all categories." in MESSAGES
    assert "Only %(n)s %(unit)s of %(name)s are left: change the quantity." in MESSAGES


def _roads(message: Message) -> dict[str, str]:
    """The HTML each road makes of the message."""
    serializer = TaggedJSONSerializer()
    flashed = serializer.loads(serializer.dumps({"_flashes": [("success", message)]}))["_flashes"][0][1]
    return {
        "jinja": render_template_string("{{ m }}", m=message),
        "escape": str(escape(message)),
        "label": str(Label("field", message)()),
        "flash": render_template_string("{{ m }}", m=flashed),
    }


@pytest.mark.parametrize("locale", ["id", "en"])
def test_python_messages_escape_their_parameters_once(app, locale):
    problems = []
    with app.test_request_context(), force_locale(locale):
        for msgid in MESSAGES:
            message = _l(msgid, **_parameters(msgid))
            text = str(message)
            assert PAYLOAD in text, msgid  # the plain text (e-mail, CSV) carries it as typed
            for road, shown in _roads(message).items():
                if RAW_TAG in shown or html.unescape(re.sub(r"</?label[^>]*>", "", shown)) != text:
                    problems.append(f"{road}: {msgid!r} -> {shown!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", ["id", "en"])
def test_template_and_immediate_messages_escape_their_parameters_once(app, locale):
    """`_()` in templates (Jinja's newstyle gettext) and `_()` in views (a plain str)."""
    problems = []
    with app.test_request_context(), force_locale(locale):
        for msgid in MESSAGES:
            parameters = _parameters(msgid)
            text = plain_gettext(msgid, **parameters)
            shown = {
                "template _()": render_template_string("{{ _(msgid, **p) }}", msgid=msgid, p=parameters),
                "view _()": render_template_string("{{ m }}", m=text),
            }
            for road, page in shown.items():
                if RAW_TAG in page or html.unescape(page) != text:
                    problems.append(f"{road}: {msgid!r} -> {page!r}")
    assert not problems, "\n".join(problems)


def test_indonesian_wording_is_used_and_its_own_characters_are_escaped(app):
    with app.test_request_context(), force_locale("id"):
        message = _l("There is no category “%(slug)s”; showing all categories.", slug="<b>&amp;</b>")
        assert render_template_string("{{ m }}", m=message) == \
            "Kategori “&lt;b&gt;&amp;amp;&lt;/b&gt;” tidak ada; semua kategori ditampilkan."
        assert str(message) == "Kategori “<b>&amp;</b>” tidak ada; semua kategori ditampilkan."


def test_no_module_uses_flask_babels_lazy_gettext():
    """Flask-Babel's lazy string declares itself markup; `pbj.messages` is the one source."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "pbj"
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if re.search(r"from flask_babel import[^\n]*lazy_", path.read_text(encoding="utf-8"))]
    assert offenders == []
