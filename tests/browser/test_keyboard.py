"""Keyboard use: the skip link comes first and takes focus to the main content.

Plain HTML behaviour, so it must hold with JavaScript off as well.
"""
from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.markup]


def test_skip_link_is_first_and_moves_focus_to_main(page, expect):
    for path in ("/", "/masuk", "/daftar"):
        page.goto(path)
        page.keyboard.press("Tab")
        skip_link = page.locator("a.skip-link")
        expect(skip_link).to_be_focused()
        expect(skip_link).to_be_in_viewport()  # shown when focused, not left off-screen
        assert skip_link.get_attribute("href") == "#main"

        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"#main$"))
        expect(page.locator("#main")).to_be_focused()
        assert page.evaluate("document.activeElement.id") == "main", path

        # The next Tab continues inside the main content, not back in the header.
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('main').contains(document.activeElement)"), path
