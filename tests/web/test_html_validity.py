"""Every page is valid HTML: the Nu HTML Checker (vnu) over the route walk, every role;
and every page has one meta description and no heading that skips a level.

The same small demo world and the same walk as the words test (tests/route_walk.py):
every GET page with ids of real objects, as every role. The pages are written to a
folder and checked in one run of vnu. No error may remain except those about htmx's
`hx-*` attributes, which HTML does not define (`data-*` ones are valid already).

vnu is Java: `vnu.jar` from the npm package `vnu-jar`, which .ci/run installs into
`.tools/vnu/` (git-ignored); `VNU_JAR` may point elsewhere. Without it, or without
`java`, the test is skipped, saying so.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess  # nosec B404  # runs the checker, a fixed command
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.web.test_accessibility import DESCRIPTION, heading_skips
from tests.web.test_words_pages import _log_in, walk  # noqa: F401  (the walk is a fixture)

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR") or ROOT / ".tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
# htmx's attributes are not HTML's: "Attribute hx-get not allowed on element a at this point."
HTMX_ATTRIBUTE = re.compile(r"\battribute “?hx-[\w:-]+”? not allowed", re.IGNORECASE)


def vnu_errors(folder: Path) -> list[dict]:
    """vnu's messages of type error for every .html file in `folder`."""
    java = shutil.which("java")
    command = [java, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always",
               "--skip-non-html", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)  # nosec B603
    return [m for m in json.loads(done.stderr or "{}").get("messages", [])
            if m.get("type") == "error" or m.get("subType") == "fatal"]


@pytest.fixture
def vnu():
    """Skips (fails in CI) before the demo world is seeded when the checker is missing."""
    stop = pytest.fail if IN_CI else pytest.skip  # CI installs it: missing there is a failure
    if not shutil.which("java"):
        stop("java is not installed: the Nu HTML Checker needs it (.ci/run installs the checker)")
    if not VNU_JAR.is_file():
        stop(f"the Nu HTML Checker is not installed (no {VNU_JAR.name} where VNU_JAR or .tools/vnu/ says): "
             "npm install --prefix .tools/vnu --ignore-scripts vnu-jar@26.9.27 (as .ci/run does)")


def test_the_filter_keeps_errors_other_than_htmx_attributes():
    assert HTMX_ATTRIBUTE.search("Attribute “hx-get” not allowed on element “a” at this point.")
    assert HTMX_ATTRIBUTE.search("Attribute hx-swap-oob not allowed on element span at this point.")
    assert not HTMX_ATTRIBUTE.search("Duplicate ID “reason”.")
    assert not HTMX_ATTRIBUTE.search("Attribute “alt” not allowed on element “a” at this point.")


@pytest.mark.markup
@pytest.mark.slow  # seeding, a few hundred pages and a Java start: seconds to a minute
def test_every_page_is_valid_html(vnu, app, walk, tmp_path):  # noqa: F811
    logins, urls = walk
    names: dict[str, str] = {}
    problems = set()
    for role, credentials in logins.items():
        client = app.test_client()
        _log_in(client, credentials)
        for url in urls:
            response = client.get(url)
            if response.mimetype != "text/html" or response.status_code >= 300:
                continue
            html = response.get_data(as_text=True)
            if len(DESCRIPTION.findall(html)) != 1:
                problems.add(f"{role} {url}: not exactly one meta description")
            problems.update(f"{role} {url}: heading {skip}" for skip in heading_skips(html))
            name = f"{len(names):04d}.html"
            names[name] = f"{role} {url}"
            (tmp_path / name).write_bytes(response.data)
    assert len(names) > 200
    for message in vnu_errors(tmp_path):
        if HTMX_ATTRIBUTE.search(message.get("message", "")):
            continue
        page = names.get(Path(message.get("url", "")).name, message.get("url"))
        problems.add(f"{page}: line {message.get('lastLine')}: {message.get('message')} "
                     f"[{message.get('extract', '').strip()[:80]}]")
    assert not problems, f"{len(problems)} errors:\n" + "\n".join(sorted(problems)[:80])
