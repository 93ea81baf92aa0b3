"""Every id on a page is unique: a label, a hint (`aria-describedby`) or an error-summary
link pointing at an id that two elements carry reaches the wrong one.

The pages are those of the shared route walk (tests/route_walk.py), as every role, with
data in the PP's cart and products compared; the HTML is parsed, no browser needed.
"""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from pbj.extensions import db
from tests.route_walk import demo_walk


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids[value] += 1

    handle_startendtag = handle_starttag


def duplicate_ids(body: str) -> list[str]:
    parser = _Ids()
    parser.feed(body)
    parser.close()
    return sorted(i for i, n in parser.ids.items() if n > 1)


def test_duplicate_ids_are_found():
    assert duplicate_ids('<p id="a"></p><input id="b"/><textarea id="a"></textarea>') == ["a"]
    assert duplicate_ids('<p id="a"></p><p id="b"></p>') == []


def _log_in(client, credentials) -> None:
    if credentials is not None:
        email, password = credentials
        token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/masuk").get_data(as_text=True))
        response = client.post("/masuk", data={"email": email, "password": password, "csrf_token": token[1]})
        assert response.status_code == 303


@pytest.mark.markup
@pytest.mark.slow  # seeding and a few hundred pages, like the words-pages walk
def test_every_page_has_unique_ids_for_every_role(app, make_app):
    logins, urls = demo_walk(app, with_cart=True)
    db.session.commit()
    db.session.remove()
    # As served: with CSRF on, every form carries its hidden token field.
    served = make_app(WTF_CSRF_ENABLED=True)
    problems: list[str] = []
    pages = 0
    for role, credentials in logins.items():
        client = served.test_client()
        _log_in(client, credentials)
        for url in urls:
            response = client.get(url)
            if response.mimetype != "text/html" or response.status_code >= 300:
                continue
            pages += 1
            if twice := duplicate_ids(response.get_data(as_text=True)):
                problems.append(f"{role} {url}: {', '.join(twice)}")
    assert pages > 200
    assert not problems, "ids used more than once:\n" + "\n".join(problems)
