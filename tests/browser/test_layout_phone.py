"""Phones: no page scrolls sideways at a cheap phone's 320 px, for any role.

Every page the shared route walk knows (tests/route_walk.py) is opened as every role
and anonymously, in a small demo world with a filled cart (long product names, totals
in the billions), orders in every state and products compared side by side. A page
wider than the screen fails the test, naming the page and its widest element (one that
is not inside a box scrolling on its own). One browser, one tab per role.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.route_walk import demo_walk

pytestmark = [pytest.mark.browser, pytest.mark.markup]

WIDTH = 320

# The element sticking out furthest to the right (its own box, or text overflowing it),
# the innermost of those that reach as far; outside any box scrolling on its own first,
# then positioned ones (they escape a scroll box that is not their containing block).
WIDEST = """() => {
  const vw = document.documentElement.clientWidth;
  const inOwnBox = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const depth = el => { let n = 0; for (; el; el = el.parentElement) n++; return n; };
  const out = [...document.body.querySelectorAll('*')].map(el => {
    const r = el.getBoundingClientRect();
    const spills = getComputedStyle(el).overflowX === 'visible';  // a scroll box keeps its content
    return {el, right: spills ? Math.max(r.right, r.left + el.scrollWidth) : r.right, depth: depth(el)};
  }).filter(m => m.right > vw + 0.5);
  const widest = list => list.reduce((a, b) => (b.right > a.right + 0.5 || (
    Math.abs(b.right - a.right) <= 0.5 && b.depth > a.depth) ? b : a), list[0]);
  const positioned = m => ['absolute', 'fixed'].includes(getComputedStyle(m.el).position);
  const found = widest(out.filter(m => !inOwnBox(m.el))) || widest(out.filter(positioned)) || widest(out);
  if (!found) return 'none found';
  const el = found.el;
  const cls = typeof el.className === 'string' && el.className.trim()
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}> "${text}" reaching ${Math.round(found.right)} px`;
}"""


@pytest.mark.parametrize("js_enabled", [True], ids=["js"])  # the layout is the same without it
def test_no_page_scrolls_sideways_at_320px_for_any_role(app, new_page, login, release_db):
    logins, urls = demo_walk(app, with_cart=True)
    paths = [urlsplit(url)._replace(scheme="", netloc="").geturl() for url in urls]
    release_db()
    too_wide: list[str] = []
    pages = 0
    for role, credentials in logins.items():
        tab = new_page(width=WIDTH, height=640)
        if credentials is not None:
            login(tab, *credentials)
        for path in paths:
            response = tab.goto(path)
            if response is None or response.status >= 300 or "text/html" not in response.headers.get(
                    "content-type", ""):
                continue
            pages += 1
            scroll_width = tab.evaluate("document.documentElement.scrollWidth")
            if scroll_width > WIDTH:
                too_wide.append(f"{role} {path}: {scroll_width} px wide, widest {tab.evaluate(WIDEST)}")
        tab.context.close()
    assert pages > 200
    assert not too_wide, f"pages that scroll sideways at {WIDTH} px:\n" + "\n".join(too_wide)
